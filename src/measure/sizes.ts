import {hostArtifacts, layerChain, storageUnits} from '../graph/closure.js'
import {type DepGraph, nodeOfKind, successorsByEdge} from '../graph/graph.js'
import type {Platform} from '../graph/types.js'
import {artifactInodes, hostBlobs, hostHasFiles} from './files.js'

/** Size figures of one artifact, in bytes; null where a figure could not be measured. */
export interface ArtifactSizes {
  /** Stored bytes of everything the artifact needs. */
  total: number | null
  /** Stored bytes the artifact shares with its base image or host closure. */
  base?: number | null
  /** total − base: the application and the libraries it added. */
  appLibs?: number | null
  /** Stored bytes of units (layers, store paths) the host does not have. */
  unique?: number | null
  /** Content bytes of visible files whose content the host does not have. */
  uniqueFiles?: number | null
  /** Bytes of file versions that later layers overwrote or deleted. */
  hidden?: number | null
  /** Regular-file bytes of the final filesystem, each inode once. */
  content?: number | null
  /** Blob bytes of the layers as stored, where any layer is compressed. */
  compressed?: number | null
  virtual?: number | null
  mounted?: number | null
  /** Block usage on a live store, each hard link once. */
  disk?: number | null
}

export type SizeName = keyof ArtifactSizes

export interface MeasureOptions {
  /** Host node key that `unique` and `uniqueFiles` compare against. */
  host?: string
}

/** The parts of one artifact's report that every platform shares. */
export interface ArtifactMeasure {
  key: string
  platform: Platform
  name: string
  source: string
  sizes: ArtifactSizes
  /** Reasons for each null figure, keyed like `sizes`. */
  reasons: Partial<Record<SizeName, string>>
}

function storedBytes(graph: DepGraph, unit: string): number {
  const attributes = graph.getNodeAttributes(unit)
  if ('stored' in attributes && typeof attributes.stored === 'number') return attributes.stored
  throw new Error(`node "${unit}" has no stored size`)
}

function sumStored(graph: DepGraph, units: Iterable<string>): number {
  let total = 0
  for (const unit of units) total += storedBytes(graph, unit)
  return total
}

/** Storage units of every artifact deployed on the host. */
function hostUnits(graph: DepGraph, host: string): Set<string> {
  const units = new Set<string>()
  for (const artifact of hostArtifacts(graph, host)) {
    for (const unit of storageUnits(graph, artifact)) units.add(unit)
  }

  return units
}

/**
 * Units the artifact shares with its base: for images the longest common
 * prefix of the two layer chains, for closures the paths both contain.
 */
function sharedWithBase(graph: DepGraph, artifact: string, base: string): string[] {
  const chain = layerChain(graph, artifact)
  if (chain.length > 0) {
    const baseChain = layerChain(graph, base)
    const shared: string[] = []
    for (const [index, layer] of chain.entries()) {
      if (baseChain[index]?.key !== layer.key) break
      shared.push(layer.key)
    }

    return shared
  }

  const baseUnits = new Set(storageUnits(graph, base))
  return storageUnits(graph, artifact).filter((unit) => baseUnits.has(unit))
}

function measureBase(
  graph: DepGraph,
  artifact: string,
  options: MeasureOptions,
  reasons: ArtifactMeasure['reasons'],
): number | null {
  const [base] = successorsByEdge(graph, artifact, 'based-on')
  if (base !== undefined) return sumStored(graph, sharedWithBase(graph, artifact, base))

  const {platform} = nodeOfKind(graph, artifact, 'artifact')
  if (platform === 'nix' && options.host !== undefined) {
    const shared = hostUnits(graph, options.host)
    return sumStored(graph, storageUnits(graph, artifact).filter((unit) => shared.has(unit)))
  }

  reasons.base =
    platform === 'podman'
      ? 'no base image: give --base, or analyse an archive or engine that holds the base image too'
      : 'no host closure given: give --host'
  return null
}

function measureFiles(graph: DepGraph, artifact: string, options: MeasureOptions, result: ArtifactMeasure): void {
  const inodes = artifactInodes(graph, artifact)
  const {sizes, reasons} = result

  if (inodes.length === 0) {
    sizes.content = null
    reasons.content = 'the source lists no files: read the artifact from a form that carries file contents'
  } else {
    sizes.content = inodes.reduce((sum, inode) => (inode.visible ? sum + inode.size : sum), 0)
  }

  if (result.platform === 'podman') {
    sizes.hidden = inodes.reduce((sum, inode) => (inode.visible ? sum : sum + inode.size), 0)
  }

  if (options.host === undefined || !hostHasFiles(graph, options.host) || inodes.length === 0) {
    sizes.uniqueFiles = null
    reasons.uniqueFiles =
      inodes.length === 0 ? reasons.content : 'no host with files given: give --host with a root directory'
    return
  }

  const onHost = hostBlobs(graph, options.host)
  const counted = new Set<string>()
  let unique = 0
  for (const inode of inodes) {
    if (!inode.visible || onHost.has(inode.blob) || counted.has(inode.blob)) continue
    counted.add(inode.blob)
    unique += inode.size
  }

  sizes.uniqueFiles = unique
}

/** Measure base, app+libs and unique: what the artifact shares with its base and what the host lacks. */
function measureShared(graph: DepGraph, artifact: string, units: string[], options: MeasureOptions, result: ArtifactMeasure): void {
  const base = measureBase(graph, artifact, options, result.reasons)
  result.sizes.base = base
  result.sizes.appLibs = base === null ? null : (result.sizes.total as number) - base
  if (base === null) result.reasons.appLibs = result.reasons.base

  if (options.host === undefined || hostArtifacts(graph, options.host).length === 0) {
    result.sizes.unique = null
    result.reasons.unique = 'no host image store or closure given: give --host with an image or closure'
  } else {
    // Counts layers or store paths only: an image's config blob is a few kB.
    const onHost = hostUnits(graph, options.host)
    result.sizes.unique = sumStored(graph, units.filter((unit) => !onHost.has(unit)))
  }
}

/** Measure the sizes every platform shares: total, base, app+libs, unique and the file-level figures. */
export function measureArtifact(graph: DepGraph, artifact: string, options: MeasureOptions = {}): ArtifactMeasure {
  const node = nodeOfKind(graph, artifact, 'artifact')
  const units = storageUnits(graph, artifact)
  const total = sumStored(graph, units) + (node.metadataBytes ?? 0)
  const result: ArtifactMeasure = {
    key: artifact,
    platform: node.platform,
    name: node.name,
    source: node.source,
    sizes: {total},
    reasons: {},
  }

  // A disk image shares nothing with a base or a host store: it is deployed whole.
  if (node.platform !== 'osv') measureShared(graph, artifact, units, options, result)

  if (node.platform === 'podman') measureCompressed(graph, units, result)
  measureFiles(graph, artifact, options, result)
  return result
}

/** Blob bytes of an image's layers as stored, where at least one layer is compressed. */
function measureCompressed(graph: DepGraph, units: string[], result: ArtifactMeasure): void {
  const layers = units.map((unit) => nodeOfKind(graph, unit, 'layer'))
  if (layers.every((layer) => layer.compressed === null)) {
    result.sizes.compressed = null
    result.reasons.compressed = 'the source stores its layers uncompressed: read a compressed form such as oci-archive to measure transfer bytes'
    return
  }

  result.sizes.compressed = layers.reduce((sum, layer) => sum + (layer.compressed ?? layer.stored), 0)
}
