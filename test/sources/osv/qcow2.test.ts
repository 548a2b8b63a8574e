import {createHash} from 'node:crypto'
import {rmSync} from 'node:fs'

import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {type DiskImage, imageFigures, openImage, type Qcow2Image} from '../../../src/sources/osv/qcow2.js'
import {normalize, qemuInfo, qemuMap, qemuRawSha256, scratchDir, sumExtents} from './qemu.js'
import {buildVariants} from './variants.js'

let dir: string
let variants: Record<string, string>

beforeAll(() => {
  dir = scratchDir('qcow2')
  variants = buildVariants(dir)
})

async function withImage<T>(file: string, use: (image: DiskImage) => Promise<T>): Promise<T> {
  const image = await openImage(file)
  try {
    return await use(image)
  } finally {
    await image.close()
  }
}

async function guestSha256(image: DiskImage): Promise<string> {
  const hash = createHash('sha256')
  const chunk = 1024 * 1024 + 4096
  for (let offset = 0; offset < image.size; offset += chunk) {
    hash.update(await image.read(offset, Math.min(chunk, image.size - offset)))
  }

  return hash.digest('hex')
}

const qcow2Names = ['v3', 'v2', 'zlib', 'zstd', 'extendedL2', 'cluster512', 'cluster2M', 'base', 'middle', 'top', 'snapshot', 'refcount1', 'refcount64', 'bitmap', 'zstdExtendedL2']

describe.each(qcow2Names)('qcow2 variant %s', (name) => {
  test('figures match qemu-img info and map', async () => {
    const file = variants[name]
    const info = qemuInfo(file)
    const map = qemuMap(file)
    const figures = await withImage(file, imageFigures)

    expect(figures.virtual).toBe(info['virtual-size'])
    expect(figures.stored).toBe(info['actual-size'])
    expect(figures.allocated).toBe(sumExtents(map, (entry) => entry.data && entry.depth === 0))
    expect(figures.fromBacking).toBe(sumExtents(map, (entry) => entry.data && entry.depth > 0))
  })

  test('extents match qemu-img map', async () => {
    const file = variants[name]
    const ours = await withImage(file, async (image) => {
      const extents = []
      for await (const extent of image.extents(0, image.size)) extents.push(extent)
      return extents
    })

    expect(normalize(ours)).toEqual(normalize(qemuMap(file)))
  })

  test('guest bytes match qemu-img convert', async () => {
    const file = variants[name]
    const ours = await withImage(file, guestSha256)
    expect(ours).toBe(qemuRawSha256(file, dir))
  })
})

describe('qcow2 details', () => {
  test('cluster sizes match qemu-img info', async () => {
    for (const name of qcow2Names) {
      const clusterSize = await withImage(variants[name], async (image) => image.clusterSize)
      expect(clusterSize, name).toBe(qemuInfo(variants[name])['cluster-size'])
    }
  })

  test('compressed variants report compressed bytes', async () => {
    for (const name of ['zlib', 'zstd', 'zstdExtendedL2']) {
      const figures = await withImage(variants[name], imageFigures)
      expect(figures.compressed, name).toBeGreaterThan(0)
      expect(figures.compressed, name).toBeLessThan(figures.allocated ?? 0)
    }
  })

  test('header extensions are listed', async () => {
    const extensions = await withImage(variants.bitmap, async (image) => (image as Qcow2Image).header.extensions)
    expect(extensions).toEqual(['feature-names', 'bitmaps'])
  })

  test('uncompressed variant reports no compressed bytes', async () => {
    const figures = await withImage(variants.v3, imageFigures)
    expect(figures.compressed).toBe(0)
  })

  test('snapshots are counted and named', async () => {
    const snapshots = await withImage(variants.snapshot, async (image) => image.snapshots)
    expect(snapshots.map((snapshot) => snapshot.name)).toEqual(['first', 'second'])
    expect(snapshots.length).toBe((qemuInfo(variants.snapshot).snapshots ?? []).length)
  })

  test('backing chain resolves relative to the image', async () => {
    const chain = await withImage(variants.top, async (image) => [image.backingName, image.backing?.backingName, image.backing?.backing?.backing])
    expect(chain).toEqual(['middle.qcow2', 'base.qcow2', null])
  })

  test('raw image reads as its file', async () => {
    const figures = await withImage(variants.raw, imageFigures)
    expect(figures.virtual).toBe(qemuInfo(variants.raw)['virtual-size'])
    expect(figures.stored).toBe(qemuInfo(variants.raw)['actual-size'])
    expect(figures.allocated).toBeNull()
    expect(await withImage(variants.raw, guestSha256)).toBe(qemuRawSha256(variants.v3, dir))
  })
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})
