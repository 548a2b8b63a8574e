import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

/** Run a tool and return its standard output. A missing tool throws, so the test fails. */
export function run(tool: string, args: string[], cwd?: string): string {
  return execFileSync(tool, args, {cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
}

export interface MapEntry {
  start: number
  length: number
  depth: number
  present: boolean
  zero: boolean
  data: boolean
  offset?: number
}

export interface QemuInfo {
  'virtual-size': number
  'actual-size': number
  'cluster-size'?: number
  format: string
  'backing-filename'?: string
  snapshots?: unknown[]
}

export const qemuMap = (file: string): MapEntry[] => JSON.parse(run('qemu-img', ['map', '--output=json', file])) as MapEntry[]
export const qemuInfo = (file: string): QemuInfo => JSON.parse(run('qemu-img', ['info', '--output=json', file])) as QemuInfo

/** Sum of map extents matching a predicate. */
export const sumExtents = (entries: MapEntry[], keep: (entry: MapEntry) => boolean): number =>
  entries.filter(keep).reduce((sum, entry) => sum + entry.length, 0)

/** Merge adjacent extents of the same status, so that two maps compare without regard to host offsets. */
export function normalize(entries: Array<{start: number; length: number; depth: number; zero: boolean; data: boolean}>) {
  const merged: Array<{start: number; length: number; depth: number; zero: boolean; data: boolean}> = []
  for (const {start, length, depth, zero, data} of entries) {
    const last = merged.at(-1)
    if (last && last.depth === depth && last.zero === zero && last.data === data && last.start + last.length === start) last.length += length
    else merged.push({start, length, depth, zero, data})
  }

  return merged
}

export const scratchDir = (name: string): string => mkdtempSync(path.join(tmpdir(), `depgraph-${name}-`))

/** sha256 of a raw conversion of the image, made by qemu-img itself. */
export function qemuRawSha256(file: string, dir: string): string {
  const raw = path.join(dir, `${path.basename(file)}.raw`)
  run('qemu-img', ['convert', '-O', 'raw', file, raw])
  return createHash('sha256').update(readFileSync(raw)).digest('hex')
}
