import {MultiDirectedGraph} from 'graphology'

import type {
  ArtifactNode,
  BlobNode,
  ContainsEdge,
  EdgeAttributes,
  EdgeKind,
  HostNode,
  NodeAttributes,
  Platform,
} from './types.js'

/** The dependency graph of one analysis: a directed multigraph. */
export type DepGraph = MultiDirectedGraph<NodeAttributes, EdgeAttributes>

export function createGraph(): DepGraph {
  return new MultiDirectedGraph<NodeAttributes, EdgeAttributes>({allowSelfLoops: false})
}

export const artifactKey = (platform: Platform, name: string): string => `artifact:${platform}:${name}`
export const layerKey = (diffId: string): string => `layer:${diffId}`
export const storePathKey = (path: string): string => `nix:${path}`
export const diskKey = (pathOrDigest: string): string => `disk:${pathOrDigest}`
export const packageKey = (name: string, version: string, architecture: string): string =>
  `pkg:deb:${name}@${version}:${architecture}`
export const blobKey = (sha256Hex: string): string => `blob:sha256:${sha256Hex}`
export const hostKey = (name: string): string => `host:${name}`

/** Add a node unless a node with that key exists; return the key either way. */
export function ensureNode(graph: DepGraph, key: string, attributes: NodeAttributes): string {
  graph.mergeNode(key, attributes)
  return key
}

export function addArtifact(graph: DepGraph, attributes: Omit<ArtifactNode, 'kind'>): string {
  const key = artifactKey(attributes.platform, attributes.name)
  if (graph.hasNode(key)) {
    throw new Error(`artifact "${key}" is already in the graph: give each input a distinct name`)
  }

  graph.addNode(key, {kind: 'artifact', ...attributes})
  return key
}

export function addHost(graph: DepGraph, name: string, source: string): string {
  const attributes: HostNode = {kind: 'host', name, source}
  return ensureNode(graph, hostKey(name), attributes)
}

/** Add the blob for a file content and a `contains` edge from `container` to it. */
export function addContent(
  graph: DepGraph,
  container: string,
  sha256Hex: string,
  size: number,
  file: Omit<ContainsEdge, 'kind'>,
): string {
  const blob: BlobNode = {kind: 'blob', sha256: sha256Hex, content: size}
  const key = ensureNode(graph, blobKey(sha256Hex), blob)
  graph.addDirectedEdge(container, key, {kind: 'contains', ...file})
  return key
}

/** Out-neighbours of `node` along edges of one kind, in insertion order, each once. */
export function successorsByEdge(graph: DepGraph, node: string, kind: EdgeKind): string[] {
  const seen = new Set<string>()
  graph.forEachOutEdge(node, (_edge, attributes, _source, target) => {
    if (attributes.kind === kind) seen.add(target)
  })
  return [...seen]
}

/** Nodes of one kind, with their attributes narrowed to that kind. */
export function nodesOfKind<K extends NodeAttributes['kind']>(
  graph: DepGraph,
  kind: K,
): Array<[string, Extract<NodeAttributes, {kind: K}>]> {
  const result: Array<[string, Extract<NodeAttributes, {kind: K}>]> = []
  graph.forEachNode((key, attributes) => {
    if (attributes.kind === kind) result.push([key, attributes as Extract<NodeAttributes, {kind: K}>])
  })
  return result
}

/** Attributes of `key`, checked to be of `kind`. */
export function nodeOfKind<K extends NodeAttributes['kind']>(
  graph: DepGraph,
  key: string,
  kind: K,
): Extract<NodeAttributes, {kind: K}> {
  if (!graph.hasNode(key)) throw new Error(`node "${key}" not found in the graph`)
  const attributes = graph.getNodeAttributes(key)
  if (attributes.kind !== kind) throw new Error(`node "${key}" is a ${attributes.kind}, expected a ${kind}`)
  return attributes as Extract<NodeAttributes, {kind: K}>
}
