import {containedFiles, hostArtifacts, storageUnits} from '../graph/closure.js'
import type {DepGraph} from '../graph/graph.js'
import type {BlobNode} from '../graph/types.js'

/** One file version held by a storage unit: an inode, counted once however many links it has. */
export interface InodeVersion {
  unit: string
  inode: string
  blob: string
  size: number
  /** True when some path to this inode is visible in the artifact's final filesystem. */
  visible: boolean
  /** Paths that lead to the inode within its unit. */
  paths: string[]
}

/**
 * List the inodes of an artifact's units with their visibility in the
 * artifact's final filesystem. Entries without a visibility list (store
 * paths, disk filesystems) are visible: nothing overlays them.
 */
export function artifactInodes(graph: DepGraph, artifact: string): InodeVersion[] {
  const inodes = new Map<string, InodeVersion>()

  for (const unit of storageUnits(graph, artifact)) {
    for (const [blob, file] of containedFiles(graph, unit)) {
      const id = `${unit}\u0000${file.inode}`
      const visible = file.visibleIn === undefined || file.visibleIn.includes(artifact)
      const known = inodes.get(id)
      if (known) {
        known.visible ||= visible
        known.paths.push(file.path)
        continue
      }

      const size = (graph.getNodeAttributes(blob) as BlobNode).content
      inodes.set(id, {unit, inode: file.inode, blob, size, visible, paths: [file.path]})
    }
  }

  return [...inodes.values()]
}

/** Blob keys of every file content a host has: its own files and those of its artifacts. */
export function hostBlobs(graph: DepGraph, host: string): Set<string> {
  const blobs = new Set<string>()
  for (const [blob] of containedFiles(graph, host)) blobs.add(blob)

  for (const artifact of hostArtifacts(graph, host)) {
    for (const inode of artifactInodes(graph, artifact)) {
      if (inode.visible) blobs.add(inode.blob)
    }
  }

  return blobs
}

/** True when a host was read with file contents, so file-level figures apply to it. */
export function hostHasFiles(graph: DepGraph, host: string): boolean {
  const attributes = graph.getNodeAttributes(host)
  if (attributes.kind === 'host' && (attributes.filesRead ?? 0) > 0) return true
  return hostArtifacts(graph, host).some((artifact) => artifactInodes(graph, artifact).length > 0)
}
