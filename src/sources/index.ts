import type {DepGraph} from '../graph/graph.js'

/** Options every source loader takes. */
export interface LoadOptions {
  /** Artifact name to use instead of the one the input records (an image tag, a store path name). */
  name?: string
}

/**
 * Reads one input into the graph and returns the keys of the artifacts it
 * added. Loaders never print; they throw an Error whose message names the
 * input, the offending entry or offset, and what to do next.
 */
export type Loader = (graph: DepGraph, ref: string, options: LoadOptions) => Promise<string[]>

/**
 * Reads what a host already has into the graph, attached to the host node
 * `host`: images of its store or a closure as `deployed-on` artifacts, or
 * files of a root directory as `contains` edges.
 */
export type HostLoader = (graph: DepGraph, ref: string, host: string) => Promise<void>
