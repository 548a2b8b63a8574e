import {writeFileSync} from 'node:fs'
import path from 'node:path'

import {run} from './qemu.js'

/** Write a compressible pattern of numbered text lines, so that compressed clusters shrink. */
function patternFile(file: string, bytes: number): void {
  const lines: string[] = []
  let length = 0
  for (let index = 0; length < bytes; index++) {
    const line = `line ${index} of a compressible guest file\n`
    lines.push(line)
    length += line.length
  }

  writeFileSync(file, lines.join('').slice(0, bytes))
}

const create = (dir: string, name: string, options: string, size: string): string => {
  const file = path.join(dir, name)
  run('qemu-img', ['create', '-q', '-f', 'qcow2', ...(options ? ['-o', options] : []), file, size])
  return file
}

const io = (file: string, ...commands: string[]): void => {
  run('qemu-io', [...commands.flatMap((command) => ['-c', command]), file])
}

/**
 * Build every qcow2 variant the reader supports, each written by qemu-img or
 * qemu-io, and return their paths by name.
 */
export function buildVariants(dir: string): Record<string, string> {
  const variants: Record<string, string> = {}
  const source = path.join(dir, 'pattern.raw')
  patternFile(source, 3 * 1024 * 1024 + 12345)

  variants.v3 = create(dir, 'v3.qcow2', '', '16M')
  io(variants.v3, 'write -P 0x11 0 100k', 'write -P 0x22 3M 64k', 'write -z 5M 128k', 'write -P 0x33 5M 4k', 'write -z 0 64k', 'write -P 0x44 15M 1M')

  variants.v2 = create(dir, 'v2.qcow2', 'compat=0.10', '8M')
  io(variants.v2, 'write -P 0x55 0 70k', 'write -z 1M 64k', 'write -P 0x66 7M 1k')

  variants.zlib = path.join(dir, 'zlib.qcow2')
  run('qemu-img', ['convert', '-c', '-O', 'qcow2', source, variants.zlib])

  variants.zstd = path.join(dir, 'zstd.qcow2')
  run('qemu-img', ['convert', '-c', '-O', 'qcow2', '-o', 'compression_type=zstd', source, variants.zstd])

  variants.extendedL2 = create(dir, 'extended-l2.qcow2', 'extended_l2=on', '8M')
  io(variants.extendedL2, 'write -P 0x77 0 2k', 'write -P 0x78 6k 4k', 'write -z 64k 8k', 'write -P 0x79 1M 64k', 'write -z 1M 2k')

  variants.cluster512 = create(dir, 'cluster-512.qcow2', 'cluster_size=512', '4M')
  io(variants.cluster512, 'write -P 0x12 0 3000', 'write -P 0x13 2M 100k', 'write -z 2M 1k')

  variants.cluster2M = create(dir, 'cluster-2m.qcow2', 'cluster_size=2M', '64M')
  io(variants.cluster2M, 'write -P 0x14 0 1k', 'write -P 0x15 33M 3M', 'write -z 40M 2M')

  variants.base = create(dir, 'base.qcow2', '', '8M')
  io(variants.base, 'write -P 0x21 0 1M', 'write -P 0x22 4M 512k')
  variants.middle = path.join(dir, 'middle.qcow2')
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'base.qcow2', '-F', 'qcow2', variants.middle, '12M'])
  io(variants.middle, 'write -P 0x23 512k 1M', 'write -z 4M 64k')
  variants.top = path.join(dir, 'top.qcow2')
  run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'middle.qcow2', '-F', 'qcow2', variants.top, '12M'])
  io(variants.top, 'write -P 0x24 0 64k', 'write -P 0x25 10M 64k')

  variants.snapshot = create(dir, 'snapshot.qcow2', '', '4M')
  io(variants.snapshot, 'write -P 0x31 0 256k')
  run('qemu-img', ['snapshot', '-c', 'first', variants.snapshot])
  io(variants.snapshot, 'write -P 0x32 128k 256k')
  run('qemu-img', ['snapshot', '-c', 'second', variants.snapshot])

  variants.refcount1 = create(dir, 'refcount-1.qcow2', 'refcount_bits=1', '4M')
  io(variants.refcount1, 'write -P 0x41 64k 192k')

  variants.refcount64 = create(dir, 'refcount-64.qcow2', 'refcount_bits=64,lazy_refcounts=on', '4M')
  io(variants.refcount64, 'write -P 0x42 1M 100k')

  variants.bitmap = create(dir, 'bitmap.qcow2', '', '4M')
  run('qemu-img', ['bitmap', '--add', variants.bitmap, 'dirty'])
  io(variants.bitmap, 'write -P 0x43 0 64k')

  variants.zstdExtendedL2 = path.join(dir, 'zstd-extended-l2.qcow2')
  run('qemu-img', ['convert', '-c', '-O', 'qcow2', '-o', 'compression_type=zstd,extended_l2=on,cluster_size=32k', source, variants.zstdExtendedL2])
  io(variants.zstdExtendedL2, 'write -P 0x44 1M 3k', 'write -z 2M 1k')

  variants.raw = path.join(dir, 'disk.img')
  run('qemu-img', ['convert', '-O', 'raw', variants.v3, variants.raw])
  return variants
}
