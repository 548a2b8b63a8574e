import {createHash} from 'node:crypto'
import {mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {readOsvLayout} from '../../../src/sources/osv/layout.js'
import {type DiskImage, openImage} from '../../../src/sources/osv/qcow2.js'
import {apps, buildOsvFixtures, makeImage, osvDir} from './fixtures.js'
import {run, scratchDir} from './qemu.js'

let images: Record<string, string>
let dir: string

beforeAll(() => {
  images = buildOsvFixtures()
  dir = scratchDir('rofs')
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

async function layoutOf(file: string) {
  const image: DiskImage = await openImage(file)
  try {
    return await readOsvLayout(file, image)
  } finally {
    await image.close()
  }
}

/** Regular files of a host tree as guest path → [size, sha256], from find and sha256sum. */
function hostFiles(root: string): Map<string, [number, string]> {
  const files = new Map<string, [number, string]>()
  const listing = run('find', [root, '-type', 'f', '-printf', '%s %P\\n']).trim().split('\n').filter(Boolean)
  for (const line of listing) {
    const [size, relative] = [Number(line.slice(0, line.indexOf(' '))), line.slice(line.indexOf(' ') + 1)]
    const sha256 = run('sha256sum', [path.join(root, relative)]).split(' ')[0]
    files.set(`/${relative}`, [size, sha256])
  }

  return files
}

/** du's apparent-size total over the regular files of a tree. */
function duApparent(root: string): number {
  const output = run('bash', ['-c', 'find "$0" -type f -print0 | du -bc --apparent-size --files0-from=-', root])
  return Number(output.trim().split('\n').at(-1)?.split('\t')[0])
}

describe.each(apps)('OSv image of %s', (app) => {
  test('ROFS files match the files that went in', async () => {
    const layout = await layoutOf(images[app])
    const expected = hostFiles(path.join(osvDir, `${app}.root`))
    const fs = layout.filesystem
    const listed = new Map(fs?.entries?.filter((entry) => entry.type === 'file').map((entry) => [entry.path, [entry.size, entry.sha256]]))

    expect(fs?.type).toBe('rofs')
    expect(fs?.partition).toBe(2)
    expect(listed).toEqual(expected)
    expect(fs?.files).toBe(expected.size)
  })

  test('mounted size matches sum of sizes and du', async () => {
    const layout = await layoutOf(images[app])
    const root = path.join(osvDir, `${app}.root`)
    const sum = [...hostFiles(root).values()].reduce((total, [size]) => total + size, 0)

    expect(layout.filesystem?.content).toBe(sum)
    expect(layout.filesystem?.content).toBe(duApparent(root))
  })

  test('partition table matches sfdisk', async () => {
    const raw = path.join(dir, `${app}.raw`)
    run('qemu-img', ['convert', '-O', 'raw', images[app], raw])
    const table = JSON.parse(run('sfdisk', ['--json', raw])) as {partitiontable: {partitions: Array<{start: number; size: number; type: string}>}}
    const [partition] = table.partitiontable.partitions
    const layout = await layoutOf(images[app])
    rmSync(raw)

    expect(layout.partitions.map((entry) => [entry.number, entry.start, entry.size, entry.type.toString(16)])).toEqual([
      [2, partition.start * 512, partition.size * 512, partition.type],
    ])
  })

  test('kernel region and command line', async () => {
    const layout = await layoutOf(images[app])
    expect(layout.kernel?.offset).toBe(65536)
    expect(layout.kernel?.size).toBe(6 * 1024 * 1024)
    expect(layout.kernel?.cmdline).toMatch(new RegExp(`^/${app} `))
  })
})

describe('ROFS hand-made trees', () => {
  function tree(): string {
    const root = path.join(dir, 'tree')
    rmSync(root, {recursive: true, force: true})
    mkdirSync(path.join(root, 'usr/lib/deep/er'), {recursive: true})
    mkdirSync(path.join(root, 'empty-dir'))
    writeFileSync(path.join(root, 'empty'), '')
    writeFileSync(path.join(root, 'block'), Buffer.alloc(512, 7))
    writeFileSync(path.join(root, 'usr/lib/libx.so.1.2'), Buffer.alloc(70000, 3))
    writeFileSync(path.join(root, 'usr/lib/deep/er/naïve.txt'), 'unicode name\n')
    symlinkSync('libx.so.1.2', path.join(root, 'usr/lib/libx.so.1'))
    symlinkSync('/usr/lib/libx.so.1', path.join(root, 'libx-absolute'))
    symlinkSync('usr/lib/deep', path.join(root, 'deep-dir'))
    symlinkSync('missing', path.join(root, 'dangling'))
    return root
  }

  test('every entry is listed with its type', async () => {
    const root = tree()
    const image = makeImage(root, path.join(dir, 'tree.img'), {rofsOnly: true})
    const layout = await layoutOf(image)
    const entries = layout.filesystem?.entries ?? []
    const listed = entries.map((entry) => `${entry.type[0]} ${entry.path}`).sort()
    const expected = run('find', [root, '-mindepth', '1', '-printf', '%y /%P\\n']).trim().split('\n').map((line) => line.replace(/^l /, 's ').replace(/^d /, 'd ').replace(/^f /, 'f ')).sort()

    expect(listed).toEqual(['d /', ...expected].sort())
  })

  test('file contents hash as on the host', async () => {
    const root = tree()
    const layout = await layoutOf(makeImage(root, path.join(dir, 'tree.img'), {rofsOnly: true}))
    const files = (layout.filesystem?.entries ?? []).filter((entry) => entry.type === 'file')
    for (const file of files) {
      const bytes = readFileSync(path.join(root, file.path))
      expect(file.sha256, file.path).toBe(createHash('sha256').update(bytes).digest('hex'))
      expect(file.size, file.path).toBe(bytes.length)
    }
  })

  test('symlinks resolve inside the filesystem', async () => {
    const layout = await layoutOf(makeImage(tree(), path.join(dir, 'tree.img'), {rofsOnly: true}))
    const links = Object.fromEntries((layout.filesystem?.entries ?? []).filter((entry) => entry.type === 'symlink').map((entry) => [entry.path, [entry.target, entry.resolved]]))
    expect(links).toEqual({
      '/usr/lib/libx.so.1': ['libx.so.1.2', '/usr/lib/libx.so.1.2'],
      '/libx-absolute': ['/usr/lib/libx.so.1', '/usr/lib/libx.so.1.2'],
      '/deep-dir': ['usr/lib/deep', '/usr/lib/deep'],
      '/dangling': ['missing', null],
    })
  })

  test('ROFS on partition 1 is found too', async () => {
    const image = makeImage(tree(), path.join(dir, 'partition-1.img'))
    const bytes = readFileSync(image)
    bytes.copy(bytes, 446, 462, 478)
    bytes.fill(0, 462, 478)
    writeFileSync(image, bytes)

    const layout = await layoutOf(image)
    expect(layout.partitions.map((partition) => partition.number)).toEqual([1])
    expect(layout.filesystem?.type).toBe('rofs')
    expect(layout.filesystem?.partition).toBe(1)
    expect(layout.filesystem?.files).toBe(4)
  })

  test('hard link counts once in content', async () => {
    const root = path.join(dir, 'linked')
    rmSync(root, {recursive: true, force: true})
    mkdirSync(root)
    writeFileSync(path.join(root, 'a'), Buffer.alloc(1000, 1))
    writeFileSync(path.join(root, 'b'), Buffer.alloc(3000, 2))
    const image = makeImage(root, path.join(dir, 'linked.img'), {rofsOnly: true})

    // Point the entry of b at a's inode, as a hard link would; the writer itself never makes one.
    const bytes = readFileSync(image)
    const start = Number(bytes.readBigUInt64LE(24)) * 512
    const aInode = bytes.readBigUInt64LE(start)
    bytes.writeBigUInt64LE(aInode, start + 10 + 1)
    writeFileSync(image, bytes)

    const layout = await layoutOf(image)
    expect(layout.filesystem?.files).toBe(2)
    expect(layout.filesystem?.content).toBe(1000)
  })

  test('content counts regular files only', async () => {
    const layout = await layoutOf(makeImage(tree(), path.join(dir, 'tree.img'), {rofsOnly: true}))
    expect(layout.filesystem?.content).toBe(0 + 512 + 70000 + 'unicode name\n'.length)
    expect(layout.filesystem?.files).toBe(4)
    expect(layout.filesystem?.directories).toBe(6)
    expect(layout.filesystem?.symlinks).toBe(4)
  })
})
