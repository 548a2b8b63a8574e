import {createHash} from 'node:crypto'
import {once} from 'node:events'
import {posix} from 'node:path'
import type {Transform} from 'node:stream'

import {extract as createExtract, type Header} from 'tar-stream'

/** Chunks of a blob, from a file stream, a tar entry or a buffer. */
export type Chunks = AsyncIterable<unknown> | Iterable<Buffer>

import {type Compression, decompressor, Digester, sniffCompression} from './decompress.js'

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'whiteout' | 'opaque' | 'other'

/** One tar entry of a layer, reduced to what the measures need. */
export interface LayerEntry {
  /** Path relative to the filesystem root, without a leading `./` or `/`. */
  path: string
  type: EntryType
  /** Content bytes for regular files, 0 for everything else. */
  size: number
  mode: number
  /** Hex sha256 of the content, for regular files. */
  sha256?: string
  /** Target of a hard link (a path in the image) or a symlink (as written). */
  linkname?: string
}

export interface LayerScan {
  /** sha256 of the blob as stored. */
  digest: string
  /** sha256 of the uncompressed tar: the diff ID. */
  diffId: string
  /** Uncompressed tar bytes. */
  stored: number
  /** Blob bytes as stored. */
  blobBytes: number
  compression: Compression
  entries: LayerEntry[]
  /** Contents of the small files the dpkg reader needs, keyed by path. */
  captured: Map<string, Buffer>
}

/** Files whose content the dpkg reader needs, kept while the layer streams past. */
const CAPTURE = /^var\/lib\/dpkg\/(status|status\.d\/[^/]+|info\/[^/]+\.list)$/
const CAPTURE_LIMIT_BYTES = 32 * 1024 * 1024
const WHITEOUT_PREFIX = '.wh.'
const OPAQUE_MARKER = '.wh..wh..opq'

/** An input error that names the layer and the offending entry. */
export class LayerError extends Error {}

/**
 * Turn a tar entry name into a path below the root. Absolute names and `..`
 * components would let a layer write outside the filesystem it describes,
 * so they are rejected.
 */
export function normalizeEntryPath(name: string, layer: string): string {
  if (name.startsWith('/')) {
    throw new LayerError(`${layer}: entry "${name}" has an absolute path; layers hold relative paths only, so the archive is not a valid image layer`)
  }

  const parts = name.split('/').filter((part) => part !== '' && part !== '.')
  if (parts.includes('..')) {
    throw new LayerError(`${layer}: entry "${name}" has a ".." component that escapes the layer root; the archive is not a valid image layer`)
  }

  return parts.join('/')
}

function entryType(header: Header, path: string): EntryType {
  const base = posix.basename(path)
  if (base === OPAQUE_MARKER) return 'opaque'
  if (base.startsWith(WHITEOUT_PREFIX)) return 'whiteout'

  switch (header.type) {
    case 'file':
    case 'contiguous-file': {
      return 'file'
    }

    case 'directory': {
      return 'directory'
    }

    case 'symlink': {
      return 'symlink'
    }

    case 'link': {
      return 'hardlink'
    }

    default: {
      return 'other'
    }
  }
}

async function readEntry(entry: AsyncIterable<unknown>, capture: boolean): Promise<{sha256: string; content?: Buffer}> {
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let keptBytes = 0

  for await (const data of entry) {
    const chunk = data as Buffer
    hash.update(chunk)
    if (capture && keptBytes + chunk.length <= CAPTURE_LIMIT_BYTES) {
      kept.push(chunk)
      keptBytes += chunk.length
    }
  }

  return {sha256: hash.digest('hex'), content: capture ? Buffer.concat(kept) : undefined}
}

async function collectEntries(extract: ReturnType<typeof createExtract>, layer: string, scan: LayerScan): Promise<void> {
  for await (const entry of extract) {
    const {header} = entry
    const path = normalizeEntryPath(header.name, layer)
    const type = entryType(header, path)
    const record: LayerEntry = {path, type, size: 0, mode: header.mode ?? 0}

    if (type === 'file') {
      const {sha256, content} = await readEntry(entry, CAPTURE.test(path))
      record.size = header.size ?? 0
      record.sha256 = sha256
      if (content) scan.captured.set(path, content)
    } else {
      entry.resume()
    }

    if (type === 'hardlink') record.linkname = normalizeEntryPath(header.linkname ?? '', layer)
    if (type === 'symlink') record.linkname = header.linkname ?? ''
    if (path !== '') scan.entries.push(record)
  }
}

function describeFailure(error: unknown, layer: string, stage: string, offset: number): LayerError {
  if (error instanceof LayerError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new LayerError(`${layer}: ${stage} failed near byte ${offset} of the blob (${message}); the blob is truncated or corrupt, so save or pull the image again`, {cause: error})
}

/**
 * Stream one layer blob: hash it as stored, decompress it (gzip, zstd or
 * none, chosen by its magic bytes), hash the tar, and hash every file's content once.
 * Nothing is written to disk; memory grows with the number of entries only.
 */
export async function scanLayer(chunks: Chunks, layer: string): Promise<LayerScan> {
  const rawHash = createHash('sha256')
  const scan: LayerScan = {digest: '', diffId: '', stored: 0, blobBytes: 0, compression: 'none', entries: [], captured: new Map()}
  const tar = new Digester()
  const extract = createExtract()
  let stage: Transform | undefined
  let failure: unknown
  const fail = (error: unknown): void => {
    failure ??= error
  }

  const consumer = collectEntries(extract, layer, scan).catch(fail)
  tar.on('error', fail)

  for await (const data of chunks) {
    const chunk = data as Buffer
    if (failure) break
    rawHash.update(chunk)
    scan.blobBytes += chunk.length

    if (!stage) {
      scan.compression = sniffCompression(chunk)
      // An uncompressed blob is its own tar, so its digest is the diff ID: hash it once.
      tar.hashing = scan.compression !== 'none'
      stage = decompressor(scan.compression)
      stage.on('error', (error) => {
        fail(error)
        extract.destroy(error)
      })
      stage.pipe(tar).pipe(extract)
    }

    try {
      if (!stage.write(chunk)) await Promise.race([once(stage, 'drain'), consumer])
    } catch (error) {
      fail(error)
    }
  }

  if (!failure) {
    stage ??= decompressor('none')
    if (scan.blobBytes === 0) stage.pipe(tar).pipe(extract)
    stage.end()
    await consumer
  }

  if (failure) throw describeFailure(failure, layer, scan.compression === 'none' ? 'reading the tar' : `${scan.compression} decompression`, scan.blobBytes)

  scan.digest = `sha256:${rawHash.digest('hex')}`
  scan.diffId = tar.hashing ? `sha256:${tar.hex()}` : scan.digest
  scan.stored = tar.bytes
  return scan
}
