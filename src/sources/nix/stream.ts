import {createHash, type Hash} from 'node:crypto'
import {createReadStream} from 'node:fs'

/** Maximum length in bytes of a string outside file contents (names, targets, paths) in a NAR or export stream. */
export const MAX_STRING = 64 * 1024

/**
 * Pulls fixed-size pieces out of a byte stream and tracks the offset, so
 * that parsers of Nix's wire format name the byte where input went wrong.
 * Memory stays at one chunk plus the largest string requested.
 */
export class StreamReader {
  offset = 0
  private readonly iterator: AsyncIterator<Buffer>
  private buffer: Buffer = Buffer.alloc(0)
  private position = 0
  private taps: Hash[] = []

  constructor(
    readonly file: string,
    source?: AsyncIterable<Buffer>,
  ) {
    const stream = source ?? (createReadStream(file, {highWaterMark: 1 << 20}) as AsyncIterable<Buffer>)
    this.iterator = stream[Symbol.asyncIterator]()
  }

  /** Feed every byte read from now on into `hash` until `untap`. */
  tap(hash: Hash): void {
    this.taps.push(hash)
  }

  untap(hash: Hash): void {
    this.taps = this.taps.filter((tapped) => tapped !== hash)
  }

  fail(message: string, offset = this.offset): Error {
    return new Error(`${this.file}: offset ${offset}: ${message}`)
  }

  /** True when no byte is left. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill())
  }

  private async fill(): Promise<boolean> {
    while (this.position >= this.buffer.length) {
      const next = await this.iterator.next()
      if (next.done) return false
      this.buffer = next.value
      this.position = 0
    }

    return true
  }

  /** Pass the next `length` bytes to `sink` chunk by chunk; `what` names them if the input ends. */
  async forEachChunk(length: number, what: string, sink: (chunk: Buffer) => void): Promise<void> {
    let left = length
    while (left > 0) {
      if (!(await this.fill())) throw this.fail(`truncated input: expected ${left} more bytes of ${what}; the file was cut short, so dump or export it again`)
      const take = Math.min(left, this.buffer.length - this.position)
      const chunk = this.buffer.subarray(this.position, this.position + take)
      for (const hash of this.taps) hash.update(chunk)
      sink(chunk)
      this.position += take
      this.offset += take
      left -= take
    }
  }

  async bytes(length: number, what: string): Promise<Buffer> {
    const parts: Buffer[] = []
    await this.forEachChunk(length, what, (chunk) => parts.push(chunk))
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  }

  async u64(what: string): Promise<number> {
    const start = this.offset
    const value = (await this.bytes(8, what)).readBigUInt64LE(0)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fail(`${what}: ${value} is out of range`, start)
    return Number(value)
  }

  /** Skip the zero bytes that pad `length` bytes to a multiple of 8, checking they are zero. */
  async padding(length: number, what: string): Promise<void> {
    const size = (8 - (length % 8)) % 8
    if (size === 0) return
    const start = this.offset
    const pad = await this.bytes(size, `padding after ${what}`)
    if (pad.some((byte) => byte !== 0)) throw this.fail(`non-zero padding after ${what}: expected ${size} zero bytes`, start)
  }

  /** Read a length-prefixed, zero-padded byte string of at most MAX_STRING bytes. */
  async stringBytes(what: string): Promise<Buffer> {
    const start = this.offset
    const length = await this.u64(`length of ${what}`)
    if (length > MAX_STRING) throw this.fail(`${what} is ${length} bytes long, expected at most ${MAX_STRING}: the input is corrupt`, start)
    const bytes = Buffer.from(await this.bytes(length, what))
    await this.padding(length, what)
    return bytes
  }

  /** Read a length-prefixed string and decode it as UTF-8. */
  async string(what: string): Promise<string> {
    return (await this.stringBytes(what)).toString('utf8')
  }

  async expect(token: string, context: string): Promise<void> {
    const start = this.offset
    const text = await this.string(`"${token}" ${context}`)
    if (text !== token) throw this.fail(`expected "${token}" ${context}, found ${JSON.stringify(text.slice(0, 64))}`, start)
  }
}

export const sha256 = (): Hash => createHash('sha256')
