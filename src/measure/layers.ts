import {layerChain} from '../graph/closure.js'
import {type DepGraph, nodeOfKind} from '../graph/graph.js'
import {artifactInodes} from './files.js'

export interface LayerFile {
  path: string
  content: number
  /** True when a later layer overwrote or deleted this version. */
  hidden: boolean
}

/** One layer of an image as `inspect layers` and the JSON report show it; bytes throughout. */
export interface LayerReport {
  digest: string
  diffId: string
  stored: number
  compressed: number | null
  /** Regular-file bytes the layer holds, each inode once. */
  content: number
  /** Bytes of this layer's file versions that the image's final filesystem does not show. */
  hidden: number
  createdBy: string | null
  files: number
  largestFiles: LayerFile[]
}

/** Measure each layer of an image artifact, bottom first. */
export function measureLayers(graph: DepGraph, artifact: string, largest = 10): LayerReport[] {
  const inodes = artifactInodes(graph, artifact)

  return layerChain(graph, artifact).map(({key, createdBy}) => {
    const layer = nodeOfKind(graph, key, 'layer')
    const own = inodes.filter((inode) => inode.unit === key)
    const files = own
      .map((inode) => ({path: inode.paths[0], content: inode.size, hidden: !inode.visible}))
      .sort((a, b) => b.content - a.content || a.path.localeCompare(b.path))

    return {
      digest: layer.digest,
      diffId: layer.diffId,
      stored: layer.stored,
      compressed: layer.compressed,
      content: own.reduce((sum, inode) => sum + inode.size, 0),
      hidden: own.reduce((sum, inode) => (inode.visible ? sum : sum + inode.size), 0),
      createdBy: createdBy ?? null,
      files: own.length,
      largestFiles: files.slice(0, largest),
    }
  })
}
