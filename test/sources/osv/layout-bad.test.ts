import {mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {readOsvLayout} from '../../../src/sources/osv/layout.js'
import {openImage} from '../../../src/sources/osv/qcow2.js'
import {makeImage} from './fixtures.js'
import {scratchDir} from './qemu.js'

let dir: string
let root: string

beforeAll(() => {
  dir = scratchDir('layout-bad')
  root = path.join(dir, 'root')
  mkdirSync(path.join(root, 'lib'), {recursive: true})
  writeFileSync(path.join(root, 'app'), 'binary bytes\n')
  writeFileSync(path.join(root, 'lib/libz.so.1'), Buffer.alloc(3000, 9))
  symlinkSync('libz.so.1', path.join(root, 'lib/libz.so'))
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

/** Offsets of the ROFS structures in a bare ROFS image, computed from its superblock. */
function structure(file: string) {
  const bytes = readFileSync(file)
  const blockSize = Number(bytes.readBigUInt64LE(16))
  const start = Number(bytes.readBigUInt64LE(24)) * blockSize
  const entryCount = Number(bytes.readBigUInt64LE(40))
  const linkCount = Number(bytes.readBigUInt64LE(48))
  const entries: number[] = []
  let at = start
  for (let index = 0; index < entryCount; index++) {
    entries.push(at)
    at += 10 + bytes.readUInt16LE(at + 8)
  }

  for (let index = 0; index < linkCount; index++) at += 2 + bytes.readUInt16LE(at)
  return {start, entries, inodes: at}
}

function patchFile(source: string, name: string, patch: (bytes: Buffer) => void): string {
  const bytes = readFileSync(source)
  patch(bytes)
  const copy = path.join(dir, name)
  writeFileSync(copy, bytes)
  return copy
}

async function expectError(file: string, pattern: RegExp): Promise<void> {
  const image = await openImage(file)
  const error = await readOsvLayout(file, image).then(
    () => null,
    (caught: unknown) => caught as Error,
  )
  await image.close()

  expect(error, 'reading should fail').toBeInstanceOf(Error)
  expect(error?.message).toMatch(pattern)
  expect(error?.message).toContain(file)
  expect(error?.message).not.toContain('\n')
}

describe('OSv layout errors', () => {
  test('partition past the end of the disk', async () => {
    const disk = makeImage(root, path.join(dir, 'disk.img'))
    const file = patchFile(disk, 'partition-end.img', (bytes) => bytes.writeUInt32LE(0x100000, 462 + 12))
    await expectError(file, /MBR partition table entry 2 at offset 462: partition of 536870912 bytes at \d+ runs past the end of the disk/)
  })

  test('directory entry with inode out of range', async () => {
    const rofs = makeImage(root, path.join(dir, 'rofs.img'), {rofsOnly: true})
    const {entries} = structure(rofs)
    const file = patchFile(rofs, 'entry-inode.img', (bytes) => bytes.writeBigUInt64LE(999n, entries[0]))
    await expectError(file, new RegExp(`ROFS directory entry in /\\S* at offset ${entries[0]}: inode 999 is out of range \\(1..5\\)`))
  })

  test('directory inode with entries out of range', async () => {
    const rofs = makeImage(root, path.join(dir, 'rofs.img'), {rofsOnly: true})
    const {inodes} = structure(rofs)
    const file = patchFile(rofs, 'dir-range.img', (bytes) => bytes.writeBigUInt64LE(50n, inodes + 24))
    await expectError(file, new RegExp(`ROFS inode 1 at offset ${inodes}: directory entries \\d+..\\d+ are out of range \\(4 entries\\)`))
  })

  test('file data outside the partition', async () => {
    const rofs = makeImage(root, path.join(dir, 'rofs.img'), {rofsOnly: true})
    const {inodes} = structure(rofs)
    const bytes = readFileSync(rofs)
    const fileInode = [0, 1, 2, 3, 4].map((index) => inodes + index * 32).find((at) => (bytes.readUInt32LE(at) & 0o170000) === 0o100000) as number
    const file = patchFile(rofs, 'data-range.img', (copy) => copy.writeBigUInt64LE(1n << 30n, fileInode + 16))
    await expectError(file, new RegExp(`ROFS inode \\d at offset ${fileInode}: file data of \\d+ bytes at block 1073741824 lies outside the partition`))
  })

  test('structure area outside the partition', async () => {
    const rofs = makeImage(root, path.join(dir, 'rofs.img'), {rofsOnly: true})
    const file = patchFile(rofs, 'structure.img', (bytes) => bytes.writeBigUInt64LE(1n << 20n, 24))
    await expectError(file, /ROFS superblock at offset 24: structure area of \d+ blocks at block 1048576 lies outside the partition/)
  })

  test('counts that cannot fit the structure area', async () => {
    const rofs = makeImage(root, path.join(dir, 'rofs.img'), {rofsOnly: true})
    const file = patchFile(rofs, 'inode-count.img', (bytes) => bytes.writeBigUInt64LE(1n << 40n, 56))
    await expectError(file, /ROFS superblock at offset 40: 4 directory entries, 1 symlinks and 1099511627776 inodes cannot fit a structure area of \d+ bytes/)
  })

  test('unsupported ROFS version', async () => {
    const rofs = makeImage(root, path.join(dir, 'rofs.img'), {rofsOnly: true})
    const file = patchFile(rofs, 'version.img', (bytes) => bytes.writeBigUInt64LE(2n, 8))
    await expectError(file, /ROFS superblock at offset 8: version 2 is not supported/)
  })

  test('symlink loop', async () => {
    const loop = path.join(dir, 'loop')
    mkdirSync(loop)
    symlinkSync('second', path.join(loop, 'first'))
    symlinkSync('first', path.join(loop, 'second'))
    const file = makeImage(loop, path.join(dir, 'loop.img'), {rofsOnly: true})
    await expectError(file, /ROFS inode \d at offset \d+: symlink \/first does not resolve after 40 links \(a symlink loop\)/)
  })

  test('directory symlink loop', async () => {
    const loop = path.join(dir, 'dir-loop')
    mkdirSync(loop)
    symlinkSync('d/x', path.join(loop, 'd'))
    const file = makeImage(loop, path.join(dir, 'dir-loop.img'), {rofsOnly: true})
    await expectError(file, /symlink \/d does not resolve after 40 links \(a symlink loop\)/)
  })
})
