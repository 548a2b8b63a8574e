import type {DepGraph} from './graph.js'
import type {ContainsEdge} from './types.js'

/**
 * Layers of an image artifact, bottom first, with the history entry that
 * created each one.
 */
export function layerChain(graph: DepGraph, artifact: string): Array<{key: string; createdBy?: string}> {
  const chain: Array<{key: string; index: number; createdBy?: string}> = []
  graph.forEachOutEdge(artifact, (_edge, attributes, _source, target) => {
    if (attributes.kind === 'layer-of') chain.push({key: target, index: attributes.index, createdBy: attributes.createdBy})
  })

  chain.sort((a, b) => a.index - b.index)
  return chain.map(({key, createdBy}) => ({key, createdBy}))
}

/**
 * List every node reachable from `start` along `root` and `references` edges,
 * start excluded, in breadth-first order.
 */
export function referenceClosure(graph: DepGraph, start: string): string[] {
  const seen = new Set<string>([start])
  const order: string[] = []
  const queue = [start]

  // An index instead of shift(): shift() moves every element, so large closures went quadratic.
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]
    graph.forEachOutEdge(node, (_edge, attributes, _source, target) => {
      if ((attributes.kind === 'root' || attributes.kind === 'references') && !seen.has(target)) {
        seen.add(target)
        order.push(target)
        queue.push(target)
      }
    })
  }

  return order
}

/**
 * List the storage units an artifact is made of, in the platform's own terms:
 * layers for an image, store paths for a closure, disks for a disk image.
 */
export function storageUnits(graph: DepGraph, artifact: string): string[] {
  const layers = layerChain(graph, artifact).map((layer) => layer.key)
  const reachable = referenceClosure(graph, artifact)
  return [...new Set([...layers, ...reachable])]
}

/** List the `contains` edges of one unit, as [blob key, attributes]. */
export function containedFiles(graph: DepGraph, unit: string): Array<[string, ContainsEdge]> {
  const files: Array<[string, ContainsEdge]> = []
  graph.forEachOutEdge(unit, (_edge, attributes, _source, target) => {
    if (attributes.kind === 'contains') files.push([target, attributes])
  })
  return files
}

/** Artifacts deployed on a host, such as the images of its image store. */
export function hostArtifacts(graph: DepGraph, host: string): string[] {
  const artifacts: string[] = []
  graph.forEachInEdge(host, (_edge, attributes, source) => {
    if (attributes.kind === 'deployed-on') artifacts.push(source)
  })
  return artifacts
}
