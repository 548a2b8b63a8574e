import {createHash, type Hash} from 'node:crypto'
import {PassThrough, type Readable, Transform, type TransformCallback} from 'node:stream'
import {createGunzip} from 'node:zlib'

import {DecompressStream} from 'zstd-napi'

export type Compression = 'none' | 'gzip' | 'zstd'

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

/** Tell the compression of a blob from its first bytes. */
export function sniffCompression(head: Uint8Array): Compression {
  if (GZIP_MAGIC.every((byte, index) => head[index] === byte)) return 'gzip'
  if (ZSTD_MAGIC.every((byte, index) => head[index] === byte)) return 'zstd'
  return 'none'
}

/** A pass-through stream that hashes and counts what flows through it. */
export class Digester extends Transform {
  readonly hash: Hash = createHash('sha256')
  bytes = 0

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  /** The hex sha256 of everything that passed; call once, after the stream ended. */
  hex(): string {
    return this.hash.digest('hex')
  }
}

/** Make the decompressing stage for a compression, or a pass-through for none. */
export function decompressor(compression: Compression): Transform {
  if (compression === 'gzip') return createGunzip()
  if (compression === 'zstd') return new DecompressStream() as unknown as Transform
  return new PassThrough()
}

/**
 * Read the first bytes of a stream without consuming them, so the caller can
 * choose a decoder. Returns the head and a stream that still yields every byte.
 */
export async function peek(stream: Readable, count: number): Promise<{head: Buffer; stream: Readable}> {
  const chunks: Buffer[] = []
  let length = 0

  for await (const chunk of stream.iterator({destroyOnReturn: false})) {
    chunks.push(chunk as Buffer)
    length += (chunk as Buffer).length
    if (length >= count) break
  }

  const head = Buffer.concat(chunks)
  const rest = new PassThrough()
  rest.write(head)
  stream.on('error', (error) => rest.destroy(error))
  stream.pipe(rest)
  return {head, stream: rest}
}
