import type {BlockDevice} from './device.js'
import {type Partition, readPartitions, SECTOR_SIZE} from './mbr.js'
import {isRofs, readRofs, type RofsEntry} from './rofs.js'
import {detectZfs, type ZfsPool} from './zfs.js'

/**
 * OSv's disk layout, as OSv's build writes it. The boot sector carries the
 * MBR, and the kernel command line follows as a C string at byte 512. The
 * compressed kernel starts at 64 KiB, and a u16 at byte 0x10 of the boot
 * sector records its size in 32 KiB blocks. The filesystem is MBR partition 2.
 */
export const CMDLINE_OFFSET = 512
export const KERNEL_OFFSET = 64 * 1024
const KERNEL_BLOCK = 32 * 1024
const KERNEL_SIZE_FIELD = 0x10
const FILESYSTEM_PARTITION = 2

export interface KernelRegion {
  offset: number
  /** Bytes the boot sector records for the kernel. */
  size: number
  cmdline: string
}

export interface Filesystem {
  type: 'rofs' | 'zfs' | 'unknown'
  /** Partition number it was found on, or null for a disk without a partition table. */
  partition: number | null
  /** Bytes of the partition, or of the whole disk when it has no partition table. */
  size: number
  /** Regular files, or null when the contents could not be read. */
  files: number | null
  /** Regular-file bytes (the mounted size), or null with a reason. */
  content: number | null
  reason?: string
  directories?: number
  symlinks?: number
  /** Bytes of the filesystem blocks that file data occupies. */
  dataBlocks?: number
  entries?: RofsEntry[]
  zfs?: ZfsPool
}

export interface OsvLayout {
  partitions: Partition[]
  kernel: KernelRegion | null
  filesystem: Filesystem | null
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0)
  return buffer.toString('utf8', 0, end === -1 ? buffer.length : end)
}

async function readKernelRegion(device: BlockDevice): Promise<KernelRegion> {
  const boot = await device.read(0, SECTOR_SIZE)
  const end = Math.min(device.size, KERNEL_OFFSET)
  const cmdline = cString(await device.read(CMDLINE_OFFSET, end - CMDLINE_OFFSET))
  return {offset: KERNEL_OFFSET, size: boot.readUInt16LE(KERNEL_SIZE_FIELD) * KERNEL_BLOCK, cmdline}
}

/** Sum file sizes, each inode once, as du counts hard links. */
function uniqueInodeBytes(files: RofsEntry[]): number {
  const sizes = new Map(files.map((file) => [file.inode, file.size]))
  let total = 0
  for (const size of sizes.values()) total += size
  return total
}

/** Identify and read the filesystem at [base, base + size). */
export async function readFilesystem(name: string, device: BlockDevice, base: number, size: number, partition: number | null): Promise<Filesystem> {
  const head = await device.read(base, Math.min(size, SECTOR_SIZE))

  if (isRofs(head)) {
    const listing = await readRofs(name, device, base, size)
    const files = listing.entries.filter((entry) => entry.type === 'file')
    return {
      type: 'rofs',
      partition,
      size,
      files: files.length,
      content: uniqueInodeBytes(files),
      directories: listing.entries.filter((entry) => entry.type === 'directory').length,
      symlinks: listing.entries.filter((entry) => entry.type === 'symlink').length,
      dataBlocks: files.reduce((sum, file) => sum + Math.ceil(file.size / listing.blockSize) * listing.blockSize, 0),
      entries: listing.entries,
    }
  }

  const zfs = await detectZfs(device, base, size)
  if (zfs !== null) {
    // TODO: read ZFS datasets (the MOS, DSL and ZPL objects) to list files.
    return {type: 'zfs', partition, size, files: null, content: null, reason: 'ZFS contents are not read yet: only the pool labels are', zfs}
  }

  return {type: 'unknown', partition, size, files: null, content: null, reason: 'no ROFS superblock or ZFS label found on the partition'}
}

/** Read the partition table, the kernel region and the filesystem of an OSv disk. */
export async function readOsvLayout(name: string, device: BlockDevice): Promise<OsvLayout> {
  const partitions = await readPartitions(name, device)
  if (partitions.length === 0) {
    // A bare filesystem image, such as OSv's usr.rofs before it is joined to the loader.
    const head = device.size >= SECTOR_SIZE ? await device.read(0, SECTOR_SIZE) : Buffer.alloc(0)
    const bare = isRofs(head) || (await detectZfs(device, 0, device.size)) !== null
    return {partitions, kernel: null, filesystem: bare ? await readFilesystem(name, device, 0, device.size, null) : null}
  }

  const kernel = device.size >= KERNEL_OFFSET ? await readKernelRegion(device) : null
  const target = partitions.find((partition) => partition.number === FILESYSTEM_PARTITION)
  if (target !== undefined) return {partitions, kernel, filesystem: await readFilesystem(name, device, target.start, target.size, target.number)}

  // Not OSv's layout: take the first partition that contains ROFS or ZFS.
  for (const partition of partitions) {
    const filesystem = await readFilesystem(name, device, partition.start, partition.size, partition.number)
    if (filesystem.type !== 'unknown') return {partitions, kernel, filesystem}
  }

  return {partitions, kernel, filesystem: null}
}
