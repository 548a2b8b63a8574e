import {type FileHandle, open} from 'node:fs/promises'

/** Random access to guest bytes: what the partition and filesystem readers read through. */
export interface BlockDevice {
  /** Guest bytes the device presents. */
  readonly size: number
  /** Read `length` guest bytes at `offset`; bytes past `size` are an error. */
  read(offset: number, length: number): Promise<Buffer>
}

/**
 * Builds the one-line error for a structure that cannot be read: the file,
 * the table or field, its offset, what is wrong, and what to do next.
 */
export function formatError(file: string, table: string, offset: number, problem: string, next: string): Error {
  return new Error(`${file}: ${table} at offset ${offset}: ${problem}; ${next}`)
}

/** A file opened for bounded reads: no read goes past the end of the file. */
export class BoundedFile {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly size: number,
    /** Block usage on the host (st_blocks × 512), what `qemu-img info` calls disk size. */
    readonly stored: number,
  ) {}

  static async open(path: string): Promise<BoundedFile> {
    const handle = await open(path, 'r')
    const stats = await handle.stat()
    if (!stats.isFile()) {
      await handle.close()
      throw new Error(`${path}: not a regular file; give the path of a qcow2 or raw disk image`)
    }

    return new BoundedFile(path, handle, stats.size, stats.blocks * 512)
  }

  /** Read exactly `length` bytes at `offset`; `table` names the structure read, for the error. */
  async read(offset: number, length: number, table: string): Promise<Buffer> {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + length > this.size) {
      throw formatError(
        this.path,
        table,
        offset,
        `${length} bytes would run past the end of the file (${this.size} bytes)`,
        'the image is truncated or corrupt: recreate it or restore it from a copy',
      )
    }

    const buffer = Buffer.alloc(length)
    let done = 0
    while (done < length) {
      const {bytesRead} = await this.handle.read(buffer, done, length - done, offset + done)
      if (bytesRead === 0) throw formatError(this.path, table, offset + done, 'unexpected end of file', 'the file shrank while it was read: read it again')
      done += bytesRead
    }

    return buffer
  }

  async close(): Promise<void> {
    await this.handle.close()
  }
}
