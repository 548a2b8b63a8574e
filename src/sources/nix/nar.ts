/**
 * Nix Archive (NAR) parsing, as `nix-store --dump` writes it: every token a
 * u64 little-endian length and bytes padded with zeros to 8 bytes; the
 * archive is "nix-archive-1" then one node, where a node is
 * `( type regular [executable ""] contents DATA )`,
 * `( type symlink target TEXT )` or `( type directory (entry ( name N node NODE ))* )`.
 * Entry names are sorted, unique and never ".", ".." or contain "/".
 */
import type {StoreFile} from './closure.js'
import {sha256, StreamReader} from './stream.js'

export const NAR_MAGIC = 'nix-archive-1'

/** The first 24 bytes of every NAR: the length 13 then the magic, padded. */
export const NAR_HEADER = Buffer.concat([Buffer.from([13, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(NAR_MAGIC), Buffer.alloc(3)])

export interface NarSummary {
  narSize: number
  /** sha256 of the whole NAR, hex. */
  narHash: string
  files: StoreFile[]
}

/** Read one NAR from the reader's current offset, hashing it and each regular file. */
export async function readNar(reader: StreamReader): Promise<NarSummary> {
  const start = reader.offset
  const hash = sha256()
  reader.tap(hash)
  await reader.expect(NAR_MAGIC, 'at the start of a NAR (wrong magic: this is not a NAR)')

  const files: StoreFile[] = []
  await readNode(reader, '', files)
  reader.untap(hash)
  return {narSize: reader.offset - start, narHash: hash.digest('hex'), files}
}

async function readNode(reader: StreamReader, path: string, files: StoreFile[]): Promise<void> {
  const where = path === '' ? 'the root node' : `node "${path}"`
  await reader.expect('(', `opening ${where}`)
  await reader.expect('type', `in ${where}`)

  const start = reader.offset
  const type = await reader.string(`type of ${where}`)
  if (type === 'regular') await readRegular(reader, path, where, files)
  else if (type === 'symlink') {
    await reader.expect('target', `in ${where}`)
    await reader.string(`symlink target of ${where}`)
    await reader.expect(')', `closing ${where}`)
  } else if (type === 'directory') await readDirectory(reader, path, where, files)
  else throw reader.fail(`type of ${where} is ${JSON.stringify(type)}, expected "regular", "symlink" or "directory"`, start)
}

async function readRegular(reader: StreamReader, path: string, where: string, files: StoreFile[]): Promise<void> {
  let mode = 0o444
  let start = reader.offset
  let token = await reader.string(`field of ${where}`)
  if (token === 'executable') {
    mode = 0o555
    await reader.expect('', `after "executable" in ${where}`)
    start = reader.offset
    token = await reader.string(`field of ${where}`)
  }

  if (token !== 'contents') throw reader.fail(`expected "contents" in ${where}, found ${JSON.stringify(token.slice(0, 64))}`, start)

  const size = await reader.u64(`size of ${where}`)
  const hash = sha256()
  await reader.forEachChunk(size, `the contents of ${where}`, (chunk) => hash.update(chunk))
  await reader.padding(size, `the contents of ${where}`)
  await reader.expect(')', `closing ${where}`)
  files.push({path, size, sha256: hash.digest('hex'), mode})
}

async function readDirectory(reader: StreamReader, path: string, where: string, files: StoreFile[]): Promise<void> {
  let previous: Buffer | undefined
  for (;;) {
    const start = reader.offset
    const token = await reader.string(`entry of ${where}`)
    if (token === ')') return
    if (token !== 'entry') throw reader.fail(`expected "entry" or ")" in ${where}, found ${JSON.stringify(token.slice(0, 64))}`, start)

    await reader.expect('(', `opening an entry of ${where}`)
    await reader.expect('name', `in an entry of ${where}`)
    const nameStart = reader.offset
    const raw = await reader.stringBytes(`entry name in ${where}`)
    const name = raw.toString('utf8')
    if (name === '' || name === '.' || name === '..' || raw.includes(0x2f) || raw.includes(0)) {
      throw reader.fail(`invalid entry name ${JSON.stringify(name)} in ${where}`, nameStart)
    }

    // NAR writers sort entries by their bytes, so compare bytes, not decoded text.
    if (previous !== undefined && Buffer.compare(previous, raw) >= 0) {
      throw reader.fail(`entry "${name}" in ${where} is not after "${previous.toString('utf8')}": NAR entries are sorted and unique`, nameStart)
    }

    previous = raw
    await reader.expect('node', `in entry "${name}" of ${where}`)
    await readNode(reader, path === '' ? name : `${path}/${name}`, files)
    await reader.expect(')', `closing entry "${name}" of ${where}`)
  }
}

/** Read a file holding exactly one NAR (`nix-store --dump`). */
export async function readNarFile(file: string): Promise<NarSummary> {
  const reader = new StreamReader(file)
  const summary = await readNar(reader)
  if (!(await reader.atEnd())) throw reader.fail('unexpected bytes after the end of the NAR: expected the end of the file')
  return summary
}
