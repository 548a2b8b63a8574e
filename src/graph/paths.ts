/**
 * Chains of edges from one node to another, for any source: an image to a
 * file through its layers, a closure to a store path through references.
 */
import type {DepGraph} from './graph.js'
import type {EdgeAttributes} from './types.js'

/** One step of a chain: the node reached and the edge that led to it (absent for the start). */
export interface ChainStep {
  node: string
  edge?: EdgeAttributes
}

export type Chain = ChainStep[]

/** Decides whether an edge from `source` to `target` reaches what is searched for. */
export type TargetTest = (source: string, target: string, edge: EdgeAttributes) => boolean

/** Edges a dependency chain follows: every kind except the link from an artifact to its host. */
export const followsDependency = (edge: EdgeAttributes): boolean => edge.kind !== 'deployed-on'

/** Find the shortest chain from `start` to an edge that passes `isTarget`, by breadth-first search; null when none. */
export function shortestChain(graph: DepGraph, start: string, isTarget: TargetTest, follow = followsDependency): Chain | null {
  const parent = new Map<string, ChainStep & {from?: string}>([[start, {node: start}]])
  const queue = [start]

  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]
    let found: Chain | null = null
    graph.forEachOutEdge(node, (_key, edge, _source, target) => {
      if (found !== null || !follow(edge)) return
      if (isTarget(node, target, edge)) {
        found = [...unwind(parent, node), {node: target, edge}]
        return
      }

      if (!parent.has(target)) {
        parent.set(target, {node: target, edge, from: node})
        queue.push(target)
      }
    })
    if (found !== null) return found
  }

  return null
}

function unwind(parent: Map<string, ChainStep & {from?: string}>, end: string): Chain {
  const chain: Chain = []
  for (let step = parent.get(end); step !== undefined; step = step.from === undefined ? undefined : parent.get(step.from)) {
    chain.unshift(step.edge === undefined ? {node: step.node} : {node: step.node, edge: step.edge})
  }

  return chain
}

/**
 * Find every simple chain from `start` to an edge that passes `isTarget`, shortest
 * first, at most `limit` of them. Nodes from which no target edge is
 * reachable are pruned first, so the search only walks chains that succeed.
 */
export function allChains(
  graph: DepGraph,
  start: string,
  isTarget: TargetTest,
  limit: number,
  follow = followsDependency,
): {chains: Chain[]; truncated: boolean} {
  const useful = nodesReachingTarget(graph, start, isTarget, follow)
  const chains: Chain[] = []
  const onChain = new Set<string>([start])
  let truncated = false

  const walk = (node: string, chain: Chain): void => {
    graph.forEachOutEdge(node, (_key, edge, _source, target) => {
      if (truncated || !follow(edge) || onChain.has(target)) return
      if (isTarget(node, target, edge)) {
        if (chains.length === limit) truncated = true
        else chains.push([...chain, {node: target, edge}])
        return
      }

      if (!useful.has(target)) return
      onChain.add(target)
      walk(target, [...chain, {node: target, edge}])
      onChain.delete(target)
    })
  }

  walk(start, [{node: start}])
  chains.sort((a, b) => a.length - b.length)
  return {chains, truncated}
}

/** Nodes reachable from `start` that have some chain onwards to a target edge. */
function nodesReachingTarget(graph: DepGraph, start: string, isTarget: TargetTest, follow: typeof followsDependency): Set<string> {
  const reachable: string[] = [start]
  const seen = new Set([start])
  const sources = new Set<string>()
  for (let head = 0; head < reachable.length; head++) {
    graph.forEachOutEdge(reachable[head], (_key, edge, source, target) => {
      if (!follow(edge)) return
      if (isTarget(source, target, edge)) sources.add(source)
      if (!seen.has(target)) {
        seen.add(target)
        reachable.push(target)
      }
    })
  }

  const useful = new Set(sources)
  const queue = [...sources]
  for (let head = 0; head < queue.length; head++) {
    graph.forEachInEdge(queue[head], (_key, edge, source) => {
      if (follow(edge) && seen.has(source) && !useful.has(source)) {
        useful.add(source)
        queue.push(source)
      }
    })
  }

  return useful
}

const STORE_PATH = /^(\/.*?\/[0-9a-z]{32}-[^/]+)(?:\/(.+))?$/

const normalisedFile = (path: string): string => path.replace(/^(\.\/|\/)+/, '')

/**
 * Turn what a user names into a target test: a node key, a store path, a
 * file inside a store path, a file path inside an image (`/usr/sbin/nginx`),
 * or a store path or package name that matches exactly one node reachable
 * from `start`.
 */
export function resolveTarget(graph: DepGraph, start: string, query: string): TargetTest {
  if (graph.hasNode(query)) return (_source, target) => target === query

  const store = STORE_PATH.exec(query)
  if (store !== null) {
    const key = `nix:${store[1]}`
    if (store[2] === undefined) return (_source, target) => target === key
    const file = store[2]
    return (source, _target, edge) => source === key && edge.kind === 'contains' && normalisedFile(edge.path) === file
  }

  if (query.includes('/')) {
    const file = normalisedFile(query)
    return (_source, _target, edge) => (edge.kind === 'contains' || edge.kind === 'owns') && normalisedFile(edge.path) === file
  }

  const match = matchByName(graph, start, query)
  return (_source, target) => target === match
}

function nodeName(graph: DepGraph, key: string): string | undefined {
  const node = graph.getNodeAttributes(key)
  if (node.kind === 'storePath') return node.path.slice(node.path.lastIndexOf('/') + 1).replace(/^[0-9a-z]{32}-/, '')
  if (node.kind === 'package') return node.name
  return undefined
}

function matchByName(graph: DepGraph, start: string, query: string): string {
  const exact: string[] = []
  const partial: string[] = []
  const seen = new Set([start])
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    graph.forEachOutEdge(queue[head], (_key, edge, _source, target) => {
      if (!followsDependency(edge) || seen.has(target)) return
      seen.add(target)
      queue.push(target)
      const name = nodeName(graph, target)
      if (name === undefined) return
      if (name === query || name.startsWith(`${query}-`)) exact.push(target)
      else if (name.includes(query)) partial.push(target)
    })
  }

  const candidates = exact.length > 0 ? exact : partial
  if (candidates.length === 1) return candidates[0]
  if (candidates.length === 0) throw new Error(`nothing named "${query}" is reachable from ${start}: give a store path, a file path or a node key`)
  throw new Error(`"${query}" matches ${candidates.length} nodes (${candidates.slice(0, 5).join(', ')}): give the full store path or node key`)
}

/** Describe a step as a printed chain shows it: a store path, a package, or the file path a blob was reached by. */
export function describeStep(graph: DepGraph, step: ChainStep): string {
  const node = graph.getNodeAttributes(step.node)
  if ((step.edge?.kind === 'contains' || step.edge?.kind === 'owns') && node.kind === 'blob') return step.edge.path
  switch (node.kind) {
    case 'storePath':
      return node.path
    case 'artifact':
      return node.name
    case 'package':
      return `${node.name} ${node.version}`
    case 'layer':
      return `layer ${node.diffId}`
    default:
      return step.node
  }
}
