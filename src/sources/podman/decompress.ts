import {createHash, type Hash} from 'node:crypto'
import {PassThrough, Transform, type TransformCallback} from 'node:stream'
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
  /** Off when another hash already covers the same bytes; the stream then only counts. */
  hashing = true

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.hashing) this.hash.update(chunk)
    this.bytes += chunk.length
    callback(null, chunk)
  }

  /** Return the hex sha256 of everything that passed. Call it once, after the stream ended. */
  hex(): string {
    return this.hash.digest('hex')
  }
}

/** Make the decompressing stage for a compression, or a pass-through for none. */
export function decompressor(compression: Compression): Transform {
  // Large output chunks cut the round trips to zlib's worker thread per megabyte.
  if (compression === 'gzip') return createGunzip({chunkSize: 1024 * 1024})
  if (compression === 'zstd') return new DecompressStream() as unknown as Transform
  return new PassThrough()
}
