/**
 * Inputs of the SVG renderers: plain data, every size in bytes. The render
 * command builds them from `depgraph analyze --json` output, and
 * from-graph.ts builds the graph input from a DepGraph.
 */

import type {UnitSystem} from '../units.js'

/** Options every renderer takes. */
export interface RenderOptions {
  /** Units of the text in the drawing; SI (kB, MB) unless IEC (KiB, MiB) is requested. */
  units?: UnitSystem
}

/**
 * The storage comparison of one application. A figure is `null` when it was
 * not measured, and is then drawn as a marked gap, never as a zero bar.
 */
export interface BarsRow {
  app: string
  podmanTotal: number | null
  podmanBase: number | null
  osvImage: number | null
  osvMounted: number | null
  nixTotal: number | null
  nixUnique: number | null
}

export type BarsSeriesKey = Exclude<keyof BarsRow, 'app'>

export interface BarsInput {
  title?: string
  rows: BarsRow[]
}

export interface BarsOptions extends RenderOptions {
  /** Draws the value axis on a logarithmic scale. */
  log?: boolean
}

/** One layer of an image, bottom layer first in `LayersInput.layers`. */
export interface LayerInput {
  digest: string
  /** Uncompressed tar bytes. */
  stored: number
  /** Bytes of file versions in this layer that later layers overwrite or delete; null when not measured. */
  hidden: number | null
  createdBy?: string
  /** Whether the layer belongs to the base image. */
  base: boolean
}

export interface LayersInput {
  image: string
  title?: string
  layers: LayerInput[]
}

/** A store path of a closure, or a package of an image. */
export interface GraphNodeInput {
  id: string
  label: string
  bytes: number
  /** Whether the host already has this node, so deploying does not add it. */
  onHost: boolean
  /**
   * Marks a node that stands for the artifact itself (an image, a closure
   * with several roots) rather than stored bytes: drawn white, without a
   * size, and left out of the legend counts.
   */
  artifact?: boolean
}

export interface GraphEdgeInput {
  source: string
  target: string
}

export interface GraphInput {
  title: string
  /** Id of the node drawn as the root: the closure root or the image itself. */
  root: string
  nodes: GraphNodeInput[]
  edges: GraphEdgeInput[]
  /** Whether a host was compared at all; without one, no node is marked as on the host. */
  hostGiven?: boolean
}

export interface GraphOptions extends RenderOptions {
  /** Number of nodes drawn one by one (the largest); the rest are aggregated. Default 60. */
  maxNodes?: number
  /** Number of drawn nodes that get a visible label (the largest). Default 25. */
  maxLabels?: number
}

export interface TreemapItem {
  label: string
  bytes: number
  /** Group the item is coloured by, such as "on the host" or a package name. */
  group?: string
}

export interface TreemapInput {
  title: string
  /** Kind of entry that each rectangle is, in the singular, such as "package" or "store path". */
  unit: string
  items: TreemapItem[]
}
