import type {GraphInput, GraphNodeInput} from './types.js'

/** A node as drawn: one input node, or the aggregate of many small ones. */
export interface DrawnNode extends GraphNodeInput {
  /** Number of input nodes this node stands for: 1, or more for an aggregate. */
  count: number
  aggregate: boolean
  root: boolean
}

export interface DrawnGraph {
  nodes: DrawnNode[]
  edges: Array<{source: string; target: string}>
  /** Number of input nodes folded into aggregates. */
  aggregated: number
}

export const AGGREGATE_IDS = {onHost: 'other:on-host', added: 'other:added'} as const

/** Checks the input's ids, sizes and edge ends, naming the first bad entry. */
export function checkGraphInput(input: GraphInput): void {
  const ids = new Set<string>()
  input.nodes.forEach((node, index) => {
    if (ids.has(node.id)) throw new Error(`graph input: node ${index} repeats the id "${node.id}"; give each node a distinct id`)
    if (!Number.isFinite(node.bytes) || node.bytes < 0) {
      throw new Error(`graph input: node "${node.id}" has invalid bytes ${node.bytes}, expected 0 or more`)
    }

    ids.add(node.id)
  })

  if (!ids.has(input.root)) throw new Error(`graph input: root "${input.root}" is not among the nodes`)
  input.edges.forEach((edge, index) => {
    for (const end of [edge.source, edge.target]) {
      if (!ids.has(end)) throw new Error(`graph input: edge ${index} names the unknown node "${end}"`)
    }
  })
}

/**
 * Keeps the root and the `maxNodes - 1` largest other nodes, and folds the
 * rest into at most two aggregate nodes, one for nodes on the host and one
 * for nodes deploying adds, so the colours still add up. Edges are redirected
 * to the nodes that stand for their ends, without self loops or repeats.
 */
export function aggregateGraph(input: GraphInput, maxNodes: number): DrawnGraph {
  if (!Number.isInteger(maxNodes) || maxNodes < 1) throw new Error(`invalid node limit ${maxNodes}: expected a whole number, 1 or more`)

  const bySize = [...input.nodes].sort((a, b) => b.bytes - a.bytes || a.id.localeCompare(b.id))
  const root = bySize.find((node) => node.id === input.root) as GraphNodeInput
  const others = bySize.filter((node) => node.id !== input.root)
  const fits = input.nodes.length <= maxNodes
  const largest = fits ? others : others.slice(0, maxNodes - 1)
  const folded = fits ? [] : others.slice(maxNodes - 1)

  const representative = new Map<string, string>()
  const nodes: DrawnNode[] = [root, ...largest].map((node) => {
    representative.set(node.id, node.id)
    return {...node, count: 1, aggregate: false, root: node.id === input.root}
  })

  for (const onHost of [true, false]) {
    const members = folded.filter((node) => node.onHost === onHost)
    if (members.length === 0) continue

    const id = onHost ? AGGREGATE_IDS.onHost : AGGREGATE_IDS.added
    for (const member of members) representative.set(member.id, id)
    const bytes = members.reduce((sum, member) => sum + member.bytes, 0)
    const label = `${members.length} smaller ${onHost ? 'on the host' : 'added'}`
    nodes.push({id, label, bytes, onHost, count: members.length, aggregate: true, root: false})
  }

  return {nodes, edges: redirectEdges(input, representative), aggregated: folded.length}
}

function redirectEdges(input: GraphInput, representative: Map<string, string>): Array<{source: string; target: string}> {
  const seen = new Set<string>()
  const edges: Array<{source: string; target: string}> = []

  for (const edge of input.edges) {
    const source = representative.get(edge.source) as string
    const target = representative.get(edge.target) as string
    const key = `${source}\u0000${target}`
    if (source === target || seen.has(key)) continue

    seen.add(key)
    edges.push({source, target})
  }

  return edges
}
