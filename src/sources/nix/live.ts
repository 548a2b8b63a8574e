/**
 * The live Nix store: a store path, a file inside one, or a link to one such
 * as a profile (`/run/current-system`). The closure comes from the store's
 * database when it is readable, else from `nix path-info`; the files of each
 * path are read from disk and hashed.
 */
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {createReadStream, existsSync} from 'node:fs'
import {lstat, readdir, readFile, realpath} from 'node:fs/promises'
import {join} from 'node:path'
import {promisify} from 'node:util'

import type {PathInfo, StoreFile} from './closure.js'
import {StoreDatabase} from './database.js'
import {parsePathInfo} from './pathinfo.js'

export const storeDir = (): string => process.env.NIX_STORE_DIR ?? '/nix/store'
/** The store database: DEPGRAPH_NIX_DATABASE, else db/db.sqlite under NIX_STATE_DIR (default /nix/var/nix). */
export const databaseFile = (): string =>
  process.env.DEPGRAPH_NIX_DATABASE ?? join(process.env.NIX_STATE_DIR ?? '/nix/var/nix', 'db', 'db.sqlite')

/** Return the top-level store path that `ref` is or leads to, or undefined when it leads outside the store. */
export async function resolveStorePath(ref: string): Promise<string | undefined> {
  let target: string
  try {
    target = await realpath(ref)
  } catch {
    return undefined
  }

  const prefix = `${storeDir()}/`
  if (!target.startsWith(prefix)) return undefined
  const name = target.slice(prefix.length).split('/')[0]
  return name === '' ? undefined : prefix + name
}

/** Read the closure of a live store path, through the database or `nix path-info`. */
export async function readLiveClosure(path: string, ref: string): Promise<PathInfo[]> {
  const database = databaseFile()
  if (existsSync(database)) {
    const store = new StoreDatabase(database)
    try {
      return store.closure([path])
    } finally {
      store.close()
    }
  }

  return pathInfoFromNix(path, ref)
}

async function pathInfoFromNix(path: string, ref: string): Promise<PathInfo[]> {
  const args = ['path-info', '--json', '--recursive', '--option', 'substituters', '', '--extra-experimental-features', 'nix-command', path]
  try {
    const {stdout} = await promisify(execFile)('nix', args, {maxBuffer: 1 << 30})
    return parsePathInfo(stdout, `nix path-info ${path}`).infos
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & {stderr?: string}
    if (failure.code === 'ENOENT') {
      throw new Error(
        `${ref}: the Nix database ${databaseFile()} is not readable and the nix command is not installed: ` +
          `on a machine with Nix run "nix path-info --json --recursive ${path} > closure.json" and give closure.json`,
      )
    }

    throw new Error(`${ref}: nix path-info failed: ${(failure.stderr ?? failure.message).trim().split('\n')[0]}`)
  }
}

/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_READ_LIMIT = 1 << 20

/** Files hashed at once: enough to overlap reads with hashing, few enough to bound open files. */
const HASH_CONCURRENCY = 8

/** Files of one store path with their content hashes, and the path's new block usage. */
export async function readStoreFiles(path: string, seenInodes: Set<string>): Promise<{files: StoreFile[]; disk: number}> {
  const files: Array<StoreFile & {absolute: string}> = []
  const linksInPath = new Map<string, string>()
  let disk = 0

  const visit = async (absolute: string, relative: string): Promise<void> => {
    const stats = await lstat(absolute)
    const id = `${stats.dev}:${stats.ino}`
    if (!seenInodes.has(id)) {
      seenInodes.add(id)
      disk += stats.blocks * 512
    }

    if (stats.isDirectory()) {
      for (const entry of (await readdir(absolute)).sort()) {
        await visit(join(absolute, entry), relative === '' ? entry : `${relative}/${entry}`)
      }
    } else if (stats.isFile()) {
      const inode = linksInPath.get(id) ?? relative
      linksInPath.set(id, inode)
      files.push({absolute, path: relative, size: stats.size, sha256: '', mode: stats.mode & 0o7777, inode})
    }
  }

  await visit(path, '')
  await hashAll(files)
  return {files: files.map(({absolute: _absolute, ...file}) => file), disk}
}

async function hashAll(files: Array<StoreFile & {absolute: string}>): Promise<void> {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]
      file.sha256 = await hashFile(file.absolute, file.size)
    }
  }

  await Promise.all(Array.from({length: HASH_CONCURRENCY}, worker))
}

async function hashFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  if (size <= WHOLE_READ_LIMIT) return hash.update(await readFile(file)).digest('hex')
  for await (const chunk of createReadStream(file, {highWaterMark: WHOLE_READ_LIMIT})) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
