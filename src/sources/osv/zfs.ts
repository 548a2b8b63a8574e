import type {BlockDevice} from './device.js'

/**
 * Detection of a ZFS pool on a partition from its vdev labels, laid out as
 * vdev_impl.h and uberblock_impl.h define them (VDEV_PHYS_SIZE,
 * VDEV_UBERBLOCK_RING, UBERBLOCK_MAGIC). Four 256 KiB labels sit on each
 * device, two at the start and two at the end. Each label has an XDR nvlist
 * with the pool configuration at 16 KiB and a ring of uberblocks from
 * 128 KiB on. Each uberblock starts with the magic 0x00bab10c in the byte
 * order of the writer, and its txg is the u64 at byte 16.
 */
const LABEL_BYTES = 256 * 1024
const NVLIST_OFFSET = 16 * 1024
const NVLIST_BYTES = 112 * 1024
const UBERBLOCK_RING_OFFSET = 128 * 1024
const UBERBLOCK_SLOT = 1024
const UBERBLOCK_MAGIC = 0x00bab10cn
const NV_ENCODE_XDR = 1
const DATA_TYPE_UINT64 = 8
const DATA_TYPE_STRING = 9

export interface ZfsPool {
  /** Labels (0..3) whose configuration or uberblocks were found. */
  labels: number[]
  uberblocks: number
  /** The highest transaction group among the uberblocks. */
  txg: number | null
  name: string | null
  poolGuid: string | null
  version: number | null
}

/** Offsets of the four labels on a partition of `size` bytes. */
function labelOffsets(size: number): number[] {
  const last = size - (size % LABEL_BYTES)
  return [0, LABEL_BYTES, last - 2 * LABEL_BYTES, last - LABEL_BYTES]
}

/** Top-level pairs of an XDR nvlist that are strings or u64 numbers. */
export function parseNvlist(buffer: Buffer): Map<string, string | bigint> {
  const pairs = new Map<string, string | bigint>()
  if (buffer.length < 12 || buffer[0] !== NV_ENCODE_XDR) return pairs
  let at = 12

  while (at + 8 <= buffer.length) {
    const encodedSize = buffer.readUInt32BE(at)
    if (encodedSize === 0 || at + encodedSize > buffer.length) break
    const nameLength = buffer.readUInt32BE(at + 8)
    const nameEnd = at + 12 + nameLength
    const valueAt = at + 12 + Math.ceil(nameLength / 4) * 4
    if (valueAt + 8 > at + encodedSize) break

    const name = buffer.toString('utf8', at + 12, nameEnd)
    const type = buffer.readUInt32BE(valueAt)
    if (type === DATA_TYPE_UINT64 && valueAt + 16 <= at + encodedSize) pairs.set(name, buffer.readBigUInt64BE(valueAt + 8))
    if (type === DATA_TYPE_STRING && valueAt + 12 <= at + encodedSize) {
      const length = buffer.readUInt32BE(valueAt + 8)
      pairs.set(name, buffer.toString('utf8', valueAt + 12, Math.min(valueAt + 12 + length, at + encodedSize)))
    }

    at += encodedSize
  }

  return pairs
}

/** Count uberblocks of one label's ring and return the highest txg among them. */
function scanUberblocks(ring: Buffer): {count: number; txg: bigint | null} {
  let count = 0
  let txg: bigint | null = null
  for (let at = 0; at + UBERBLOCK_SLOT <= ring.length; at += UBERBLOCK_SLOT) {
    let value: bigint | null = null
    if (ring.readBigUInt64LE(at) === UBERBLOCK_MAGIC) value = ring.readBigUInt64LE(at + 16)
    else if (ring.readBigUInt64BE(at) === UBERBLOCK_MAGIC) value = ring.readBigUInt64BE(at + 16)
    if (value === null) continue

    count += 1
    if (txg === null || value > txg) txg = value
  }

  return {count, txg}
}

/** Look for ZFS labels on the partition at `base`; null when none is there. */
export async function detectZfs(device: BlockDevice, base: number, size: number): Promise<ZfsPool | null> {
  if (size < 4 * LABEL_BYTES) return null
  const pool: ZfsPool = {labels: [], uberblocks: 0, txg: null, name: null, poolGuid: null, version: null}
  let maxTxg: bigint | null = null

  for (const [index, offset] of labelOffsets(size).entries()) {
    const config = parseNvlist(await device.read(base + offset + NVLIST_OFFSET, NVLIST_BYTES))
    const ring = scanUberblocks(await device.read(base + offset + UBERBLOCK_RING_OFFSET, LABEL_BYTES - UBERBLOCK_RING_OFFSET))
    if (config.size === 0 && ring.count === 0) continue

    pool.labels.push(index)
    pool.uberblocks += ring.count
    if (ring.txg !== null && (maxTxg === null || ring.txg > maxTxg)) maxTxg = ring.txg
    const name = config.get('name')
    if (typeof name === 'string') pool.name ??= name
    const guid = config.get('pool_guid')
    if (typeof guid === 'bigint') pool.poolGuid ??= guid.toString()
    const version = config.get('version')
    if (typeof version === 'bigint') pool.version ??= Number(version)
  }

  // A pool needs both a configuration nvlist and at least one uberblock.
  if (pool.labels.length === 0 || pool.uberblocks === 0 || pool.name === null) return null
  pool.txg = maxTxg === null ? null : Number(maxTxg)
  return pool
}
