import {BoundedFile, formatError} from './device.js'

/** The qcow2 header fields and header extensions, as QEMU's docs/interop/qcow2.txt defines them. */
export interface Qcow2Header {
  version: 2 | 3
  backingFileOffset: number
  backingFileSize: number
  clusterBits: number
  virtualSize: number
  l1Size: number
  l1TableOffset: number
  refcountTableOffset: number
  refcountTableClusters: number
  snapshotCount: number
  snapshotsOffset: number
  incompatibleFeatures: bigint
  compatibleFeatures: bigint
  autoclearFeatures: bigint
  refcountOrder: number
  headerLength: number
  compressionType: 'zlib' | 'zstd'
  extendedL2: boolean
  /** The backing file format from the header extension, when present. */
  backingFormat: string | null
  /** Names of header extensions found, such as `backing-format` or `bitmaps`. */
  extensions: string[]
}

export const QCOW2_MAGIC = 0x514649fb

const INCOMPATIBLE_DIRTY = 1n
const INCOMPATIBLE_CORRUPT = 2n
const INCOMPATIBLE_EXTERNAL_DATA = 4n
const INCOMPATIBLE_COMPRESSION_TYPE = 8n
const INCOMPATIBLE_EXTENDED_L2 = 16n
const INCOMPATIBLE_KNOWN =
  INCOMPATIBLE_DIRTY | INCOMPATIBLE_CORRUPT | INCOMPATIBLE_EXTERNAL_DATA | INCOMPATIBLE_COMPRESSION_TYPE | INCOMPATIBLE_EXTENDED_L2

const EXTENSION_NAMES = new Map<number, string>([
  [0xe2792aca, 'backing-format'],
  [0x6803f857, 'feature-names'],
  [0x23852875, 'bitmaps'],
  [0x0537be77, 'encryption'],
  [0x44415441, 'external-data-file'],
])

/** Read a big-endian u64 that must fit a JavaScript number (below 2^53). */
export function readOffset(file: string, buffer: Buffer, at: number, table: string, base = 0): number {
  const value = buffer.readBigUInt64BE(at)
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw formatError(file, table, base + at, `value ${value} is larger than any image file`, 'the image is corrupt')
  }

  return Number(value)
}

function checkFeatures(file: string, header: Buffer, version: number): void {
  const cryptMethod = header.readUInt32BE(32)
  if (cryptMethod !== 0) {
    let method = `method ${cryptMethod}`
  if (cryptMethod === 1) method = 'AES'
  if (cryptMethod === 2) method = 'LUKS'
    throw formatError(file, 'header field crypt_method', 32, `the image is encrypted (${method})`, 'decrypt it first: qemu-img convert with --object secret, then -O qcow2')
  }

  if (version < 3) return
  const incompatible = header.readBigUInt64BE(72)
  if (incompatible & INCOMPATIBLE_EXTERNAL_DATA) {
    throw formatError(file, 'header field incompatible_features', 72, 'the guest data is in an external data file (bit 2), which is not supported', 'convert it into one file: qemu-img convert -O qcow2')
  }

  const unknown = incompatible & ~INCOMPATIBLE_KNOWN
  if (unknown !== 0n) {
    throw formatError(file, 'header field incompatible_features', 72, `unknown incompatible feature bits 0x${unknown.toString(16)}`, 'convert the image with the qemu-img that wrote it: qemu-img convert -O qcow2')
  }
}

function checkTable(file: string, fileSize: number, clusterSize: number, field: string, at: number, offset: number, bytes: number): void {
  if (offset % clusterSize !== 0) {
    throw formatError(file, `header field ${field}`, at, `offset ${offset} is not aligned to the cluster size ${clusterSize}`, 'the image is corrupt: run qemu-img check')
  }

  if (offset + bytes > fileSize) {
    throw formatError(file, `header field ${field}`, at, `table at ${offset} (${bytes} bytes) runs past the end of the file (${fileSize} bytes)`, 'the image is truncated or corrupt: run qemu-img check')
  }
}

/** Parse and check the header; throws on anything this reader cannot read safely. */
export async function readQcow2Header(image: BoundedFile): Promise<Qcow2Header> {
  const file = image.path
  const fixed = await image.read(0, Math.min(image.size, 512), 'header')
  if (fixed.length < 72 || fixed.readUInt32BE(0) !== QCOW2_MAGIC) {
    throw formatError(file, 'header field magic', 0, 'not a qcow2 image (the magic is not QFI\\xfb)', 'give a qcow2 or raw image')
  }

  const version = fixed.readUInt32BE(4)
  if (version !== 2 && version !== 3) {
    throw formatError(file, 'header field version', 4, `qcow2 version ${version} is not supported (only 2 and 3)`, 'convert it: qemu-img convert -O qcow2')
  }

  if (version === 3 && fixed.length < 104) throw formatError(file, 'header', 0, 'a version 3 header needs 104 bytes', 'the image is truncated')
  checkFeatures(file, fixed, version)

  const clusterBits = fixed.readUInt32BE(20)
  if (clusterBits < 9 || clusterBits > 21) {
    throw formatError(file, 'header field cluster_bits', 20, `cluster_bits ${clusterBits} is outside 9..21 (512 B to 2 MiB)`, 'the image is corrupt')
  }

  const clusterSize = 2 ** clusterBits
  const incompatibleFeatures = version === 3 ? fixed.readBigUInt64BE(72) : 0n
  const headerLength = version === 3 ? fixed.readUInt32BE(100) : 72
  if (headerLength < (version === 3 ? 104 : 72) || headerLength > clusterSize || headerLength % 8 !== 0) {
    throw formatError(file, 'header field header_length', 100, `header length ${headerLength} is invalid`, 'the image is corrupt')
  }

  const extendedL2 = (incompatibleFeatures & INCOMPATIBLE_EXTENDED_L2) !== 0n
  if (extendedL2 && clusterBits < 14) {
    throw formatError(file, 'header field cluster_bits', 20, 'extended L2 entries need clusters of at least 16 KiB', 'the image is corrupt')
  }

  const compressionByte = headerLength > 104 ? fixed[104] : 0
  if (compressionByte > 1) {
    throw formatError(file, 'header field compression_type', 104, `compression type ${compressionByte} is not supported (0 zlib, 1 zstd)`, 'convert it: qemu-img convert -O qcow2')
  }

  const header: Qcow2Header = {
    version,
    backingFileOffset: readOffset(file, fixed, 8, 'header field backing_file_offset'),
    backingFileSize: fixed.readUInt32BE(16),
    clusterBits,
    virtualSize: readOffset(file, fixed, 24, 'header field size'),
    l1Size: fixed.readUInt32BE(36),
    l1TableOffset: readOffset(file, fixed, 40, 'header field l1_table_offset'),
    refcountTableOffset: readOffset(file, fixed, 48, 'header field refcount_table_offset'),
    refcountTableClusters: fixed.readUInt32BE(56),
    snapshotCount: fixed.readUInt32BE(60),
    snapshotsOffset: readOffset(file, fixed, 64, 'header field snapshots_offset'),
    incompatibleFeatures,
    compatibleFeatures: version === 3 ? fixed.readBigUInt64BE(80) : 0n,
    autoclearFeatures: version === 3 ? fixed.readBigUInt64BE(88) : 0n,
    refcountOrder: version === 3 ? fixed.readUInt32BE(96) : 4,
    headerLength,
    compressionType: compressionByte === 1 ? 'zstd' : 'zlib',
    extendedL2,
    backingFormat: null,
    extensions: [],
  }

  checkLayout(file, image.size, header)
  await readExtensions(image, header)
  return header
}

function checkLayout(file: string, fileSize: number, header: Qcow2Header): void {
  const clusterSize = 2 ** header.clusterBits
  const entriesPerL2 = clusterSize / (header.extendedL2 ? 16 : 8)
  const needed = Math.ceil(header.virtualSize / clusterSize / entriesPerL2)
  if (header.l1Size < needed) {
    throw formatError(file, 'header field l1_size', 36, `${header.l1Size} L1 entries cannot map the virtual size ${header.virtualSize} (${needed} needed)`, 'the image is corrupt')
  }

  if (header.refcountOrder > 6) {
    throw formatError(file, 'header field refcount_order', 96, `refcount order ${header.refcountOrder} is above 6`, 'the image is corrupt')
  }

  checkTable(file, fileSize, clusterSize, 'l1_table_offset', 40, header.l1TableOffset, header.l1Size * 8)
  checkTable(file, fileSize, clusterSize, 'refcount_table_offset', 48, header.refcountTableOffset, header.refcountTableClusters * clusterSize)
  if (header.snapshotCount > 0) {
    checkTable(file, fileSize, clusterSize, 'snapshots_offset', 64, header.snapshotsOffset, 40 * header.snapshotCount)
  }

  if (header.backingFileOffset !== 0) {
    if (header.backingFileSize > 1023 || header.backingFileOffset + header.backingFileSize > Math.min(fileSize, clusterSize)) {
      throw formatError(file, 'header field backing_file_offset', 8, `backing file name (${header.backingFileSize} bytes at ${header.backingFileOffset}) does not fit in the first cluster`, 'the image is corrupt')
    }
  }
}

async function readExtensions(image: BoundedFile, header: Qcow2Header): Promise<void> {
  if (header.version === 2) return
  const clusterSize = 2 ** header.clusterBits
  const end = Math.min(clusterSize, image.size)
  let offset = header.headerLength

  while (offset + 8 <= end) {
    const head = await image.read(offset, 8, 'header extension')
    const type = head.readUInt32BE(0)
    const length = head.readUInt32BE(4)
    if (type === 0) return
    if (offset + 8 + length > end) {
      throw formatError(image.path, 'header extension', offset, `extension 0x${type.toString(16)} of ${length} bytes runs past the first cluster`, 'the image is corrupt')
    }

    const name = EXTENSION_NAMES.get(type) ?? `0x${type.toString(16)}`
    header.extensions.push(name)
    if (name === 'backing-format') header.backingFormat = (await image.read(offset + 8, length, 'backing format extension')).toString('utf8')
    offset += 8 + Math.ceil(length / 8) * 8
  }
}
