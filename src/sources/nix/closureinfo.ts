/**
 * closureInfo outputs: `registration` lists, for each path, the path, its
 * narHash, its narSize, its deriver (or an empty line), the reference count
 * and the references, one item a line (the format of `nix-store --dump-db`
 * and `--load-db`). `store-paths` lists paths only, one a line.
 */
import {readFile} from 'node:fs/promises'

import type {PathInfo} from './closure.js'

export async function readRegistration(file: string): Promise<PathInfo[]> {
  const lines = (await readFile(file, 'utf8')).split('\n')
  if (lines.at(-1) === '') lines.pop()
  const infos: PathInfo[] = []
  let index = 0

  const next = (field: string): string => {
    if (index >= lines.length) {
      throw new Error(`${file}: line ${index + 1}: truncated registration: expected the ${field} of entry ${infos.length + 1}`)
    }

    return lines[index++]
  }

  while (index < lines.length) {
    const path = next('store path')
    if (!path.startsWith('/')) throw new Error(`${file}: line ${index}: expected an absolute store path, got ${JSON.stringify(path.slice(0, 80))}`)
    const narHash = next('narHash')
    const narSize = integerField(next('narSize'), file, index, 'narSize')
    const deriver = next('deriver')
    const count = integerField(next('reference count'), file, index, 'reference count')
    const references: string[] = []
    for (let reference = 0; reference < count; reference++) references.push(next(`reference ${reference + 1}`))
    infos.push({path, narHash: narHash || undefined, narSize, deriver: deriver === '' ? null : deriver, references})
  }

  return infos
}

function integerField(text: string, file: string, line: number, field: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${file}: line ${line}: expected the ${field} as a decimal integer, got ${JSON.stringify(text.slice(0, 80))}`)
  return Number(text)
}

/** Store paths of a `store-paths` file; their sizes come from a store. */
export async function readStorePaths(file: string): Promise<string[]> {
  const paths = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '')
  for (const [index, path] of paths.entries()) {
    if (!path.startsWith('/')) throw new Error(`${file}: line ${index + 1}: expected an absolute store path, got ${JSON.stringify(path.slice(0, 80))}`)
  }

  return paths
}
