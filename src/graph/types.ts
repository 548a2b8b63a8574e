/**
 * Node and edge kinds of the unified dependency graph. Every source turns its
 * input into these; every measure reads only these. Sizes are bytes.
 */

export type Platform = 'podman' | 'nix' | 'osv'

export type NodeKind = 'artifact' | 'layer' | 'storePath' | 'disk' | 'package' | 'blob' | 'host'

/** An image, a closure root or a disk image: what a user deploys. */
export interface ArtifactNode {
  kind: 'artifact'
  platform: Platform
  name: string
  /** The reference the user gave, as typed (`docker-archive:nginx.tar`). */
  source: string
  /** Bytes stored beside the layers or paths, such as an image's config blob. */
  metadataBytes?: number
  /** Set on artifacts that only describe a host, such as a host's image store. */
  hostOnly?: boolean
}

/** One image layer, shared by every image whose chain includes it. */
export interface LayerNode {
  kind: 'layer'
  /** sha256 of the uncompressed tar, as `sha256:<hex>`. */
  diffId: string
  /** sha256 of the blob as stored, as `sha256:<hex>`; equals diffId when uncompressed. */
  digest: string
  /** Uncompressed tar bytes, as `podman history` reports them. */
  stored: number
  /** Blob bytes when the layer is stored compressed, else null. */
  compressed: number | null
  compression: 'none' | 'gzip' | 'zstd'
}

/** One Nix store path. */
export interface StorePathNode {
  kind: 'storePath'
  path: string
  /** Bytes of the path's NAR serialisation, as `nix path-info` reports. */
  stored: number
  /** Block usage on a live store, when read from one. */
  disk?: number
  narHash?: string
  deriver?: string | null
  /** True when the path references itself, which the graph cannot hold as an edge (no self-loops). */
  selfReference?: boolean
}

/** A qcow2 or raw disk image. */
export interface DiskNode {
  kind: 'disk'
  path: string
  /** Bytes the image file occupies on the host (`qemu-img info` disk size). */
  stored: number
  virtual: number
  /** Guest bytes that the image itself stores data for (`qemu-img map` data extents); null when unknown. */
  allocated?: number | null
  /** Regular-file bytes of the filesystem inside; null when it could not be read. */
  mounted?: number | null
  /** Reasons why `allocated` or `mounted` is null. */
  reasons?: {allocated?: string; mounted?: string}
}

/** One Debian package, from a dpkg database. */
export interface PackageNode {
  kind: 'package'
  name: string
  version: string
  architecture: string
  /** Installed-Size × 1024, as dpkg records it; null when the field is absent. */
  installed: number | null
}

/** One file content, keyed by its sha256. */
export interface BlobNode {
  kind: 'blob'
  sha256: string
  content: number
}

/** A system that artifacts are deployed onto. */
export interface HostNode {
  kind: 'host'
  name: string
  /** Source the host was read from: a root directory, an image store or a closure. */
  source: string
  /** Regular files read from the host's own root directory, when one was read. */
  filesRead?: number
}

export type NodeAttributes = ArtifactNode | LayerNode | StorePathNode | DiskNode | PackageNode | BlobNode | HostNode

export type EdgeKind =
  | 'layer-of'
  | 'contains'
  | 'references'
  | 'root'
  | 'installs'
  | 'depends'
  | 'owns'
  | 'based-on'
  | 'deployed-on'

export interface LayerOfEdge {
  kind: 'layer-of'
  /** Position in the image's layer chain, 0 for the bottom layer. */
  index: number
  /** The history entry that created the layer, when the image records one. */
  createdBy?: string
}

/** A file of a layer, store path, filesystem or host, pointing at its content. */
export interface ContainsEdge {
  kind: 'contains'
  path: string
  mode: number
  /**
   * Identifies the inode within its container, so that hard links to one
   * content count once: the path of the first entry that wrote the inode.
   */
  inode: string
  /** Artifacts in whose final filesystem this entry is visible (Podman layers only). */
  visibleIn?: string[]
}

export interface ReferencesEdge {
  kind: 'references'
}

export interface RootEdge {
  kind: 'root'
}

/** An artifact's installed package, such as a Debian package of an image's final filesystem. */
export interface InstallsEdge {
  kind: 'installs'
}

export interface DependsEdge {
  kind: 'depends'
  /** The dependency as written in the control field, such as `libc6 (>= 2.34)`. */
  constraint: string
}

export interface OwnsEdge {
  kind: 'owns'
  path: string
}

export interface BasedOnEdge {
  kind: 'based-on'
}

export interface DeployedOnEdge {
  kind: 'deployed-on'
}

export type EdgeAttributes =
  | LayerOfEdge
  | ContainsEdge
  | ReferencesEdge
  | RootEdge
  | InstallsEdge
  | DependsEdge
  | OwnsEdge
  | BasedOnEdge
  | DeployedOnEdge
