import {copyFileSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {imageFigures, openImage} from '../../../src/sources/osv/qcow2.js'
import {qemuInfo, run, scratchDir} from './qemu.js'

let dir: string
let plain: string
let compressed: string

beforeAll(() => {
  dir = scratchDir('qcow2-bad')
  plain = path.join(dir, 'plain.qcow2')
  run('qemu-img', ['create', '-q', '-f', 'qcow2', plain, '4M'])
  run('qemu-io', ['-c', 'write -P 0x41 0 128k', plain])

  const source = path.join(dir, 'text.raw')
  writeFileSync(source, 'compressible text '.repeat(20000))
  compressed = path.join(dir, 'compressed.qcow2')
  run('qemu-img', ['convert', '-c', '-O', 'qcow2', source, compressed])
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

/** Copy `file` and apply `patch` to its bytes; return the copy's path. */
function patched(file: string, name: string, patch: (bytes: Buffer) => void): string {
  const copy = path.join(dir, name)
  copyFileSync(file, copy)
  const bytes = readFileSync(copy)
  patch(bytes)
  writeFileSync(copy, bytes)
  return copy
}

/** Open the image and walk its whole map, so that lazily read tables are checked too. */
async function readAll(file: string): Promise<void> {
  const image = await openImage(file)
  try {
    await imageFigures(image)
    await image.read(0, Math.min(image.size, 256 * 1024))
  } finally {
    await image.close()
  }
}

async function expectError(file: string, pattern: RegExp): Promise<void> {
  const error = await readAll(file).then(
    () => null,
    (caught: unknown) => caught as Error,
  )

  expect(error, 'reading should fail').toBeInstanceOf(Error)
  expect(error?.message).toMatch(pattern)
  expect(error?.message).toContain(file)
  expect(error?.message).not.toContain('\n')
}

const l1Offset = (file: string): number => Number(readFileSync(file).readBigUInt64BE(40))
const l2Offset = (file: string): number => Number(readFileSync(file).readBigUInt64BE(l1Offset(file)) & 0x00fffffffffffe00n)

describe('qcow2 header errors', () => {
  test('wrong magic', async () => {
    const file = patched(plain, 'magic.qcow2', (bytes) => bytes.writeUInt8(0xfc, 3))
    await expectError(file, /header field magic at offset 0: not a qcow2 image/)
  })

  test('unsupported version', async () => {
    const file = patched(plain, 'version.qcow2', (bytes) => bytes.writeUInt32BE(4, 4))
    await expectError(file, /header field version at offset 4: qcow2 version 4 is not supported/)
  })

  test('encrypted image', async () => {
    const file = patched(plain, 'aes.qcow2', (bytes) => bytes.writeUInt32BE(1, 32))
    await expectError(file, /header field crypt_method at offset 32: the image is encrypted \(AES\)/)
  })

  test('external data file bit', async () => {
    const file = patched(plain, 'external.qcow2', (bytes) => bytes.writeBigUInt64BE(4n, 72))
    await expectError(file, /header field incompatible_features at offset 72: the guest data is in an external data file/)
  })

  test('unknown incompatible feature bit', async () => {
    const file = patched(plain, 'unknown-feature.qcow2', (bytes) => bytes.writeBigUInt64BE(1n << 20n, 72))
    await expectError(file, /header field incompatible_features at offset 72: unknown incompatible feature bits 0x100000/)
  })

  test('cluster bits out of range', async () => {
    const file = patched(plain, 'cluster-bits.qcow2', (bytes) => bytes.writeUInt32BE(22, 20))
    await expectError(file, /header field cluster_bits at offset 20: cluster_bits 22 is outside 9..21/)
  })

  test('L1 table past the end', async () => {
    const file = patched(plain, 'l1-end.qcow2', (bytes) => bytes.writeBigUInt64BE(BigInt(1 << 30), 40))
    await expectError(file, /header field l1_table_offset at offset 40: table at 1073741824 \(8 bytes\) runs past the end of the file/)
  })

  test('L1 table misaligned', async () => {
    const file = patched(plain, 'l1-align.qcow2', (bytes) => bytes.writeBigUInt64BE(BigInt(l1Offset(plain) + 8), 40))
    await expectError(file, /header field l1_table_offset at offset 40: offset \d+ is not aligned to the cluster size 65536/)
  })

  test('refcount table past the end', async () => {
    const file = patched(plain, 'refcount-end.qcow2', (bytes) => bytes.writeBigUInt64BE(BigInt(1 << 30), 48))
    await expectError(file, /header field refcount_table_offset at offset 48: table at 1073741824 .* runs past the end of the file/)
  })

  test('refcount table misaligned', async () => {
    const file = patched(plain, 'refcount-align.qcow2', (bytes) => bytes.writeBigUInt64BE(65536n + 512n, 48))
    await expectError(file, /header field refcount_table_offset at offset 48: offset 66048 is not aligned/)
  })

  test('L1 size too small for the virtual size', async () => {
    const file = patched(plain, 'l1-size.qcow2', (bytes) => bytes.writeBigUInt64BE(1n << 40n, 24))
    await expectError(file, /header field l1_size at offset 36: 1 L1 entries cannot map the virtual size 1099511627776/)
  })
})

describe('qcow2 table errors', () => {
  test('L2 table past the end', async () => {
    const at = l1Offset(plain)
    const file = patched(plain, 'l2-end.qcow2', (bytes) => bytes.writeBigUInt64BE((1n << 63n) | (1n << 32n), at))
    await expectError(file, new RegExp(`L1 table entry 0 at offset ${at}: L2 table offset 4294967296 is past the end of the file`))
  })

  test('L2 table misaligned', async () => {
    const at = l1Offset(plain)
    const file = patched(plain, 'l2-align.qcow2', (bytes) => bytes.writeBigUInt64BE(BigInt(l2Offset(plain) + 512), at))
    await expectError(file, new RegExp(`L1 table entry 0 at offset ${at}: L2 table offset \\d+ is not aligned`))
  })

  test('data cluster past the end', async () => {
    const at = l2Offset(plain)
    const file = patched(plain, 'data-end.qcow2', (bytes) => bytes.writeBigUInt64BE((1n << 63n) | (1n << 40n), at))
    await expectError(file, new RegExp(`L2 table entry at offset ${at}: cluster offset 1099511627776 is past the end of the file`))
  })

  test('compressed cluster past the end', async () => {
    const table = l2Offset(compressed)
    const bytes = readFileSync(compressed)
    const entry = bytes.readBigUInt64BE(table)
    expect(entry & (1n << 62n), 'the first cluster is compressed').not.toBe(0n)

    // With 64 KiB clusters the sector count sits in bits 54..61; set them all.
    const file = patched(compressed, 'compressed-end.qcow2', (copy) => copy.writeBigUInt64BE(entry | (0xffn << 54n), table))
    await expectError(file, new RegExp(`L2 table entry \\(compressed cluster\\) at offset ${table}: compressed data at \\d+ \\(\\d+ bytes\\) runs past the end of the file`))
  })

  test('subcluster both allocated and zero', async () => {
    const file = path.join(dir, 'subclusters.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'extended_l2=on', file, '1M'])
    run('qemu-io', ['-c', 'write -P 0x51 0 4k', file])
    const table = l2Offset(file)
    const bytes = readFileSync(file)
    expect(bytes.readUInt32BE(table + 12), 'subclusters 0 and 1 are allocated').toBe(3)

    const copy = patched(file, 'subclusters-bad.qcow2', (patch) => patch.writeUInt32BE(1, table + 8))
    await expectError(copy, new RegExp(`L2 table entry at offset ${table}: subclusters 0x1 are marked both allocated and zero`))
  })

  test('compressed data that does not decompress', async () => {
    const table = l2Offset(compressed)
    const host = Number(readFileSync(compressed).readBigUInt64BE(table) & ((1n << 54n) - 1n))
    const file = patched(compressed, 'compressed-garbage.qcow2', (copy) => copy.fill(0xff, host, host + 64))
    await expectError(file, new RegExp(`L2 table entry \\(compressed cluster\\) at offset ${table}: zlib data at ${host} does not decompress`))
  })
})

describe('qcow2 features written by qemu-img', () => {
  test('AES encryption', async () => {
    const file = path.join(dir, 'aes-real.qcow2')
    run('qemu-img', ['create', '-q', '--object', 'secret,id=key,data=passphrase', '-f', 'qcow2', '-o', 'encrypt.format=aes,encrypt.key-secret=key', file, '1M'])
    await expectError(file, /header field crypt_method at offset 32: the image is encrypted \(AES\)/)
  })

  test('LUKS encryption', async () => {
    const file = path.join(dir, 'luks.qcow2')
    const create = ['create', '-q', '--object', 'secret,id=key,data=passphrase', '-f', 'qcow2', '-o', 'encrypt.format=luks,encrypt.key-secret=key', file, '1M']

    // qemu-img times PBKDF2 with getrusage and fails now and then on a busy
    // machine ("Unable to get accurate CPU usage"), so creation is retried.
    for (let attempt = 1; ; attempt++) {
      try {
        run('qemu-img', create)
        break
      } catch (error) {
        if (attempt === 5) throw error
      }
    }

    await expectError(file, /header field crypt_method at offset 32: the image is encrypted \(LUKS\)/)
  })

  test('external data file', async () => {
    const file = path.join(dir, 'external-data.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', `data_file=${path.join(dir, 'external-data.raw')}`, file, '1M'])
    await expectError(file, /header field incompatible_features at offset 72: the guest data is in an external data file \(bit 2\)/)
  })
})

describe('qcow2 backing errors', () => {
  test('backing-file loop', async () => {
    const first = path.join(dir, 'loop-a.qcow2')
    const second = path.join(dir, 'loop-b.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', first, '1M'])
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'loop-a.qcow2', '-F', 'qcow2', second, '1M'])
    run('qemu-img', ['rebase', '-u', '-b', 'loop-b.qcow2', '-F', 'qcow2', first])
    await expectError(first, /backing file chain at offset 8: backing-file loop, .*loop-a.qcow2 is already in the chain/)
  })

  test('missing backing file', async () => {
    const file = path.join(dir, 'orphan.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'absent.qcow2', '-F', 'qcow2', file, '1M'])
    await expectError(file, /backing file name at offset 8: backing file .*absent.qcow2 not found/)
  })
})

describe('qcow2 large sparse image', () => {
  test('1 TB virtual size reads in bounded memory', async () => {
    const file = path.join(dir, 'sparse-1t.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', file, '1T'])
    run('qemu-io', ['-c', 'write -P 0x5a 1023G 64k', file])

    const before = process.memoryUsage().rss
    const image = await openImage(file)
    const figures = await imageFigures(image)
    const tail = await image.read(2 ** 40 - 1024 ** 3, 4096)
    await image.close()
    const grown = process.memoryUsage().rss - before

    expect(figures.virtual).toBe(qemuInfo(file)['virtual-size'])
    expect(figures.allocated).toBe(65536)
    expect(tail.every((byte) => byte === 0x5a)).toBe(true)
    expect(grown).toBeLessThan(64 * 1024 * 1024)
  })
})
