import {createReadStream, statSync} from 'node:fs'
import {basename} from 'node:path'

import {layerChain} from '../../graph/closure.js'
import {addArtifact, addHost, type DepGraph, layerKey} from '../../graph/graph.js'
import type {HostLoader, LoadOptions} from '../index.js'
import {addImage} from './build.js'
import {engineAddress, listEngineImages, readEngineImage} from './engine.js'
import {LayerError} from './layer.js'
import {type ArchiveLayout, type ImageRecord, readImages} from './layouts.js'
import {readDirectoryStore, readTarStore} from './store.js'

export interface PodmanLoadOptions extends LoadOptions {
  /** Engine API address for image names; see engineAddress. */
  engine?: string
}

/** A parsed image reference in the containers-transports(5) forms. */
export interface ImageReference {
  transport: 'docker-archive' | 'oci-archive' | 'oci' | 'dir' | 'engine'
  /** File or directory path, or the image name for the engine. */
  path: string
  /** Image within a multi-image archive (`docker-archive:PATH:NAME`). */
  image?: string
}

const TRANSPORTS = ['docker-archive', 'oci-archive', 'oci', 'dir'] as const

/** Parse `docker-archive:PATH[:NAME]`, `oci-archive:PATH`, `oci:DIR`, `dir:DIR`, a bare path, or an engine image name. */
export function parseImageReference(ref: string): ImageReference {
  for (const transport of TRANSPORTS) {
    if (!ref.startsWith(`${transport}:`)) continue
    const rest = ref.slice(transport.length + 1)

    // The image name may hold colons and slashes too (`x.tar:localhost/app:1`),
    // so the path is the shortest prefix before a colon that exists.
    for (let separator = rest.indexOf(':'); separator > 0; separator = rest.indexOf(':', separator + 1)) {
      if (statSync(rest.slice(0, separator), {throwIfNoEntry: false})) {
        return {transport, path: rest.slice(0, separator), image: rest.slice(separator + 1)}
      }
    }

    return {transport, path: rest}
  }

  const info = statSync(ref, {throwIfNoEntry: false})
  if (info?.isDirectory()) {
    const kind = statSync(`${ref}/index.json`, {throwIfNoEntry: false}) ? 'oci' : 'dir'
    return {transport: kind, path: ref}
  }

  if (info?.isFile()) return {transport: 'docker-archive', path: ref}

  // An image name never starts with "/" or "." nor ends in ".tar": such a reference is a missing file.
  if (/^\.{0,2}\//.test(ref) || /\.tar$/.test(ref)) {
    throw new LayerError(`${ref}: no such file or directory; give a path written by podman save, or an image name`)
  }

  return {transport: 'engine', path: ref}
}

/** Read every image a reference names, its layers scanned. */
export async function readReference(ref: string, options: PodmanLoadOptions = {}): Promise<ImageRecord[]> {
  const parsed = parseImageReference(ref)
  if (parsed.transport === 'engine') return [await readEngineImage(engineAddress(options.engine), parsed.path)]

  const info = statSync(parsed.path, {throwIfNoEntry: false})
  if (!info) throw new LayerError(`${ref}: no such file or directory; give a path written by podman save, or an image name`)

  let layout: ArchiveLayout | undefined
  if (parsed.transport === 'oci' || parsed.transport === 'oci-archive') layout = 'oci'
  if (parsed.transport === 'dir') layout = 'dir'

  const store = info.isDirectory() ? readDirectoryStore(parsed.path, ref) : await readTarStore(createReadStream(parsed.path, {highWaterMark: 1024 * 1024}), ref)
  const images = await readImages(store, info.isDirectory() ? layout : undefined)
  if (parsed.image === undefined) return images

  const chosen = images.filter((image) => image.name === parsed.image || image.name?.endsWith(`/${parsed.image}`) || image.id.startsWith(`sha256:${parsed.image}`))
  if (chosen.length === 0) {
    throw new LayerError(`${ref}: no image "${parsed.image}" in the archive; it contains ${images.map((image) => image.name ?? image.id).join(', ')}`)
  }

  return chosen
}

function uniqueName(graph: DepGraph, wanted: string, ref: string): string {
  return graph.hasNode(`artifact:podman:${wanted}`) ? `${wanted} (${ref})` : wanted
}

/** Join each image to the longest other chain that is a proper prefix of its own. */
function linkBases(graph: DepGraph, artifacts: string[]): void {
  const chains = new Map(artifacts.map((artifact) => [artifact, layerChain(graph, artifact).map((layer) => layer.key)]))
  for (const [artifact, chain] of chains) {
    let best: string | undefined
    let bestLength = 0
    for (const [other, otherChain] of chains) {
      const isPrefix = otherChain.length < chain.length && otherChain.every((layer, index) => chain[index] === layer)
      if (other !== artifact && isPrefix && otherChain.length > bestLength) {
        best = other
        bestLength = otherChain.length
      }
    }

    if (best) graph.addDirectedEdge(artifact, best, {kind: 'based-on'})
  }
}

/** Load every image a Podman reference names; images of one archive find their bases among each other. */
export async function loadPodman(graph: DepGraph, ref: string, options: PodmanLoadOptions = {}): Promise<string[]> {
  const images = await readReference(ref, options)
  const artifacts = images.map((image) => {
    const wanted = options.name ?? image.name ?? basename(ref)
    return addImage(graph, image, {name: uniqueName(graph, wanted, ref), source: ref})
  })

  linkBases(graph, artifacts)
  return artifacts
}

/** Load a reference's images as host-side artifacts, or reuse them when an earlier call loaded that reference. */
async function loadReferenceImages(graph: DepGraph, ref: string, options: PodmanLoadOptions): Promise<string[]> {
  const loaded = graph.filterNodes((_key, attributes) => attributes.kind === 'artifact' && attributes.hostOnly === true && attributes.source === ref)
  if (loaded.length > 0) return loaded

  const images = await readReference(ref, options)
  return images.map((image) => addImage(graph, image, {name: uniqueName(graph, image.name ?? basename(ref), ref), source: ref, hostOnly: true}))
}

/** Load a base image given by reference, once, and join each artifact to it. */
export async function attachBase(graph: DepGraph, artifacts: string[], ref: string, options: PodmanLoadOptions = {}): Promise<void> {
  const bases = await loadReferenceImages(graph, ref, options)
  if (bases.length !== 1) throw new LayerError(`${ref}: --base must name one image, but it contains ${bases.length}; add :NAME to choose one`)

  for (const artifact of artifacts) graph.addDirectedEdge(artifact, bases[0], {kind: 'based-on'})
}

/**
 * Find an artifact's base among the engine's images: the longest layer chain
 * that is a proper prefix of the artifact's. Only layer IDs are read.
 */
export async function attachEngineBase(graph: DepGraph, artifact: string, engine?: string): Promise<boolean> {
  const chain = layerChain(graph, artifact).map((layer) => layer.key)
  const candidates = (await listEngineImages(engineAddress(engine))).filter(
    (image) => image.diffIds.length < chain.length && image.diffIds.every((diffId, index) => layerKey(diffId) === chain[index]),
  )
  if (candidates.length === 0) return false

  const best = candidates.reduce((a, b) => (b.diffIds.length > a.diffIds.length ? b : a))
  const base = addArtifact(graph, {platform: 'podman', name: uniqueName(graph, best.name, 'engine'), source: `engine:${best.name}`, hostOnly: true})
  for (const [index, diffId] of best.diffIds.entries()) graph.addDirectedEdge(base, layerKey(diffId), {kind: 'layer-of', index})
  graph.addDirectedEdge(artifact, base, {kind: 'based-on'})
  return true
}

/** Load images of a host's image store (a reference, or every image of the engine) as `deployed-on` artifacts. */
export const loadPodmanHost: HostLoader = async (graph, ref, host) => {
  addHost(graph, host.replace(/^host:/, ''), ref)
  for (const artifact of await loadReferenceImages(graph, ref, {})) {
    graph.addDirectedEdge(artifact, host, {kind: 'deployed-on'})
  }
}
