import {addArtifact, blobKey, type DepGraph, ensureNode, layerKey, packageKey} from '../../graph/graph.js'
import type {ContainsEdge, EdgeKind, LayerNode, PackageNode} from '../../graph/types.js'
import {dependencyNames, type DpkgPackage, listFileNames, parseFileList, parseStatus} from '../dpkg/status.js'
import {mergeLayers, type MergedFilesystem} from './filesystem.js'
import type {LayerEntry, LayerScan} from './layer.js'
import type {ImageRecord} from './layouts.js'

/** Edge keys of each layer's `contains` edges, by entry index, so later images can mark visibility. */
const layerEdges = new WeakMap<DepGraph, Map<string, Array<string | undefined>>>()

function fileEntryFor(layer: LayerScan, entry: LayerEntry, byPath: Map<string, LayerEntry>): LayerEntry | undefined {
  if (entry.type === 'file') return entry
  if (entry.type === 'hardlink') return byPath.get(entry.linkname ?? '')
  return undefined
}

/** Add a layer node and its files once, however many images share the layer. */
function addLayer(graph: DepGraph, layer: LayerScan, inodes: Array<string | undefined>): string {
  const key = layerKey(layer.diffId)
  let edges = layerEdges.get(graph)
  if (!edges) {
    edges = new Map()
    layerEdges.set(graph, edges)
  }

  if (edges.has(key)) return key

  const node: LayerNode = {
    kind: 'layer',
    diffId: layer.diffId,
    digest: layer.digest,
    stored: layer.stored,
    compressed: layer.compression === 'none' ? null : layer.blobBytes,
    compression: layer.compression,
  }
  ensureNode(graph, key, node)

  const byPath = new Map<string, LayerEntry>()
  const keys: Array<string | undefined> = []
  for (const [index, entry] of layer.entries.entries()) {
    if (entry.type === 'file') byPath.set(entry.path, entry)
    if (entry.type === 'hardlink') {
      const target = byPath.get(entry.linkname ?? '')
      if (target) byPath.set(entry.path, target)
    }

    const file = fileEntryFor(layer, entry, byPath)
    if (!file?.sha256) continue
    const blob = ensureNode(graph, blobKey(file.sha256), {kind: 'blob', sha256: file.sha256, content: file.size})
    const attributes: ContainsEdge = {kind: 'contains', path: entry.path, mode: entry.mode, inode: inodes[index] ?? entry.path, visibleIn: []}
    keys[index] = graph.addDirectedEdge(key, blob, attributes)
  }

  edges.set(key, keys)
  return key
}

function markVisible(graph: DepGraph, artifact: string, layer: string, visible: boolean[]): void {
  const keys = layerEdges.get(graph)?.get(layer) ?? []
  for (const [index, edge] of keys.entries()) {
    if (edge === undefined || !visible[index]) continue
    const attributes = graph.getEdgeAttributes(edge) as ContainsEdge
    attributes.visibleIn = [...(attributes.visibleIn ?? []), artifact]
  }
}

/** Return the visible content of a path in the merged filesystem, if the scan captured that file. */
function capturedFile(image: ImageRecord, merged: MergedFilesystem, path: string): Buffer | undefined {
  const origin = merged.paths.get(path)
  if (!origin) return undefined
  return image.layers[origin.layer].captured.get(path)
}

function readPackages(image: ImageRecord, merged: MergedFilesystem): DpkgPackage[] {
  const status = capturedFile(image, merged, 'var/lib/dpkg/status')
  const texts = status ? [status.toString('utf8')] : []
  for (const path of merged.paths.keys()) {
    if (path.startsWith('var/lib/dpkg/status.d/')) {
      const stanza = capturedFile(image, merged, path)
      if (stanza) texts.push(stanza.toString('utf8'))
    }
  }

  return texts.flatMap((text) => parseStatus(text))
}

/** Links followed while resolving one path before it counts as a loop, as Linux's MAXSYMLINKS. */
const MAX_SYMLINKS = 40

/**
 * Resolve the directory symlinks of a path in the merged filesystem, so that
 * `bin/bash` from a dpkg file list finds `usr/bin/bash` on a merged-/usr
 * system. Returns the path unchanged when a link loops or leaves the root.
 */
function resolveInImage(image: ImageRecord, merged: MergedFilesystem, path: string): string {
  const parts = path.split('/')
  let resolved: string[] = []
  let links = 0

  while (parts.length > 0) {
    const part = parts.shift() as string
    if (part === '' || part === '.') continue
    if (part === '..') {
      resolved.pop()
      continue
    }

    const candidate = [...resolved, part].join('/')
    const origin = merged.paths.get(candidate)
    const entry = origin && image.layers[origin.layer].entries[origin.entry]
    if (entry?.type !== 'symlink' || parts.length === 0) {
      resolved.push(part)
      continue
    }

    links += 1
    if (links > MAX_SYMLINKS) return path
    const target = entry.linkname ?? ''
    if (target.startsWith('/')) resolved = []
    parts.unshift(...target.split('/'))
  }

  return resolved.join('/')
}

/** True when an edge of that kind (and path, for `owns`) already joins the two nodes. */
function hasEdgeOfKind(graph: DepGraph, source: string, target: string, kind: EdgeKind, path?: string): boolean {
  return graph.edges(source, target).some((edge) => {
    const attributes = graph.getEdgeAttributes(edge)
    return attributes.kind === kind && (path === undefined || (attributes as {path?: string}).path === path)
  })
}

/** Add package nodes with `owns` edges to the blobs of their visible files, and `depends` edges. */
function addPackages(graph: DepGraph, artifact: string, image: ImageRecord, merged: MergedFilesystem): void {
  const packages = readPackages(image, merged)
  const byName = new Map(packages.map((pkg) => [pkg.name, packageKey(pkg.name, pkg.version, pkg.architecture)]))

  for (const pkg of packages) {
    const key = byName.get(pkg.name) as string
    const node: PackageNode = {kind: 'package', name: pkg.name, version: pkg.version, architecture: pkg.architecture, installed: pkg.installedBytes}
    ensureNode(graph, key, node)
    if (!hasEdgeOfKind(graph, artifact, key, 'installs')) graph.addDirectedEdge(artifact, key, {kind: 'installs'})

    const list = listFileNames(pkg).map((path) => capturedFile(image, merged, path)).find((content) => content !== undefined)
    for (const listed of list ? parseFileList(list.toString('utf8')) : []) {
      const path = resolveInImage(image, merged, listed)
      const origin = merged.paths.get(path)
      const entry = origin && image.layers[origin.layer].entries[origin.entry]
      if (entry?.type !== 'file' || !entry.sha256) continue
      const blob = blobKey(entry.sha256)
      if (!hasEdgeOfKind(graph, key, blob, 'owns', path)) graph.addDirectedEdge(key, blob, {kind: 'owns', path})
    }
  }

  for (const pkg of packages) {
    const source = byName.get(pkg.name) as string
    for (const group of pkg.depends) {
      // One edge per pair: a package may name a dependency twice (Pre-Depends
      // and Depends), and images that install the same package share its node.
      const target = dependencyNames(group).map((name) => byName.get(name)).find((key) => key !== undefined)
      if (target === undefined || hasEdgeOfKind(graph, source, target, 'depends')) continue
      graph.addDirectedEdge(source, target, {kind: 'depends', constraint: group})
    }
  }
}

export interface AddImageOptions {
  name: string
  source: string
  hostOnly?: boolean
}

/** Add one image: its artifact, layers, files with their visibility, and its Debian packages. */
export function addImage(graph: DepGraph, image: ImageRecord, options: AddImageOptions): string {
  const artifact = addArtifact(graph, {platform: 'podman', name: options.name, source: options.source, metadataBytes: image.configBytes, hostOnly: options.hostOnly})
  const merged = mergeLayers(image.layers, image.layerNames)

  for (const [index, layer] of image.layers.entries()) {
    const key = addLayer(graph, layer, merged.inode[index])
    graph.addDirectedEdge(artifact, key, {kind: 'layer-of', index, createdBy: image.createdBy[index]})
    markVisible(graph, artifact, key, merged.visible[index])
  }

  addPackages(graph, artifact, image, merged)
  return artifact
}
