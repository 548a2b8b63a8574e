import {createHash} from 'node:crypto'
import {createReadStream, existsSync} from 'node:fs'
import {readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'
import type {Readable} from 'node:stream'

import {extract as createExtract} from 'tar-stream'

import {LayerError, type LayerScan, normalizeEntryPath, scanLayer} from './layer.js'

/** A JSON document of an image: a manifest, an index or a config. */
export interface JsonBlob {
  value: unknown
  bytes: number
  /** Hex sha256 of the document as stored. */
  sha256: string
}

/**
 * The files of an image archive or directory, by their path inside it.
 * Image layouts read manifests, configs and layers through this, whatever
 * the container.
 */
export interface BlobStore {
  /** The input as the user named it, for messages. */
  label: string
  has(name: string): boolean
  json(name: string): Promise<JsonBlob>
  layer(name: string): Promise<LayerScan>
}

/** JSON documents beyond this size are not image metadata. */
const JSON_LIMIT_BYTES = 16 * 1024 * 1024
/** Blobs up to this size are buffered, then read as JSON or as a layer. */
const SMALL_BLOB_BYTES = 1024 * 1024

function parseJson(buffer: Buffer, label: string, name: string): JsonBlob {
  let value: unknown
  try {
    value = JSON.parse(buffer.toString('utf8'))
  } catch (error) {
    throw new LayerError(`${label}: ${name} is not valid JSON (${(error as Error).message}); the archive is corrupt, so save the image again`, {cause: error})
  }

  return {value, bytes: buffer.length, sha256: createHash('sha256').update(buffer).digest('hex')}
}

function looksLikeJson(buffer: Buffer): boolean {
  const first = buffer.subarray(0, 64).toString('utf8').trimStart()[0]
  return first === '{' || first === '['
}

function missing(label: string, name: string): LayerError {
  return new LayerError(`${label}: ${name} is missing from the archive; it is truncated or was not written by podman save`)
}

async function readSmall(chunks: AsyncIterable<unknown>, limit: number, label: string, name: string): Promise<Buffer> {
  const kept: Buffer[] = []
  let bytes = 0
  for await (const data of chunks) {
    const chunk = data as Buffer
    bytes += chunk.length
    if (bytes > limit) throw new LayerError(`${label}: ${name} exceeds ${limit} bytes, too large for image metadata`)
    kept.push(chunk)
  }

  return Buffer.concat(kept)
}

/** Names under which image layouts keep layer blobs. */
const LAYER_NAME = /(^|\/)layer\.tar$|\.tar$|^blobs\/sha256\/[0-9a-f]{64}$|^[0-9a-f]{64}$/
const METADATA_NAME = /(^|\/)(manifest\.json|index\.json|oci-layout|repositories|json|VERSION|version)$|\.json$/

/**
 * Read a tar archive (docker-archive or oci-archive) in one pass. Layouts
 * put the manifest anywhere, often last, so every blob is scanned as it
 * streams past and kept as its scan, never as bytes.
 */
export async function readTarStore(input: Readable, label: string): Promise<BlobStore> {
  const jsons = new Map<string, JsonBlob>()
  const layers = new Map<string, LayerScan>()
  const extract = createExtract()
  input.on('error', (error) => extract.destroy(error))
  input.pipe(extract)

  try {
    for await (const entry of extract) {
      const name = normalizeEntryPath(entry.header.name, label)
      const isFile = entry.header.type === 'file' || entry.header.type === 'contiguous-file'
      if (!isFile || !(LAYER_NAME.test(name) || METADATA_NAME.test(name))) {
        entry.resume()
        continue
      }

      const size = entry.header.size ?? 0
      if (METADATA_NAME.test(name) || size <= SMALL_BLOB_BYTES) {
        const buffer = await readSmall(entry, METADATA_NAME.test(name) ? JSON_LIMIT_BYTES : SMALL_BLOB_BYTES, label, name)
        if (looksLikeJson(buffer)) jsons.set(name, parseJson(buffer, label, name))
        else if (!METADATA_NAME.test(name)) layers.set(name, await scanLayer([buffer], `${label}: ${name}`))
        continue
      }

      layers.set(name, await scanLayer(entry, `${label}: ${name}`))
    }
  } catch (error) {
    if (error instanceof LayerError) throw error
    throw new LayerError(`${label}: reading the archive failed (${(error as Error).message}); the file is truncated or not a tar archive, so save the image again`, {cause: error})
  }

  return {
    label,
    has: (name) => jsons.has(name) || layers.has(name),
    async json(name) {
      const found = jsons.get(name)
      if (!found) throw missing(label, name)
      return found
    },
    async layer(name) {
      const found = layers.get(name)
      if (!found) throw missing(label, name)
      return found
    },
  }
}

/** Read an image directory (oci or dir transport), scanning each blob when a layout requests it. */
export function readDirectoryStore(directory: string, label: string): BlobStore {
  const resolve = (name: string): string => join(directory, normalizeEntryPath(name, label))

  return {
    label,
    has: (name) => existsSync(resolve(name)),
    async json(name) {
      const path = resolve(name)
      const info = await stat(path).catch(() => null)
      if (!info) throw missing(label, name)
      if (info.size > JSON_LIMIT_BYTES) throw new LayerError(`${label}: ${name} exceeds ${JSON_LIMIT_BYTES} bytes, too large for image metadata`)
      return parseJson(await readFile(path), label, name)
    },
    async layer(name) {
      const path = resolve(name)
      const info = await stat(path).catch(() => null)
      if (!info) throw missing(label, name)
      return scanLayer(createReadStream(path, {highWaterMark: 1024 * 1024}), `${label}: ${name}`)
    },
  }
}
