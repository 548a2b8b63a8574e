import {storageUnits} from '../graph/closure.js'
import type {DepGraph} from '../graph/graph.js'
import type {BlobNode} from '../graph/types.js'
import {artifactInodes, hostBlobs} from './files.js'

/** One file content stored more than once across the artifacts analysed together. */
export interface DuplicateContent {
  sha256: string
  /** Bytes of one copy. */
  content: number
  /** Storage units (layers, store paths, disks) that hold a copy. */
  copies: number
  /** Bytes of all copies beyond the first. */
  duplicated: number
  /** Artifacts that hold a copy, as `platform:name`. */
  artifacts: string[]
  /** One path under which the content appears. */
  path: string
}

export interface DuplicatedReport {
  /** Bytes of all copies beyond the first, summed over every content held by two or more artifacts. */
  bytes: number
  /** Number of distinct contents that are duplicated. */
  contents: number
  /** The largest duplicated contents, largest first. */
  largest: DuplicateContent[]
}

/**
 * Measure content stored in more than one artifact of the set. A unit that
 * the platform shares (a base layer two images both use) keeps one copy,
 * so only copies in distinct units count.
 */
export function measureDuplicated(graph: DepGraph, artifacts: string[], limit = 20): DuplicatedReport {
  const units = new Map<string, {units: Set<string>; artifacts: Set<string>; path: string}>()

  for (const artifact of artifacts) {
    for (const unit of storageUnits(graph, artifact)) {
      graph.forEachOutEdge(unit, (_edge, attributes, _source, blob) => {
        if (attributes.kind !== 'contains') return
        const entry = units.get(blob) ?? {units: new Set(), artifacts: new Set(), path: attributes.path}
        entry.units.add(unit)
        entry.artifacts.add(artifact)
        units.set(blob, entry)
      })
    }
  }

  const duplicates: DuplicateContent[] = []
  for (const [blob, entry] of units) {
    if (entry.artifacts.size < 2 || entry.units.size < 2) continue
    const {sha256, content} = graph.getNodeAttributes(blob) as BlobNode
    const names = [...entry.artifacts].map((artifact) => artifact.replace(/^artifact:/, ''))
    duplicates.push({sha256, content, copies: entry.units.size, duplicated: content * (entry.units.size - 1), artifacts: names, path: entry.path})
  }

  duplicates.sort((a, b) => b.duplicated - a.duplicated || a.sha256.localeCompare(b.sha256))
  return {
    bytes: duplicates.reduce((sum, item) => sum + item.duplicated, 0),
    contents: duplicates.length,
    largest: duplicates.slice(0, limit),
  }
}

/** Content bytes of an artifact's visible files that the host already has, each content once. */
export function measureDuplicatedWithHost(graph: DepGraph, artifact: string, host: string): number {
  const onHost = hostBlobs(graph, host)
  const counted = new Set<string>()
  let bytes = 0
  for (const inode of artifactInodes(graph, artifact)) {
    if (!inode.visible || !onHost.has(inode.blob) || counted.has(inode.blob)) continue
    counted.add(inode.blob)
    bytes += inode.size
  }

  return bytes
}
