/**
 * `nix-store --export` streams: for each path, the u64 1, the path's NAR,
 * then the trailer: the u64 0x4558494e ("NIXE"), the store path, the count
 * and list of references, the deriver ("" when unknown) and the u64 0 (no
 * signature). The u64 0 ends the stream.
 */
import type {PathInfo, StoreFile} from './closure.js'
import {readNar} from './nar.js'
import {StreamReader} from './stream.js'

export const EXPORT_MAGIC = 0x4558494e

export interface ExportedPath extends PathInfo {
  files: StoreFile[]
}

export async function readExport(file: string): Promise<ExportedPath[]> {
  const reader = new StreamReader(file)
  const paths: ExportedPath[] = []

  for (;;) {
    const start = reader.offset
    const more = await reader.u64('the next-path marker (1 for a path, 0 at the end)')
    if (more === 0) break
    if (more !== 1) throw reader.fail(`expected the next-path marker 1 or the end marker 0, found ${more}`, start)
    paths.push(await readExported(reader))
  }

  if (!(await reader.atEnd())) throw reader.fail('unexpected bytes after the end marker: expected the end of the file')
  if (paths.length === 0) throw reader.fail('the export contains no store path: export at least one path')
  return paths
}

async function readExported(reader: StreamReader): Promise<ExportedPath> {
  const nar = await readNar(reader)

  const magicStart = reader.offset
  const magic = await reader.u64('the NIXE trailer magic')
  if (magic !== EXPORT_MAGIC) {
    throw reader.fail(`expected the trailer magic 0x${EXPORT_MAGIC.toString(16)} ("NIXE") after a NAR, found 0x${magic.toString(16)}`, magicStart)
  }

  const path = await reader.string('the store path in the trailer')
  const count = await reader.u64(`the reference count of ${path}`)
  const references: string[] = []
  for (let index = 0; index < count; index++) references.push(await reader.string(`reference ${index} of ${path}`))
  const deriver = await reader.string(`the deriver of ${path}`)

  const signatureStart = reader.offset
  const signature = await reader.u64(`the signature marker of ${path}`)
  if (signature !== 0) throw reader.fail(`expected the signature marker 0 after ${path}, found ${signature}`, signatureStart)

  return {path, narSize: nar.narSize, narHash: `sha256:${nar.narHash}`, references, deriver: deriver === '' ? null : deriver, files: nar.files}
}
