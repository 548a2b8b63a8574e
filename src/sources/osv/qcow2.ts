import {realpath} from 'node:fs/promises'
import path from 'node:path'
import zlib from 'node:zlib'

import zstd from 'zstd-napi/binding.js'

import {type BlockDevice, BoundedFile, formatError} from './device.js'
import {QCOW2_MAGIC, type Qcow2Header, readOffset, readQcow2Header} from './qcow2-header.js'

/**
 * One run of guest bytes with the same status, as `qemu-img map --output=json`
 * reports it: `depth` is the index in the backing chain of the image that
 * decided the status (0 for the image itself).
 */
export interface Extent {
  start: number
  length: number
  data: boolean
  zero: boolean
  depth: number
}

/** One internal snapshot from the snapshot table. */
export interface Snapshot {
  id: string
  name: string
  virtualSize: number | null
}

/** The storage of one guest cluster in this image. */
type ClusterMapping =
  | {kind: 'unallocated'}
  | {kind: 'zero'}
  | {kind: 'normal'; host: number; entryOffset: number}
  | {kind: 'compressed'; host: number; bytes: number; entryOffset: number}
  | {kind: 'subclusters'; host: number; allocated: number; zero: number; entryOffset: number}

/** Status of one subcluster-sized run within a cluster, before backing files are asked. */
type RunStatus = 'data' | 'zero' | 'unallocated'

const L2_CACHE_TABLES = 16
const L1_CHUNK_ENTRIES = 8192
const OFFSET_MASK_HIGH = 0x00ffffff

/** A disk image opened for reading: qcow2 (versions 2 and 3) or raw, with its backing chain. */
export interface DiskImage extends BlockDevice {
  readonly format: 'qcow2' | 'raw'
  readonly path: string
  readonly file: BoundedFile
  readonly clusterSize: number | null
  readonly backing: DiskImage | null
  /** The backing file name as the header records it. */
  readonly backingName: string | null
  readonly snapshots: Snapshot[]
  /** Guest status of [start, end) over the whole chain, as `qemu-img map` lists it. */
  extents(start: number, end: number, depth?: number): AsyncGenerator<Extent>
  close(): Promise<void>
}

/** Open a qcow2 or raw image and its backing chain. `chain` lists the real paths already open, to detect loops. */
export async function openImage(file: string, chain: string[] = []): Promise<DiskImage> {
  const real = await realpath(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new Error(`${file}: image not found; check the path`)
    throw error
  })
  if (chain.includes(real)) {
    throw new Error(`${chain[0]}: backing file chain at offset 8: backing-file loop, ${real} is already in the chain (${chain.join(' -> ')}); rebase the image onto a file outside the chain (qemu-img rebase)`)
  }

  const bounded = await BoundedFile.open(file)
  try {
    const head = bounded.size >= 4 ? await bounded.read(0, 4, 'header') : Buffer.alloc(0)
    if (looksLikeQcow2(file, head)) return await Qcow2Image.open(bounded, [...chain, real])
    return new RawImage(bounded)
  } catch (error) {
    await bounded.close()
    throw error
  }
}

/** Decide whether to read a file as qcow2: by its magic, a .qcow2 name, or a first three bytes of "QFI". */
function looksLikeQcow2(file: string, head: Buffer): boolean {
  if (head.length === 4 && head.readUInt32BE(0) === QCOW2_MAGIC) return true
  if (/\.qcow2?$/i.test(file)) return true
  return head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'QFI'
}

/** A raw image: guest bytes are the file's bytes. */
export class RawImage implements DiskImage {
  readonly format = 'raw'
  readonly clusterSize = null
  readonly backing = null
  readonly backingName = null
  readonly snapshots: Snapshot[] = []
  readonly size: number
  readonly path: string

  constructor(readonly file: BoundedFile) {
    this.size = file.size
    this.path = file.path
  }

  async read(offset: number, length: number): Promise<Buffer> {
    return this.file.read(offset, length, 'guest data')
  }

  // NOTE: Node has no SEEK_DATA, so a raw image reports one data extent where
  // qemu-img map would list the holes of a sparse file.
  async *extents(start: number, end: number, depth = 0): AsyncGenerator<Extent> {
    if (end > start) yield {start, length: end - start, data: true, zero: false, depth}
  }

  async close(): Promise<void> {
    await this.file.close()
  }
}

/** A qcow2 image: L1 read in chunks and L2 tables on demand, through small caches. */
export class Qcow2Image implements DiskImage {
  readonly format = 'qcow2'
  readonly clusterSize: number
  readonly size: number
  readonly path: string
  private readonly l2Entries: number
  private readonly entryBytes: number
  private readonly l1Chunks = new Map<number, Buffer>()
  private readonly l2Cache = new Map<number, Buffer>()
  private lastCompressed: {host: number; data: Buffer} | null = null
  private readonly wholeCluster: Record<RunStatus, ReadonlyArray<readonly [number, number, RunStatus]>>

  private constructor(
    readonly file: BoundedFile,
    readonly header: Qcow2Header,
    readonly backing: DiskImage | null,
    readonly backingName: string | null,
    readonly snapshots: Snapshot[],
  ) {
    this.clusterSize = 2 ** header.clusterBits
    this.size = header.virtualSize
    this.path = file.path
    this.entryBytes = header.extendedL2 ? 16 : 8
    this.l2Entries = this.clusterSize / this.entryBytes
    this.wholeCluster = {
      data: [[0, this.clusterSize, 'data']],
      zero: [[0, this.clusterSize, 'zero']],
      unallocated: [[0, this.clusterSize, 'unallocated']],
    }
  }

  static async open(file: BoundedFile, chain: string[]): Promise<Qcow2Image> {
    const header = await readQcow2Header(file)
    const snapshots = await readSnapshots(file, header)
    let backingName: string | null = null
    let backing: DiskImage | null = null

    if (header.backingFileOffset !== 0) {
      backingName = (await file.read(header.backingFileOffset, header.backingFileSize, 'backing file name')).toString('utf8')
      backing = await openBacking(file.path, backingName, header.backingFormat, chain)
    }

    return new Qcow2Image(file, header, backing, backingName, snapshots)
  }

  async close(): Promise<void> {
    await this.file.close()
    await this.backing?.close()
  }

  /** Look up the L2 table offset for one L1 index; 0 means the L2 table is unallocated. */
  private async l2Offset(l1Index: number): Promise<number> {
    if (l1Index >= this.header.l1Size) return 0
    const chunk = Math.floor(l1Index / L1_CHUNK_ENTRIES)
    let entries = this.l1Chunks.get(chunk)
    if (entries === undefined) {
      const first = chunk * L1_CHUNK_ENTRIES
      const count = Math.min(L1_CHUNK_ENTRIES, this.header.l1Size - first)
      entries = await this.file.read(this.header.l1TableOffset + first * 8, count * 8, 'L1 table')
      if (this.l1Chunks.size >= 4) this.l1Chunks.delete(this.l1Chunks.keys().next().value as number)
      this.l1Chunks.set(chunk, entries)
    }

    const at = (l1Index % L1_CHUNK_ENTRIES) * 8
    const entryOffset = this.header.l1TableOffset + l1Index * 8
    const l2 = (entries.readUInt32BE(at) & OFFSET_MASK_HIGH) * 2 ** 32 + ((entries.readUInt32BE(at + 4) & ~0x1ff) >>> 0)
    if (l2 === 0) return 0

    if (l2 % this.clusterSize !== 0) {
      throw formatError(this.path, `L1 table entry ${l1Index}`, entryOffset, `L2 table offset ${l2} is not aligned to the cluster size ${this.clusterSize}`, 'the image is corrupt: run qemu-img check')
    }

    if (l2 + this.clusterSize > this.file.size) {
      throw formatError(this.path, `L1 table entry ${l1Index}`, entryOffset, `L2 table offset ${l2} is past the end of the file (${this.file.size} bytes)`, 'the image is truncated or corrupt: run qemu-img check')
    }

    return l2
  }

  private async l2Table(offset: number): Promise<Buffer> {
    const cached = this.l2Cache.get(offset)
    if (cached !== undefined) {
      this.l2Cache.delete(offset)
      this.l2Cache.set(offset, cached)
      return cached
    }

    const table = await this.file.read(offset, this.clusterSize, 'L2 table')
    if (this.l2Cache.size >= L2_CACHE_TABLES) this.l2Cache.delete(this.l2Cache.keys().next().value as number)
    this.l2Cache.set(offset, table)
    return table
  }

  /** Decode one L2 entry of the table at `tableOffset`. */
  private decodeEntry(table: Buffer, tableOffset: number, index: number): ClusterMapping {
    const at = index * this.entryBytes
    const entryOffset = tableOffset + at
    const high = table.readUInt32BE(at)
    const low = table.readUInt32BE(at + 4)

    if (high & 0x40000000) return this.decodeCompressed(table.readBigUInt64BE(at), entryOffset)

    const host = (high & OFFSET_MASK_HIGH) * 2 ** 32 + ((low & ~0x1ff) >>> 0)
    if (this.header.extendedL2) {
      const allocated = table.readUInt32BE(at + 12)
      const zero = table.readUInt32BE(at + 8)
      if ((allocated & zero) !== 0) {
        throw formatError(this.path, 'L2 table entry', entryOffset, `subclusters 0x${((allocated & zero) >>> 0).toString(16)} are marked both allocated and zero`, 'the image is corrupt: run qemu-img check')
      }

      if (allocated !== 0) this.checkHost(host, this.clusterSize, entryOffset)
      return {kind: 'subclusters', host, allocated, zero, entryOffset}
    }

    if (this.header.version === 3 && low & 1) return {kind: 'zero'}
    if (host === 0) return {kind: 'unallocated'}
    this.checkHost(host, this.clusterSize, entryOffset)
    return {kind: 'normal', host, entryOffset}
  }

  private decodeCompressed(entry: bigint, entryOffset: number): ClusterMapping {
    const offsetBits = BigInt(62 - (this.header.clusterBits - 8))
    const descriptor = entry & ((1n << 62n) - 1n)
    const host = Number(descriptor & ((1n << offsetBits) - 1n))
    const sectors = Number(descriptor >> offsetBits) + 1
    const bytes = sectors * 512 - (host % 512)

    // The final sector may be cut short at the end of the file: qemu-img
    // writes only the compressed bytes, so the bound is the file's last sector.
    if (host >= this.file.size || host + bytes > Math.ceil(this.file.size / 512) * 512) {
      throw formatError(this.path, 'L2 table entry (compressed cluster)', entryOffset, `compressed data at ${host} (${bytes} bytes) runs past the end of the file (${this.file.size} bytes)`, 'the image is truncated or corrupt: run qemu-img check')
    }

    return {kind: 'compressed', host, bytes, entryOffset}
  }

  private checkHost(host: number, length: number, entryOffset: number): void {
    if (host % this.clusterSize !== 0) {
      throw formatError(this.path, 'L2 table entry', entryOffset, `cluster offset ${host} is not aligned to the cluster size ${this.clusterSize}`, 'the image is corrupt: run qemu-img check')
    }

    if (host + length > this.file.size) {
      throw formatError(this.path, 'L2 table entry', entryOffset, `cluster offset ${host} is past the end of the file (${this.file.size} bytes)`, 'the image is truncated or corrupt: run qemu-img check')
    }
  }

  /** Look up how guest cluster `cluster` is stored in this image, without consulting backing files. */
  private async mapping(cluster: number): Promise<ClusterMapping> {
    const l2 = await this.l2Offset(Math.floor(cluster / this.l2Entries))
    if (l2 === 0) return {kind: 'unallocated'}
    return this.decodeEntry(await this.l2Table(l2), l2, cluster % this.l2Entries)
  }

  /** Runs of one status within one cluster mapping, as [offset in cluster, length, status]. */
  private runs(mapping: ClusterMapping): ReadonlyArray<readonly [number, number, RunStatus]> {
    if (mapping.kind === 'unallocated') return this.wholeCluster.unallocated
    if (mapping.kind === 'zero') return this.wholeCluster.zero
    if (mapping.kind !== 'subclusters') return this.wholeCluster.data

    const sub = this.clusterSize / 32
    const runs: Array<[number, number, RunStatus]> = []
    for (let index = 0; index < 32; index++) {
      const status: RunStatus = mapping.allocated & (1 << index) ? 'data' : mapping.zero & (1 << index) ? 'zero' : 'unallocated'
      const last = runs.at(-1)
      if (last !== undefined && last[2] === status) last[1] += sub
      else runs.push([index * sub, sub, status])
    }

    return runs
  }

  async *extents(start: number, end: number, depth = 0): AsyncGenerator<Extent> {
    end = Math.min(end, this.size)
    const span = this.clusterSize * this.l2Entries
    let position = start

    while (position < end) {
      const l1Index = Math.floor(position / span)
      const l2 = await this.l2Offset(l1Index)
      if (l2 === 0) {
        let next = l1Index + 1
        while (next * span < end && (await this.l2Offset(next)) === 0) next += 1
        const stop = Math.min(end, next * span)
        yield* this.unallocated(position, stop, depth)
        position = stop
        continue
      }

      const table = await this.l2Table(l2)
      const stop = Math.min(end, (l1Index + 1) * span)
      yield* this.tableExtents(table, l2, position, stop, depth)
      position = stop
    }
  }

  /**
   * Extents of [start, stop) within one L2 table. Adjacent runs of one
   * status are merged before they are yielded, so a fully allocated or
   * mostly empty table costs a few extents instead of one per cluster.
   */
  private async *tableExtents(table: Buffer, l2: number, start: number, stop: number, depth: number): AsyncGenerator<Extent> {
    let pendingStatus: RunStatus | null = null
    let pendingStart = start
    let pendingEnd = start
    let position = start

    while (position < stop) {
      const cluster = Math.floor(position / this.clusterSize)
      const base = cluster * this.clusterSize
      const mapping = this.decodeEntry(table, l2, cluster % this.l2Entries)
      for (const [offset, length, status] of this.runs(mapping)) {
        const runStart = Math.max(position, base + offset)
        const runEnd = Math.min(stop, base + offset + length)
        if (runEnd <= runStart) continue

        if (status === pendingStatus && pendingEnd === runStart) {
          pendingEnd = runEnd
          continue
        }

        if (pendingStatus !== null) yield* this.statusExtents(pendingStatus, pendingStart, pendingEnd, depth)
        pendingStatus = status
        pendingStart = runStart
        pendingEnd = runEnd
      }

      position = Math.min(stop, base + this.clusterSize)
    }

    if (pendingStatus !== null) yield* this.statusExtents(pendingStatus, pendingStart, pendingEnd, depth)
  }

  private async *statusExtents(status: RunStatus, start: number, end: number, depth: number): AsyncGenerator<Extent> {
    if (status === 'unallocated') yield* this.unallocated(start, end, depth)
    else yield {start, length: end - start, data: status === 'data', zero: status === 'zero', depth}
  }

  /** Extents for a range this image leaves unallocated: the backing file's, or zeros past its end. */
  private async *unallocated(start: number, end: number, depth: number): AsyncGenerator<Extent> {
    const backingEnd = this.backing === null ? start : Math.min(end, this.backing.size)
    if (this.backing !== null && backingEnd > start) yield* this.backing.extents(start, backingEnd, depth + 1)
    const from = Math.max(start, backingEnd)
    if (end > from) yield {start: from, length: end - from, data: false, zero: true, depth}
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset + length > this.size) {
      throw formatError(this.path, 'guest data', offset, `${length} bytes would run past the virtual size ${this.size}`, 'the partition table or filesystem points outside the disk')
    }

    const result = Buffer.alloc(length)
    let done = 0
    while (done < length) {
      const position = offset + done
      const cluster = Math.floor(position / this.clusterSize)
      const within = position % this.clusterSize
      const count = Math.min(length - done, this.clusterSize - within)
      await this.readCluster(cluster, within, count, result, done)
      done += count
    }

    return result
  }

  private async readCluster(cluster: number, within: number, count: number, target: Buffer, at: number): Promise<void> {
    const mapping = await this.mapping(cluster)
    const base = cluster * this.clusterSize

    if (mapping.kind === 'compressed') {
      const data = await this.decompress(mapping)
      data.copy(target, at, within, within + count)
      return
    }

    for (const [offset, length, status] of this.runs(mapping)) {
      const from = Math.max(within, offset)
      const to = Math.min(within + count, offset + length)
      if (to <= from) continue
      const into = at + from - within
      if (status === 'data') {
        const host = (mapping as {host: number}).host
        ;(await this.file.read(host + from, to - from, 'guest data')).copy(target, into)
      } else if (status === 'unallocated' && this.backing !== null && base + from < this.backing.size) {
        const stop = Math.min(base + to, this.backing.size)
        ;(await this.backing.read(base + from, stop - base - from)).copy(target, into)
      }
    }
  }

  private async decompress(mapping: {host: number; bytes: number; entryOffset: number}): Promise<Buffer> {
    if (this.lastCompressed?.host === mapping.host) return this.lastCompressed.data
    const available = Math.min(mapping.bytes, this.file.size - mapping.host)
    const input = await this.file.read(mapping.host, available, 'compressed cluster')
    let data: Buffer

    try {
      data = this.header.compressionType === 'zstd' ? inflateZstd(input, this.clusterSize) : inflateDeflate(input, this.clusterSize)
    } catch (error) {
      throw formatError(this.path, 'L2 table entry (compressed cluster)', mapping.entryOffset, `${this.header.compressionType} data at ${mapping.host} does not decompress (${(error as Error).message})`, 'the image is corrupt: run qemu-img check')
    }

    if (data.length < this.clusterSize) {
      throw formatError(this.path, 'L2 table entry (compressed cluster)', mapping.entryOffset, `data at ${mapping.host} decompresses to ${data.length} bytes, not a ${this.clusterSize}-byte cluster`, 'the image is corrupt: run qemu-img check')
    }

    this.lastCompressed = {host: mapping.host, data}
    return data
  }

  /** Host bytes of compressed clusters, as their L2 entries record them (whole sectors, less the offset into the first). */
  async compressedBytes(): Promise<number> {
    let total = 0
    const span = this.clusterSize * this.l2Entries
    const tables = Math.ceil(this.size / span)

    for (let l1Index = 0; l1Index < tables; l1Index++) {
      const l2 = await this.l2Offset(l1Index)
      if (l2 === 0) continue
      const table = await this.l2Table(l2)
      const clusters = Math.min(this.l2Entries, Math.ceil(this.size / this.clusterSize) - l1Index * this.l2Entries)
      for (let index = 0; index < clusters; index++) {
        if (!(table.readUInt32BE(index * this.entryBytes) & 0x40000000)) continue
        const mapping = this.decodeEntry(table, l2, index)
        if (mapping.kind === 'compressed') total += mapping.bytes
      }
    }

    return total
  }
}

function inflateDeflate(input: Buffer, clusterSize: number): Buffer {
  return zlib.inflateRawSync(input, {finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: clusterSize})
}

function inflateZstd(input: Buffer, clusterSize: number): Buffer {
  const frame = input.subarray(0, zstd.findFrameCompressedSize(input))
  const output = Buffer.alloc(clusterSize)
  const written = new zstd.DCtx().decompress(output, frame)
  return output.subarray(0, written)
}

async function openBacking(image: string, name: string, format: string | null, chain: string[]): Promise<DiskImage> {
  if (/^[a-z][a-z0-9+.-]*:/i.test(name) && !name.startsWith('file:')) {
    throw new Error(`${image}: backing file name at offset ${8}: "${name}" is a protocol or JSON name, which is not supported; rebase onto a local file (qemu-img rebase)`)
  }

  const local = name.replace(/^file:/, '')
  const resolved = path.isAbsolute(local) ? local : path.join(path.dirname(image), local)
  const found = await realpath(resolved).then(
    () => true,
    () => false,
  )
  if (!found) throw new Error(`${image}: backing file name at offset 8: backing file ${resolved} not found; put it beside the image or rebase (qemu-img rebase)`)

  if (format === 'raw') return new RawImage(await BoundedFile.open(resolved))
  return openImage(resolved, chain)
}

async function readSnapshots(file: BoundedFile, header: Qcow2Header): Promise<Snapshot[]> {
  const snapshots: Snapshot[] = []
  let offset = header.snapshotsOffset

  for (let index = 0; index < header.snapshotCount; index++) {
    const table = `snapshot table entry ${index}`
    const fixed = await file.read(offset, 40, table)
    const idLength = fixed.readUInt16BE(12)
    const nameLength = fixed.readUInt16BE(14)
    const extraLength = fixed.readUInt32BE(36)
    const variable = await file.read(offset + 40, extraLength + idLength + nameLength, table)
    const virtualSize = extraLength >= 16 ? readOffset(file.path, variable, 8, table, offset + 40) : null
    const id = variable.toString('utf8', extraLength, extraLength + idLength)
    const name = variable.toString('utf8', extraLength + idLength, extraLength + idLength + nameLength)
    snapshots.push({id, name, virtualSize})
    offset += Math.ceil((40 + extraLength + idLength + nameLength) / 8) * 8
  }

  return snapshots
}

/** Figures of one image, in bytes; `allocated` is null for raw images, with the reason beside it. */
export interface ImageFigures {
  virtual: number
  /** Guest bytes this image stores data for: the sum of `qemu-img map` data extents at depth 0. */
  allocated: number | null
  allocatedReason?: string
  /** Block usage of the image file, equal to `qemu-img info` disk size. */
  stored: number
  /** Host bytes of compressed clusters. */
  compressed: number
  /** Guest bytes that the backing chain provides: data extents at depth 1 and below. */
  fromBacking: number
}

/** Walk the guest map of an image once and total its figures. */
export async function imageFigures(image: DiskImage): Promise<ImageFigures> {
  let allocated = 0
  let fromBacking = 0
  for await (const extent of image.extents(0, image.size)) {
    if (!extent.data) continue
    if (extent.depth === 0) allocated += extent.length
    else fromBacking += extent.length
  }

  const figures: ImageFigures = {
    virtual: image.size,
    allocated,
    stored: image.file.stored,
    compressed: image instanceof Qcow2Image ? await image.compressedBytes() : 0,
    fromBacking,
  }

  if (image.format === 'raw') {
    figures.allocated = null
    figures.allocatedReason = 'raw image: its holes need SEEK_DATA, which Node does not offer; use stored for the bytes it occupies'
  }

  return figures
}
