import {realpath} from 'node:fs/promises'
import path from 'node:path'

import {addArtifact, addContent, type DepGraph, diskKey, ensureNode} from '../../graph/graph.js'
import type {DiskNode} from '../../graph/types.js'
import type {Loader} from '../index.js'
import {type Filesystem, type KernelRegion, readOsvLayout} from './layout.js'
import type {Partition} from './mbr.js'
import {type DiskImage, imageFigures, openImage, Qcow2Image, type Snapshot} from './qcow2.js'

/** One image of a backing chain, with the next one below it. */
export interface BackingReport {
  /** The name as the image header records it. */
  file: string
  /** The name resolved relative to the image that refers to it. */
  path: string
  format: 'qcow2' | 'raw'
  virtual: number
  stored: number
  backing: BackingReport | null
}

/** The object that `depgraph inspect disk --json` prints, with every figure in bytes. */
export interface DiskReport {
  path: string
  format: 'qcow2' | 'raw'
  virtual: number
  /** Guest bytes with data in this image, backing files excluded (`qemu-img map` data extents). */
  allocated: number | null
  /** Block usage of the image file (`qemu-img info` disk size). */
  stored: number
  clusterSize: number | null
  backing: BackingReport | null
  partitions: Array<Partition & {type: number}>
  filesystem: Filesystem | null
  /** Host bytes of compressed clusters. */
  compressed: number
  /** Guest bytes that the backing chain provides. */
  fromBacking: number
  qcow2: {version: number; compressionType: string; extendedL2: boolean; extensions: string[]; snapshots: Snapshot[]} | null
  kernel: KernelRegion | null
  /** Reasons for null figures, keyed like the figures. */
  reasons: {allocated?: string; mounted?: string}
}

function backingReport(image: DiskImage): BackingReport | null {
  const below = image.backing
  if (below === null) return null
  return {
    file: image.backingName ?? below.path,
    path: below.path,
    format: below.format,
    virtual: below.size,
    stored: below.file.stored,
    backing: backingReport(below),
  }
}

/** Read a qcow2 or raw image: its figures, backing chain, partitions and filesystem. */
export async function inspectDisk(file: string): Promise<DiskReport> {
  const image = await openImage(file)
  try {
    const figures = await imageFigures(image)
    const layout = await readOsvLayout(file, image)
    const reasons: DiskReport['reasons'] = {}
    if (figures.allocatedReason !== undefined) reasons.allocated = figures.allocatedReason
    if (layout.filesystem === null) reasons.mounted = 'no ROFS or ZFS filesystem found on any partition or on the whole disk'
    else if (layout.filesystem.reason !== undefined) reasons.mounted = layout.filesystem.reason

    const header = image instanceof Qcow2Image ? image.header : null
    return {
      path: file,
      format: image.format,
      virtual: figures.virtual,
      allocated: figures.allocated,
      stored: figures.stored,
      clusterSize: image.clusterSize,
      backing: backingReport(image),
      partitions: layout.partitions,
      filesystem: layout.filesystem,
      compressed: figures.compressed,
      fromBacking: figures.fromBacking,
      qcow2: header && {
        version: header.version,
        compressionType: header.compressionType,
        extendedL2: header.extendedL2,
        extensions: header.extensions,
        snapshots: image.snapshots,
      },
      kernel: layout.kernel,
      reasons,
    }
  } finally {
    await image.close()
  }
}

/** Add each backing file as a disk that the one above references, so that total counts the chain. */
function addBackingChain(graph: DepGraph, top: string, backing: BackingReport | null): void {
  let above = top
  for (let below = backing; below !== null; below = below.backing) {
    const node: DiskNode = {kind: 'disk', path: path.resolve(below.path), stored: below.stored, virtual: below.virtual}
    const key = ensureNode(graph, diskKey(node.path), node)
    graph.addDirectedEdge(above, key, {kind: 'references'})
    above = key
  }
}

/**
 * Add an OSv disk image: an artifact with a `root` edge to its disk node,
 * and a `contains` edge from the disk to the blob of every ROFS file.
 */
export const loadDisk: Loader = async (graph, ref, options) => {
  const report = await inspectDisk(ref)
  const name = options.name ?? path.basename(ref).replace(/\.(qcow2?|img|raw)$/i, '')
  const artifact = addArtifact(graph, {platform: 'osv', name, source: ref})

  const disk: DiskNode = {
    kind: 'disk',
    path: await realpath(ref),
    stored: report.stored,
    virtual: report.virtual,
    allocated: report.allocated,
    mounted: report.filesystem?.content ?? null,
    reasons: report.reasons,
  }
  const key = ensureNode(graph, diskKey(disk.path), disk)
  graph.addDirectedEdge(artifact, key, {kind: 'root'})
  addBackingChain(graph, key, report.backing)

  for (const entry of report.filesystem?.entries ?? []) {
    if (entry.type !== 'file' || entry.sha256 === undefined) continue
    addContent(graph, key, entry.sha256, entry.size, {path: entry.path, mode: entry.mode, inode: String(entry.inode)})
  }

  return [artifact]
}
