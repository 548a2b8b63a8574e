import {type BlockDevice, formatError} from './device.js'

/** One used entry of an MBR partition table. */
export interface Partition {
  /** 1-based entry number, as fdisk names partitions. */
  number: number
  /** The partition type byte, such as 0x83 for Linux. */
  type: number
  bootable: boolean
  /** Byte offset of the first sector on the disk. */
  start: number
  /** Bytes in the partition. */
  size: number
}

export const SECTOR_SIZE = 512
const TABLE_OFFSET = 446

/** True when the first sector ends with the 0x55 0xAA boot signature. */
export function hasBootSignature(sector: Buffer): boolean {
  return sector.length >= SECTOR_SIZE && sector[510] === 0x55 && sector[511] === 0xaa
}

/**
 * Read the four primary entries of an MBR partition table from the first
 * sector; `name` is the image path for errors. Partitions that run past the
 * end of the disk are rejected.
 */
export function parsePartitions(name: string, sector: Buffer, diskSize: number): Partition[] {
  const partitions: Partition[] = []

  for (let index = 0; index < 4; index++) {
    const at = TABLE_OFFSET + index * 16
    const type = sector[at + 4]
    const firstSector = sector.readUInt32LE(at + 8)
    const sectors = sector.readUInt32LE(at + 12)
    if (type === 0 || sectors === 0) continue

    const start = firstSector * SECTOR_SIZE
    const size = sectors * SECTOR_SIZE
    if (start + size > diskSize) {
      throw formatError(name, `MBR partition table entry ${index + 1}`, at, `partition of ${size} bytes at ${start} runs past the end of the disk (${diskSize} bytes)`, 'the partition table is corrupt: fix it with fdisk or rebuild the image')
    }

    partitions.push({number: index + 1, type, bootable: sector[at] === 0x80, start, size})
  }

  return partitions
}

/** Read the partitions of a disk, or an empty list when the first sector has no boot signature. */
export async function readPartitions(name: string, device: BlockDevice): Promise<Partition[]> {
  if (device.size < SECTOR_SIZE) return []
  const sector = await device.read(0, SECTOR_SIZE)
  return hasBootSignature(sector) ? parsePartitions(name, sector, device.size) : []
}
