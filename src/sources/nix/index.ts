/**
 * The Nix source: reads a closure from any form a Nix user has one in and
 * adds it to the graph as an artifact with `root` edges to its root store
 * paths. The form is detected from the reference and the file's content.
 */
import {open, stat} from 'node:fs/promises'
import {basename, join} from 'node:path'

import type {HostLoader, LoadOptions, Loader} from '../index.js'
import type {DepGraph} from '../../graph/graph.js'
import {addClosure, type ClosureInput, deployOnHost, type PathInfo, type StoreFile} from './closure.js'
import {readRegistration, readStorePaths} from './closureinfo.js'
import {StoreDatabase} from './database.js'
import {readExport} from './export.js'
import {readLiveClosure, readStoreFiles, resolveStorePath} from './live.js'
import {NAR_HEADER, readNarFile} from './nar.js'
import {parsePathInfo} from './pathinfo.js'

export type NixForm = 'live' | 'path-info' | 'export' | 'nar' | 'database' | 'closure-info' | 'registration' | 'store-paths'

const FORMS =
  'a store path or profile link, a nix path-info --json file, a nix-store --export stream, a NAR, ' +
  'db:PATH[:STOREPATH], a closureInfo directory, or a registration or store-paths file'

/**
 * Decide which form `ref` is in, from its prefix and content. A path in the
 * Nix store is read as a live store path unless its content is a known form
 * (a closureInfo output or a path-info JSON file built into the store).
 */
export async function detectForm(ref: string): Promise<NixForm> {
  if (ref.startsWith('db:')) return 'database'

  const info = await stat(ref).catch(() => {
    throw new Error(`${ref}: not found: give ${FORMS}`)
  })
  const inStore = (await resolveStorePath(ref)) !== undefined
  if (info.isDirectory()) {
    if ((await stat(join(ref, 'registration')).catch(() => undefined))?.isFile()) return 'closure-info'
    if (inStore) return 'live'
    throw new Error(`${ref}: a directory without a registration file: give ${FORMS}`)
  }

  const form = await detectFileForm(ref)
  if (form !== undefined) return form
  if (inStore) return 'live'
  const head = await readHead(ref, 16)
  throw new Error(`${ref}: unknown input (first bytes ${head.toString('hex')}): give ${FORMS}`)
}

async function detectFileForm(ref: string): Promise<NixForm | undefined> {
  const head = await readHead(ref, 1024)
  if (head.length >= NAR_HEADER.length && head.subarray(0, NAR_HEADER.length).equals(NAR_HEADER)) return 'nar'
  if (head.length >= 8 && head.readBigUInt64LE(0) === 1n && head.subarray(8, 8 + NAR_HEADER.length).equals(NAR_HEADER)) return 'export'
  if (head.length === 8 && head.readBigUInt64LE(0) === 0n) return 'export'

  const text = head.toString('latin1').trimStart()
  if (text.startsWith('[') || text.startsWith('{')) return 'path-info'
  // A registration's second line is a hash; in a store-paths file every line is a path.
  if (text.startsWith('/')) return /^\/[^\n]*\n[^/\n]/.test(text) ? 'registration' : 'store-paths'
  return undefined
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(length)
    const {bytesRead} = await handle.read(buffer, 0, length, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

/** Read `ref` in whatever form it is into the store paths, and files where the form has them. */
export async function readClosure(ref: string, options: LoadOptions = {}): Promise<Omit<ClosureInput, 'hostOnly'>> {
  const form = await detectForm(ref)
  switch (form) {
    case 'path-info':
      return {source: ref, name: options.name, infos: parsePathInfo(await readText(ref), ref).infos}
    case 'export':
      return withFiles(ref, options, await readExport(ref))
    case 'nar':
      return readNarInput(ref, options)
    case 'database':
      return readDatabase(ref, options)
    case 'closure-info':
      return {source: ref, name: options.name, infos: await readRegistration(join(ref, 'registration'))}
    case 'registration':
      return {source: ref, name: options.name, infos: await readRegistration(ref)}
    case 'store-paths':
      return readFromStore(ref, options, await readStorePaths(ref))
    case 'live':
      return readLive(ref, options)
  }
}

async function readText(file: string): Promise<string> {
  const {readFile} = await import('node:fs/promises')
  return readFile(file, 'utf8')
}

function withFiles(ref: string, options: LoadOptions, paths: Array<PathInfo & {files: StoreFile[]}>): Omit<ClosureInput, 'hostOnly'> {
  const files = new Map(paths.map((path) => [path.path, path.files]))
  const infos = paths.map(({files: _files, ...info}) => info)
  return {source: ref, name: options.name, infos, files}
}

/** Read a NAR alone. It has no store path, so name it after the file (or options.name), with no references. */
async function readNarInput(ref: string, options: LoadOptions): Promise<Omit<ClosureInput, 'hostOnly'>> {
  const nar = await readNarFile(ref)
  const name = options.name ?? basename(ref).replace(/\.nar$/, '')
  const info = {path: name, narSize: nar.narSize, narHash: `sha256:${nar.narHash}`, references: [], deriver: null}
  return {source: ref, name, infos: [info], files: new Map([[name, nar.files]])}
}

/** `db:FILE` reads every valid path; `db:FILE:STOREPATH` the closure of one path. */
function readDatabase(ref: string, options: LoadOptions): Omit<ClosureInput, 'hostOnly'> {
  const spec = ref.slice('db:'.length)
  const split = spec.indexOf(':/')
  const file = split === -1 ? spec : spec.slice(0, split)
  const root = split === -1 ? undefined : spec.slice(split + 1)
  const store = new StoreDatabase(file)
  try {
    return {source: ref, name: options.name, infos: root === undefined ? store.all() : store.closure([root])}
  } finally {
    store.close()
  }
}

async function readFromStore(ref: string, options: LoadOptions, paths: string[]): Promise<Omit<ClosureInput, 'hostOnly'>> {
  const infos: PathInfo[] = []
  const wanted = new Set(paths)
  for (const path of paths) {
    if (infos.some((info) => info.path === path)) continue
    for (const info of await readLiveClosure(path, ref)) if (wanted.has(info.path) && !infos.some((known) => known.path === info.path)) infos.push(info)
  }

  return {source: ref, name: options.name, infos}
}

async function readLive(ref: string, options: LoadOptions): Promise<Omit<ClosureInput, 'hostOnly'>> {
  const root = (await resolveStorePath(ref)) as string
  const infos = await readLiveClosure(root, ref)
  const files = new Map<string, StoreFile[]>()
  const seenInodes = new Set<string>()
  for (const info of infos) {
    const listing = await readStoreFiles(info.path, seenInodes)
    files.set(info.path, listing.files)
    info.disk = listing.disk
  }

  return {source: ref, name: options.name, infos, files}
}

export const loadNix: Loader = async (graph: DepGraph, ref: string, options: LoadOptions) => {
  return [addClosure(graph, await readClosure(ref, options))]
}

export const loadNixHost: HostLoader = async (graph: DepGraph, ref: string, host: string) => {
  const artifact = addClosure(graph, {...(await readClosure(ref)), hostOnly: true})
  deployOnHost(graph, artifact, host, ref)
}
