import type {DepGraph} from '../../graph/graph.js'
import {nodeOfKind, successorsByEdge} from '../../graph/graph.js'
import {hostArtifacts, referenceClosure} from '../../graph/closure.js'
import type {GraphEdgeInput, GraphInput, GraphNodeInput} from './types.js'

/**
 * Builds the input of the graph drawing for one artifact of a DepGraph.
 *
 * - Nix artifact: the store paths reachable along `root` and `references`
 *   edges, sized by `stored` (narSize), with their `references` edges.
 * - Podman artifact: the packages reached by `installs` edges, sized by
 *   `installed`, with the `depends` edges between them.
 *
 * A node is on the host when a `deployed-on` artifact of `hostKey` reaches
 * the same node key (by `root`/`references` for a closure, by `installs`
 * for an image). Node ids are graph keys. When the artifact has other than
 * exactly one closure root, the artifact itself is added as a root node of
 * 0 bytes, with an edge to each top-level node.
 */
export function graphInputFromDepGraph(graph: DepGraph, artifactKey: string, hostKey?: string): GraphInput {
  const artifact = nodeOfKind(graph, artifactKey, 'artifact')
  const onHost = hostKey === undefined ? new Set<string>() : hostContents(graph, hostKey)
  const hostName = hostKey === undefined ? undefined : nodeOfKind(graph, hostKey, 'host').name
  const suffix = hostName === undefined ? '' : `, compared with host ${hostName}`

  if (artifact.platform === 'nix') {
    const input = closureInput(graph, artifactKey, artifact.name, onHost)
    return {...input, title: `Closure of ${artifact.name}${suffix}`, hostGiven: hostKey !== undefined}
  }

  if (artifact.platform === 'podman') {
    const input = packageInput(graph, artifactKey, artifact.name, onHost)
    return {...input, title: `Packages of ${artifact.name}${suffix}`, hostGiven: hostKey !== undefined}
  }

  throw new Error(`artifact "${artifactKey}" is an ${artifact.platform} disk image: the graph drawing shows Nix closures and Podman packages only`)
}

/** Keys of every store path and package that the host's deployed artifacts reach. */
function hostContents(graph: DepGraph, hostKey: string): Set<string> {
  const contents = new Set<string>()
  for (const artifact of hostArtifacts(graph, hostKey)) {
    for (const key of referenceClosure(graph, artifact)) contents.add(key)
    for (const key of successorsByEdge(graph, artifact, 'installs')) contents.add(key)
  }

  return contents
}

function closureInput(graph: DepGraph, artifactKey: string, name: string, onHost: Set<string>): Omit<GraphInput, 'title'> {
  const keys = referenceClosure(graph, artifactKey).filter((key) => graph.getNodeAttribute(key, 'kind') === 'storePath')
  const members = new Set(keys)
  const nodes: GraphNodeInput[] = keys.map((key) => {
    const path = nodeOfKind(graph, key, 'storePath')
    return {id: key, label: storePathName(path.path), bytes: path.stored, onHost: onHost.has(key)}
  })

  const edges = edgesWithin(graph, members, 'references')
  const roots = successorsByEdge(graph, artifactKey, 'root').filter((key) => members.has(key))
  if (roots.length === 1) return {root: roots[0], nodes, edges}

  return withArtifactRoot(artifactKey, name, nodes, edges, roots)
}

function packageInput(graph: DepGraph, artifactKey: string, name: string, onHost: Set<string>): Omit<GraphInput, 'title'> {
  const keys = successorsByEdge(graph, artifactKey, 'installs').filter((key) => graph.getNodeAttribute(key, 'kind') === 'package')
  const members = new Set(keys)
  const nodes: GraphNodeInput[] = keys.map((key) => {
    const item = nodeOfKind(graph, key, 'package')
    // NOTE: a package without Installed-Size is drawn with 0 bytes; its label notes the missing size.
    const label = item.installed === null ? `${item.name} (size not recorded)` : item.name
    return {id: key, label, bytes: item.installed ?? 0, onHost: onHost.has(key)}
  })

  const edges = edgesWithin(graph, members, 'depends')
  const dependedOn = new Set(edges.map((edge) => edge.target))
  const topLevel = keys.filter((key) => !dependedOn.has(key))
  return withArtifactRoot(artifactKey, name, nodes, edges, topLevel.length > 0 ? topLevel : keys)
}

/** Edges of one kind whose both ends are in `members`, each pair once. */
function edgesWithin(graph: DepGraph, members: Set<string>, kind: 'references' | 'depends'): GraphEdgeInput[] {
  const seen = new Set<string>()
  const edges: GraphEdgeInput[] = []
  for (const source of members) {
    for (const target of successorsByEdge(graph, source, kind)) {
      if (!members.has(target) || source === target || seen.has(`${source} ${target}`)) continue
      seen.add(`${source} ${target}`)
      edges.push({source, target})
    }
  }

  return edges
}

function withArtifactRoot(
  artifactKey: string, name: string, nodes: GraphNodeInput[], edges: GraphEdgeInput[], tops: string[],
): Omit<GraphInput, 'title'> {
  const root: GraphNodeInput = {id: artifactKey, label: name, bytes: 0, onHost: false, artifact: true}
  const rootEdges = tops.map((target) => ({source: artifactKey, target}))
  return {root: artifactKey, nodes: [root, ...nodes], edges: [...rootEdges, ...edges]}
}

/** Strips the store directory and hash from a store path: `/nix/store/<hash>-hello-2.12` → `hello-2.12`. */
export function storePathName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1)
  const dash = base.indexOf('-')
  return dash === 32 ? base.slice(dash + 1) : base
}
