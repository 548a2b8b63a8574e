import {createHash} from 'node:crypto'
import path from 'node:path/posix'

import {type BlockDevice, formatError} from './device.js'

/**
 * OSv's read-only filesystem (ROFS), as OSv's scripts/gen-rofs-img.py writes
 * it and fs/rofs/rofs.hh declares it. All integers are little-endian.
 *
 * - Block 0: the superblock, eight u64 fields: magic 0xDEADBEAD, version 1,
 *   block size, first block and block count of the structure area, and the
 *   counts of directory entries, symlinks and inodes.
 * - File data, each file starting on a block boundary.
 * - The structure area: directory entries (u64 inode number, u16 name
 *   length, name), then symlinks (u16 length, target), then inodes of 32
 *   bytes (mode, inode number, data offset, count).
 *
 * An inode's data offset and count depend on its type: for a file, the
 * first block and the size in bytes; for a directory, the index of its
 * first directory entry and the number of entries; for a symlink, the
 * index of its target in the symlink table.
 */
export const ROFS_MAGIC = 0xdeadbeadn
const SUPERBLOCK_BYTES = 64
const INODE_BYTES = 32
const S_IFMT = 0o170000
const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const MAX_SYMLINK_HOPS = 40
const HASH_CHUNK = 1024 * 1024
// NOTE: an estimate: 256 MiB of structures is some millions of files.
const MAX_STRUCTURE_BYTES = 256 * 1024 * 1024

export interface RofsEntry {
  path: string
  type: 'file' | 'directory' | 'symlink'
  inode: number
  mode: number
  /** File bytes; 0 for directories and symlinks. */
  size: number
  /** sha256 of a file's content, hex. */
  sha256?: string
  /** A symlink's target as stored. */
  target?: string
  /** The path the symlink finally resolves to inside the filesystem, or null when it dangles. */
  resolved?: string | null
}

export interface RofsListing {
  blockSize: number
  entries: RofsEntry[]
}

interface Superblock {
  blockSize: number
  structureFirstBlock: number
  structureBlocks: number
  directoryEntries: number
  symlinks: number
  inodes: number
}

interface Inode {
  mode: number
  number: number
  dataOffset: number
  count: number
  at: number
}

/** Read-only view of one ROFS partition; `base` is its byte offset on the device. */
export class RofsReader {
  private directoryEntries: Array<{name: string; inode: number; at: number}> = []
  private symlinks: string[] = []
  private inodes: Inode[] = []
  private superblock!: Superblock

  constructor(
    private readonly name: string,
    private readonly device: BlockDevice,
    private readonly base: number,
    private readonly size: number,
  ) {}

  private fail(table: string, offset: number, problem: string): Error {
    return formatError(this.name, `ROFS ${table}`, this.base + offset, problem, 'the filesystem is corrupt: rebuild the image')
  }

  private u64(buffer: Buffer, at: number, table: string, offset: number): number {
    const value = buffer.readBigUInt64LE(at)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw this.fail(table, offset + at, `value ${value} is out of range`)
    return Number(value)
  }

  private async readSuperblock(): Promise<void> {
    const block = await this.device.read(this.base, SUPERBLOCK_BYTES)
    if (block.readBigUInt64LE(0) !== ROFS_MAGIC) throw this.fail('superblock', 0, 'magic is not 0xDEADBEAD')
    const version = block.readBigUInt64LE(8)
    if (version !== 1n) throw this.fail('superblock', 8, `version ${version} is not supported (only 1)`)

    const read = (at: number): number => this.u64(block, at, 'superblock', 0)
    const blockSize = read(16)
    if (blockSize < 512 || blockSize > 65536 || (blockSize & (blockSize - 1)) !== 0) {
      throw this.fail('superblock', 16, `block size ${blockSize} is not a power of two from 512 to 65536`)
    }

    this.superblock = {
      blockSize,
      structureFirstBlock: read(24),
      structureBlocks: read(32),
      directoryEntries: read(40),
      symlinks: read(48),
      inodes: read(56),
    }
  }

  /** Read the structure area: directory entries, symlinks and inodes. Memory grows with the number of entries. */
  async open(): Promise<void> {
    await this.readSuperblock()
    const sb = this.superblock
    const start = sb.structureFirstBlock * sb.blockSize
    const length = sb.structureBlocks * sb.blockSize
    if (start < sb.blockSize || start + length > this.size || sb.inodes === 0) {
      throw this.fail('superblock', 24, `structure area of ${sb.structureBlocks} blocks at block ${sb.structureFirstBlock} lies outside the partition (${this.size} bytes)`)
    }

    // Every entry takes at least its fixed part, so counts that cannot fit the
    // area are rejected before anything is allocated for them.
    const minimum = sb.directoryEntries * 10 + sb.symlinks * 2 + sb.inodes * INODE_BYTES
    if (minimum > length) {
      throw this.fail('superblock', 40, `${sb.directoryEntries} directory entries, ${sb.symlinks} symlinks and ${sb.inodes} inodes cannot fit a structure area of ${length} bytes`)
    }

    if (length > MAX_STRUCTURE_BYTES) {
      throw this.fail('superblock', 32, `structure area of ${length} bytes is larger than ${MAX_STRUCTURE_BYTES} bytes, far beyond any file count OSv images reach`)
    }

    const area = await this.device.read(this.base + start, length)
    let at = 0
    const need = (bytes: number, table: string): void => {
      if (at + bytes > area.length) throw this.fail(table, start + at, `${bytes} bytes run past the structure area`)
    }

    for (let index = 0; index < sb.directoryEntries; index++) {
      need(10, `directory entry ${index}`)
      const inode = this.u64(area, at, `directory entry ${index}`, start)
      const nameLength = area.readUInt16LE(at + 8)
      need(10 + nameLength, `directory entry ${index}`)
      this.directoryEntries.push({name: area.toString('utf8', at + 10, at + 10 + nameLength), inode, at: start + at})
      at += 10 + nameLength
    }

    for (let index = 0; index < sb.symlinks; index++) {
      need(2, `symlink ${index}`)
      const targetLength = area.readUInt16LE(at)
      need(2 + targetLength, `symlink ${index}`)
      this.symlinks.push(area.toString('utf8', at + 2, at + 2 + targetLength))
      at += 2 + targetLength
    }

    need(sb.inodes * INODE_BYTES, 'inode table')
    for (let index = 0; index < sb.inodes; index++) {
      const table = `inode ${index + 1}`
      this.inodes.push({
        mode: area.readUInt32LE(at),
        number: this.u64(area, at + 8, table, start),
        dataOffset: this.u64(area, at + 16, table, start),
        count: this.u64(area, at + 24, table, start),
        at: start + at,
      })
      at += INODE_BYTES
    }
  }

  private inode(number: number, table: string, offset: number): Inode {
    if (number < 1 || number > this.inodes.length) {
      throw this.fail(table, offset, `inode ${number} is out of range (1..${this.inodes.length})`)
    }

    return this.inodes[number - 1]
  }

  /** List every file, directory and symlink, depth first from the root; files are hashed as they are listed. */
  async list(): Promise<RofsListing> {
    const entries: RofsEntry[] = []
    const visited = new Set<number>()
    const stack: Array<{path: string; inode: Inode}> = [{path: '/', inode: this.inode(1, 'root inode', this.superblock.structureFirstBlock * this.superblock.blockSize)}]

    while (stack.length > 0) {
      const {path: entryPath, inode} = stack.pop() as {path: string; inode: Inode}
      const entry = await this.describe(entryPath, inode)
      entries.push(entry)
      if (entry.type !== 'directory') continue

      if (visited.has(inode.number)) throw this.fail(`inode ${inode.number}`, inode.at, `directory ${entryPath} is reached twice (a directory loop)`)
      visited.add(inode.number)
      for (const child of this.children(inode).reverse()) {
        stack.push({path: path.join(entryPath, child.name), inode: this.inode(child.inode, `directory entry in ${entryPath}`, child.at)})
      }
    }

    this.resolveSymlinks(entries)
    return {blockSize: this.superblock.blockSize, entries}
  }

  private children(inode: Inode): Array<{name: string; inode: number; at: number}> {
    const end = inode.dataOffset + inode.count
    if (end > this.directoryEntries.length) {
      throw this.fail(`inode ${inode.number}`, inode.at, `directory entries ${inode.dataOffset}..${end - 1} are out of range (${this.directoryEntries.length} entries)`)
    }

    const children = this.directoryEntries.slice(inode.dataOffset, end)
    for (const child of children) {
      if (child.name === '' || child.name === '.' || child.name === '..' || child.name.includes('/')) {
        throw this.fail('directory entry', child.at, `name "${child.name}" is not a valid file name`)
      }
    }

    return children
  }

  private async describe(entryPath: string, inode: Inode): Promise<RofsEntry> {
    const base = {path: entryPath, inode: inode.number, mode: inode.mode}
    const type = inode.mode & S_IFMT
    if (type === S_IFDIR) return {...base, type: 'directory', size: 0}

    if (type === S_IFLNK) {
      if (inode.dataOffset >= this.symlinks.length) {
        throw this.fail(`inode ${inode.number}`, inode.at, `symlink index ${inode.dataOffset} is out of range (${this.symlinks.length} symlinks)`)
      }

      return {...base, type: 'symlink', size: 0, target: this.symlinks[inode.dataOffset]}
    }

    if (type !== S_IFREG) throw this.fail(`inode ${inode.number}`, inode.at, `mode 0o${inode.mode.toString(8)} is not a file, directory or symlink`)
    const start = inode.dataOffset * this.superblock.blockSize
    if (inode.count > 0 && (start < this.superblock.blockSize || start + inode.count > this.size)) {
      throw this.fail(`inode ${inode.number}`, inode.at, `file data of ${inode.count} bytes at block ${inode.dataOffset} lies outside the partition (${this.size} bytes)`)
    }

    return {...base, type: 'file', size: inode.count, sha256: await this.hash(start, inode.count)}
  }

  private async hash(start: number, size: number): Promise<string> {
    const hash = createHash('sha256')
    for (let done = 0; done < size; done += HASH_CHUNK) {
      hash.update(await this.device.read(this.base + start + done, Math.min(HASH_CHUNK, size - done)))
    }

    return hash.digest('hex')
  }

  /** Resolve each symlink to the path it ends at; a chain of more than 40 links is a loop, as on Linux (ELOOP). */
  private resolveSymlinks(entries: RofsEntry[]): void {
    const byPath = new Map(entries.map((entry) => [entry.path, entry]))
    for (const entry of entries) {
      if (entry.type !== 'symlink') continue
      entry.resolved = this.resolve(entry, byPath)
    }
  }

  private resolve(link: RofsEntry, byPath: Map<string, RofsEntry>): string | null {
    let current = link
    for (let hops = 0; hops < MAX_SYMLINK_HOPS; hops++) {
      const target = current.target as string
      const next = path.resolve(path.dirname(current.path), target)
      const found = this.lookup(next, byPath, 0)
      if (found === 'loop') break
      if (found === undefined) return null
      if (found.type !== 'symlink') return found.path
      current = found
    }

    const inode = this.inodes[link.inode - 1]
    throw this.fail(`inode ${link.inode}`, inode.at, `symlink ${link.path} does not resolve after ${MAX_SYMLINK_HOPS} links (a symlink loop)`)
  }

  /** Find a path whose directories may themselves be symlinks, following them as the kernel would. */
  private lookup(target: string, byPath: Map<string, RofsEntry>, depth: number): RofsEntry | undefined | 'loop' {
    if (depth > MAX_SYMLINK_HOPS) return 'loop'
    const direct = byPath.get(target)
    if (direct !== undefined) return direct

    const parts = target.split('/').filter(Boolean)
    let current = '/'
    for (const [index, part] of parts.entries()) {
      const candidate = path.join(current, part)
      const entry = byPath.get(candidate)
      if (entry === undefined) return undefined
      if (entry.type === 'symlink' && index < parts.length - 1) {
        let inner = this.lookup(path.resolve(current, entry.target as string), byPath, depth + 1)
        while (inner !== undefined && inner !== 'loop' && inner.type === 'symlink') {
          depth += 1
          inner = this.lookup(path.resolve(path.dirname(inner.path), inner.target as string), byPath, depth + 1)
        }

        if (inner === 'loop') return inner
        if (inner === undefined || inner.type !== 'directory') return undefined
        current = inner.path
        continue
      }

      current = candidate
    }

    return byPath.get(current)
  }
}

/** True when `block` starts with the ROFS superblock magic. */
export function isRofs(block: Buffer): boolean {
  return block.length >= 8 && block.readBigUInt64LE(0) === ROFS_MAGIC
}

/** Read and list a ROFS partition. */
export async function readRofs(name: string, device: BlockDevice, base: number, size: number): Promise<RofsListing> {
  const reader = new RofsReader(name, device, base, size)
  await reader.open()
  return reader.list()
}
