/**
 * Figures that only Nix closures have: the size each store path adds to the
 * closure, and the block usage of a closure read from a live store.
 */
import {referenceClosure} from '../graph/closure.js'
import {type DepGraph, nodeOfKind, successorsByEdge} from '../graph/graph.js'
import {hostArtifacts, storageUnits} from '../graph/closure.js'
import type {StorePathNode} from '../graph/types.js'

export interface NixPathRow {
  path: string
  narSize: number
  /**
   * Bytes that leave the closure if this path goes: its narSize plus that of
   * every path reachable from the roots only through it, as nix-tree shows.
   */
  addedSize: number
  references: string[]
  /** True when the host closure has this path too. */
  onHost: boolean
}

/** Store paths of a closure artifact with their added size, largest first. */
export function measureNixPaths(graph: DepGraph, artifact: string, host?: string): NixPathRow[] {
  const paths = referenceClosure(graph, artifact)
  const {added, successors} = addedSizes(graph, artifact, paths)
  const onHost = new Set<string>()
  if (host !== undefined) for (const hosted of hostArtifacts(graph, host)) for (const unit of storageUnits(graph, hosted)) onHost.add(unit)

  const rows = paths.map((key) => {
    const node = nodeOfKind(graph, key, 'storePath')
    const references = successors(key).map((reference) => (graph.getNodeAttributes(reference) as StorePathNode).path)
    if (node.selfReference) references.push(node.path)
    return {path: node.path, narSize: node.stored, addedSize: added.get(key) as number, references, onHost: onHost.has(key)}
  })

  // Ties break on the path by code unit, which is cheaper than localeCompare on large closures.
  return rows.sort((a, b) => b.addedSize - a.addedSize || compareText(a.path, b.path))
}

/**
 * Sum narSize over each path's dominator subtree, with the artifact as the
 * entry node: a path dominates another when every chain from the roots to
 * the other passes through it. Dominators by the iterative algorithm of
 * Cooper, Harvey and Kennedy over reverse postorder.
 */
function addedSizes(
  graph: DepGraph,
  artifact: string,
  paths: string[],
): {added: Map<string, number>; successors: (node: string) => string[]} {
  const cache = new Map<string, string[]>()
  const successors = (node: string): string[] => {
    let next = cache.get(node)
    if (next === undefined) {
      next = successorsByEdge(graph, node, node === artifact ? 'root' : 'references')
      cache.set(node, next)
    }

    return next
  }

  const order = reversePostorder(artifact, successors)
  const index = new Map(order.map((node, position) => [node, position]))
  const predecessors = new Map<string, string[]>(order.map((node) => [node, []]))
  for (const node of order) for (const next of successors(node)) predecessors.get(next)?.push(node)

  const dominator = immediateDominators(order, index, predecessors)
  const added = new Map(paths.map((path) => [path, nodeOfKind(graph, path, 'storePath').stored]))
  // Children come after their dominator in reverse postorder, so walking backwards sums each subtree once.
  for (let position = order.length - 1; position > 0; position--) {
    const node = order[position]
    const parent = dominator[position]
    if (parent !== 0) added.set(order[parent], (added.get(order[parent]) as number) + (added.get(node) as number))
  }

  return {added, successors}
}

function reversePostorder(start: string, successors: (node: string) => string[]): string[] {
  const postorder: string[] = []
  const seen = new Set<string>([start])
  const stack: Array<{node: string; next: string[]; position: number}> = [{node: start, next: successors(start), position: 0}]

  while (stack.length > 0) {
    const frame = stack[stack.length - 1]
    if (frame.position < frame.next.length) {
      const child = frame.next[frame.position++]
      if (!seen.has(child)) {
        seen.add(child)
        stack.push({node: child, next: successors(child), position: 0})
      }
    } else {
      postorder.push(frame.node)
      stack.pop()
    }
  }

  return postorder.reverse()
}

function immediateDominators(order: string[], index: Map<string, number>, predecessors: Map<string, string[]>): number[] {
  const dominator: number[] = new Array(order.length).fill(-1)
  dominator[0] = 0
  const intersect = (first: number, second: number): number => {
    let a = first
    let b = second
    while (a !== b) {
      while (a > b) a = dominator[a]
      while (b > a) b = dominator[b]
    }

    return a
  }

  for (let changed = true; changed; ) {
    changed = false
    for (let position = 1; position < order.length; position++) {
      let candidate = -1
      for (const predecessor of predecessors.get(order[position]) as string[]) {
        const other = index.get(predecessor) as number
        if (dominator[other] === -1) continue
        candidate = candidate === -1 ? other : intersect(other, candidate)
      }

      if (candidate !== dominator[position]) {
        dominator[position] = candidate
        changed = true
      }
    }
  }

  return dominator
}

/** Block usage of a closure on a live store, shared inodes once; null when not read from a live store. */
export function measureNixDisk(graph: DepGraph, artifact: string): number | null {
  let disk = 0
  for (const key of referenceClosure(graph, artifact)) {
    const node = nodeOfKind(graph, key, 'storePath')
    if (node.disk === undefined) return null
    disk += node.disk
  }

  return disk
}

/** Order two strings by code unit, as the store lists paths. */
function compareText(a: string, b: string): number {
  if (a < b) return -1
  return a > b ? 1 : 0
}
