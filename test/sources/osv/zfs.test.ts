import {rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {createGraph} from '../../../src/graph/graph.js'
import {measureOsv} from '../../../src/measure/osv.js'
import {inspectDisk, loadDisk} from '../../../src/sources/osv/index.js'
import {parseNvlist} from '../../../src/sources/osv/zfs.js'
import {run, scratchDir} from './qemu.js'

const LABEL = 256 * 1024
const PARTITION_START = 1024 * 1024
const PARTITION_BYTES = 4 * 1024 * 1024

let dir: string

beforeAll(() => {
  dir = scratchDir('zfs')
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

const padded = (bytes: Buffer): Buffer => Buffer.concat([bytes, Buffer.alloc(-bytes.length % 4 & 3)])

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value)
  return buffer
}

/** Encode one nvpair as the ZFS XDR encoding lays it out: sizes, name, type, count, value. */
function nvpair(name: string, value: string | bigint): Buffer {
  const encodedName = Buffer.concat([u32(name.length), padded(Buffer.from(name))])
  let body: Buffer
  if (typeof value === 'string') {
    body = Buffer.concat([u32(9), u32(1), u32(value.length), padded(Buffer.from(value))])
  } else {
    const number = Buffer.alloc(8)
    number.writeBigUInt64BE(value)
    body = Buffer.concat([u32(8), u32(1), number])
  }

  const size = 8 + encodedName.length + body.length
  return Buffer.concat([u32(size), u32(size), encodedName, body])
}

function nvlist(pairs: Array<[string, string | bigint]>): Buffer {
  return Buffer.concat([Buffer.from([1, 1, 0, 0]), u32(0), u32(1), ...pairs.map(([name, value]) => nvpair(name, value)), Buffer.alloc(8)])
}

/** A partition with four vdev labels, each with a pool configuration and uberblocks of txg 4 to 7. */
function zfsPartition(): Buffer {
  const partition = Buffer.alloc(PARTITION_BYTES)
  const config = nvlist([
    ['version', 5000n],
    ['name', 'osv'],
    ['state', 0n],
    ['txg', 7n],
    ['pool_guid', 1234567890123n],
  ])

  for (const offset of [0, LABEL, PARTITION_BYTES - 2 * LABEL, PARTITION_BYTES - LABEL]) {
    config.copy(partition, offset + 16 * 1024)
    for (let txg = 4; txg <= 7; txg++) {
      const slot = offset + 128 * 1024 + txg * 1024
      partition.writeBigUInt64LE(0x00bab10cn, slot)
      partition.writeBigUInt64LE(5000n, slot + 8)
      partition.writeBigUInt64LE(BigInt(txg), slot + 16)
    }
  }

  return partition
}

/** An OSv-layout disk whose partition 2 is a ZFS pool, converted to qcow2 by qemu-img. */
function zfsDisk(): string {
  const disk = Buffer.alloc(PARTITION_START + PARTITION_BYTES)
  disk[446 + 16 + 4] = 0x83
  disk.writeUInt32LE(PARTITION_START / 512, 446 + 16 + 8)
  disk.writeUInt32LE(PARTITION_BYTES / 512, 446 + 16 + 12)
  disk[510] = 0x55
  disk[511] = 0xaa
  disk.write('/zfs-app.so\0', 512)
  zfsPartition().copy(disk, PARTITION_START)

  const raw = path.join(dir, 'zfs.raw')
  const image = path.join(dir, 'zfs.qcow2')
  writeFileSync(raw, disk)
  run('qemu-img', ['convert', '-O', 'qcow2', raw, image])
  return image
}

describe('ZFS partition', () => {
  test('nvlist pairs decode', () => {
    const pairs = parseNvlist(nvlist([['name', 'tank'], ['version', 28n]]))
    expect(pairs.get('name')).toBe('tank')
    expect(pairs.get('version')).toBe(28n)
  })

  test('detected by labels and uberblocks', async () => {
    const report = await inspectDisk(zfsDisk())
    const fs = report.filesystem

    expect(fs?.type).toBe('zfs')
    expect(fs?.partition).toBe(2)
    expect(fs?.size).toBe(PARTITION_BYTES)
    expect(fs?.zfs?.name).toBe('osv')
    expect(fs?.zfs?.version).toBe(5000)
    expect(fs?.zfs?.poolGuid).toBe('1234567890123')
    expect(fs?.zfs?.labels).toEqual([0, 1, 2, 3])
    expect(fs?.zfs?.uberblocks).toBe(16)
    expect(fs?.zfs?.txg).toBe(7)
  })

  test('contents are null with a reason, never empty', async () => {
    const report = await inspectDisk(zfsDisk())
    expect(report.filesystem?.files).toBeNull()
    expect(report.filesystem?.content).toBeNull()
    expect(report.reasons.mounted).toBe('ZFS contents are not read yet: only the pool labels are')
  })

  test('OSv measure reports mounted as null', async () => {
    const graph = createGraph()
    const [artifact] = await loadDisk(graph, zfsDisk(), {})
    const sizes = measureOsv(graph, artifact)

    expect(sizes.mounted).toBeNull()
    expect(sizes.reasons.mounted).toMatch(/ZFS contents are not read yet/)
    expect(graph.outDegree(`disk:${path.join(dir, 'zfs.qcow2')}`)).toBe(0)
  })

  test('partition without labels is unknown', async () => {
    const disk = Buffer.alloc(PARTITION_START + PARTITION_BYTES)
    disk[446 + 16 + 4] = 0x83
    disk.writeUInt32LE(PARTITION_START / 512, 446 + 16 + 8)
    disk.writeUInt32LE(PARTITION_BYTES / 512, 446 + 16 + 12)
    disk[510] = 0x55
    disk[511] = 0xaa
    const file = path.join(dir, 'blank.img')
    writeFileSync(file, disk)

    const report = await inspectDisk(file)
    expect(report.filesystem?.type).toBe('unknown')
    expect(report.filesystem?.content).toBeNull()
  })
})
