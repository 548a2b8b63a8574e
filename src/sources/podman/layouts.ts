import {LayerError, type LayerScan} from './layer.js'
import type {BlobStore, JsonBlob} from './store.js'

/** One image read from an archive, directory or engine, with its layers scanned. */
export interface ImageRecord {
  /** The first tag, or the reference name, or null for an untagged image. */
  name: string | null
  /** Image ID: the config digest. */
  id: string
  configBytes: number
  layers: LayerScan[]
  /** Path of each layer inside the input, for messages. */
  layerNames: string[]
  /** The command that created each layer, from the config history. */
  createdBy: Array<string | undefined>
}

interface ImageConfig {
  rootfs?: {diff_ids?: unknown}
  history?: Array<{created_by?: string; empty_layer?: boolean}>
}

interface Descriptor {
  mediaType?: string
  digest?: unknown
  size?: number
  annotations?: Record<string, string>
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'])

function shapeError(store: BlobStore, name: string, field: string, expected: string): LayerError {
  return new LayerError(`${store.label}: ${name}: field "${field}" is missing or malformed, expected ${expected}; the manifest is corrupt, so save the image again`)
}

function hexOf(store: BlobStore, name: string, field: string, digest: unknown): string {
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw shapeError(store, name, field, 'a digest "sha256:<64 hex digits>"')
  }

  return digest.slice('sha256:'.length)
}

function checkDigest(store: BlobStore, name: string, found: string, expected: string): void {
  if (found !== expected) {
    throw new LayerError(`${store.label}: ${name}: digest mismatch, content hashes to ${found} but the manifest records ${expected}; the blob is corrupt, so save or pull the image again`)
  }
}

/**
 * Check each layer's diff ID against the config and pair layers with the
 * history entries that created them (entries marked empty_layer own none).
 */
function assembleImage(store: BlobStore, name: string | null, config: JsonBlob, configName: string, layers: LayerScan[], layerNames: string[]): ImageRecord {
  const value = config.value as ImageConfig
  const diffIds = value?.rootfs?.diff_ids
  if (!Array.isArray(diffIds) || diffIds.length !== layers.length) {
    throw shapeError(store, configName, 'rootfs.diff_ids', `an array of ${layers.length} diff IDs, one per layer`)
  }

  for (const [index, layer] of layers.entries()) {
    checkDigest(store, layerNames[index], layer.diffId, String(diffIds[index]))
  }

  const history = Array.isArray(value.history) ? value.history.filter((entry) => !entry.empty_layer) : []
  const createdBy = layers.map((_layer, index) => history[index]?.created_by)
  return {name, id: `sha256:${config.sha256}`, configBytes: config.bytes, layers, layerNames, createdBy}
}

/** Read a docker-archive's manifest.json: one entry per image, layers named by path. */
async function readDockerArchive(store: BlobStore): Promise<ImageRecord[]> {
  const manifest = (await store.json('manifest.json')).value
  if (!Array.isArray(manifest) || manifest.length === 0) throw shapeError(store, 'manifest.json', '[]', 'a non-empty array of images')

  const images: ImageRecord[] = []
  for (const [index, entry] of manifest.entries()) {
    const field = `[${index}]`
    if (typeof entry?.Config !== 'string') throw shapeError(store, 'manifest.json', `${field}.Config`, 'the path of the config file')
    if (!Array.isArray(entry.Layers) || entry.Layers.some((layer: unknown) => typeof layer !== 'string')) {
      throw shapeError(store, 'manifest.json', `${field}.Layers`, 'an array of layer paths')
    }

    const config = await store.json(entry.Config)
    const configHex = /([0-9a-f]{64})(\.json)?$/.exec(entry.Config)?.[1]
    if (configHex) checkDigest(store, entry.Config, `sha256:${config.sha256}`, `sha256:${configHex}`)

    const layers = await Promise.all((entry.Layers as string[]).map((layer) => store.layer(layer)))
    for (const [position, layer] of layers.entries()) {
      const blobHex = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(entry.Layers[position])?.[1]
      if (blobHex) checkDigest(store, entry.Layers[position], layer.digest, `sha256:${blobHex}`)
    }

    const name = Array.isArray(entry.RepoTags) && typeof entry.RepoTags[0] === 'string' ? entry.RepoTags[0] : null
    images.push(assembleImage(store, name, config, entry.Config, layers, entry.Layers))
  }

  return images
}

/** Read one image manifest (OCI or Docker schema 2) whose blobs sit at `blobPath(hex)`. */
async function readManifest(store: BlobStore, manifestName: string, manifest: unknown, name: string | null, blobPath: (hex: string) => string): Promise<ImageRecord> {
  const value = manifest as {config?: Descriptor; layers?: Descriptor[]}
  if (!value?.config) throw shapeError(store, manifestName, 'config', 'a descriptor of the image config')
  if (!Array.isArray(value.layers)) throw shapeError(store, manifestName, 'layers', 'an array of layer descriptors')

  const configHex = hexOf(store, manifestName, 'config.digest', value.config.digest)
  const config = await store.json(blobPath(configHex))
  checkDigest(store, blobPath(configHex), `sha256:${config.sha256}`, `sha256:${configHex}`)

  const layerNames: string[] = []
  const layers: LayerScan[] = []
  for (const [index, descriptor] of value.layers.entries()) {
    const hex = hexOf(store, manifestName, `layers[${index}].digest`, descriptor?.digest)
    const layer = await store.layer(blobPath(hex))
    checkDigest(store, blobPath(hex), layer.digest, `sha256:${hex}`)
    layerNames.push(blobPath(hex))
    layers.push(layer)
  }

  return assembleImage(store, name, config, blobPath(configHex), layers, layerNames)
}

/** Read an OCI image layout: index.json, then manifests (and nested indexes) from blobs/sha256. */
async function readOciLayout(store: BlobStore): Promise<ImageRecord[]> {
  const blobPath = (hex: string): string => `blobs/sha256/${hex}`
  const images: ImageRecord[] = []

  const visit = async (documentName: string, document: unknown, depth: number): Promise<void> => {
    const manifests = (document as {manifests?: Descriptor[]})?.manifests
    if (!Array.isArray(manifests)) throw shapeError(store, documentName, 'manifests', 'an array of manifest descriptors')
    if (depth > 4) throw new LayerError(`${store.label}: ${documentName}: image indexes nest deeper than 4 levels; the layout is malformed`)

    for (const [index, descriptor] of manifests.entries()) {
      const hex = hexOf(store, documentName, `manifests[${index}].digest`, descriptor?.digest)
      const blob = await store.json(blobPath(hex))
      checkDigest(store, blobPath(hex), `sha256:${blob.sha256}`, `sha256:${hex}`)
      const mediaType = descriptor.mediaType ?? (blob.value as Descriptor)?.mediaType ?? ''
      if (INDEX_TYPES.has(mediaType)) {
        await visit(blobPath(hex), blob.value, depth + 1)
        continue
      }

      const name = descriptor.annotations?.['org.opencontainers.image.ref.name'] ?? null
      images.push(await readManifest(store, blobPath(hex), blob.value, name, blobPath))
    }
  }

  await visit('index.json', (await store.json('index.json')).value, 0)
  return images
}

/** Read a `dir:` directory: one manifest.json, blobs named by their hex digest. */
async function readDockerDir(store: BlobStore): Promise<ImageRecord[]> {
  const manifest = await store.json('manifest.json')
  return [await readManifest(store, 'manifest.json', manifest.value, null, (hex) => hex)]
}

export type ArchiveLayout = 'docker-archive' | 'oci' | 'dir'

/** Read every image of a store, picking the layout from the files it has unless one is given. */
export async function readImages(store: BlobStore, layout?: ArchiveLayout): Promise<ImageRecord[]> {
  const chosen =
    layout ?? (store.has('manifest.json') && store.has('version') ? 'dir' : store.has('manifest.json') ? 'docker-archive' : store.has('index.json') ? 'oci' : undefined)

  if (chosen === undefined) {
    throw new LayerError(`${store.label}: no manifest.json or index.json found; expected an image written by podman save or podman push`)
  }

  if (chosen === 'dir') return readDockerDir(store)
  if (chosen === 'oci') return readOciLayout(store)

  const manifest = (await store.json('manifest.json')).value
  return Array.isArray(manifest) ? readDockerArchive(store) : readDockerDir(store)
}
