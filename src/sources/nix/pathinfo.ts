/**
 * `nix path-info --json` output in every shape Nix has printed:
 *
 * - Nix 2.3: an array of entries with `path`, narHash as `sha256:<nix32>`.
 * - Nix 2.4–2.18: the same array, narHash in SRI form (`sha256-<base64>`).
 * - Nix 2.19+ (and `--json-format 1`): an object keyed by store path; Nix
 *   2.23+ writes absent fields as explicit nulls.
 * - `--json-format 2` (Nix 2.33+): `{version: 2, storeDir, info}`, where info
 *   is keyed by store path base name and references are base names too.
 */
import type {PathInfo} from './closure.js'

export type PathInfoShape = 'array' | 'object' | 'envelope'

export const KNOWN_SHAPES =
  'an array of entries with "path" (Nix 2.3–2.18), an object keyed by store path (Nix 2.19+, --json-format 1), ' +
  'or {"version": 2, "storeDir", "info"} (--json-format 2)'

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

/** Parse path-info JSON text; `file` names the input in errors. */
export function parsePathInfo(text: string, file: string): {shape: PathInfoShape; infos: PathInfo[]} {
  let document: Json
  try {
    document = JSON.parse(text) as Json
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message}): give the output of nix path-info --json`)
  }

  if (Array.isArray(document)) {
    return {shape: 'array', infos: document.map((entry, index) => arrayEntry(entry, `${file}: entry ${index}`))}
  }

  if (isObject(document) && 'info' in document && 'version' in document) return {shape: 'envelope', infos: envelope(document, file)}

  if (isObject(document) && Object.keys(document).every((key) => key.startsWith('/'))) {
    const infos = Object.entries(document).map(([path, entry]) => objectEntry(path, entry, `${file}: entry "${path}"`))
    return {shape: 'object', infos}
  }

  throw new Error(`${file}: unknown path-info JSON shape: expected ${KNOWN_SHAPES}`)
}

function isObject(value: Json): value is {[key: string]: Json} {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function arrayEntry(entry: Json, where: string): PathInfo {
  if (!isObject(entry)) throw new Error(`${where}: expected an object with "path", got ${JSON.stringify(entry)}`)
  if (entry.valid === false) throw new Error(`${where}: path ${String(entry.path)} is not valid in the store it was queried from`)
  return objectEntry(requireString(entry.path, `${where} field "path"`), entry, where)
}

function objectEntry(path: string, entry: Json, where: string, storeDir?: string): PathInfo {
  if (entry === null) throw new Error(`${where}: the path is not valid in the store it was queried from (value null)`)
  if (!isObject(entry)) throw new Error(`${where}: expected an object, got ${JSON.stringify(entry)}`)

  const narSize = entry.narSize
  if (typeof narSize !== 'number' || !Number.isSafeInteger(narSize) || narSize < 0) {
    throw new Error(`${where} field "narSize": expected a non-negative integer, got ${JSON.stringify(narSize)}`)
  }

  const references = entry.references
  if (!Array.isArray(references)) {
    throw new Error(`${where} field "references": expected an array of store paths, got ${JSON.stringify(references)}`)
  }

  const absolute = (name: string): string => (storeDir === undefined ? name : `${storeDir}/${name}`)
  const deriver = entry.deriver
  return {
    path,
    narSize,
    narHash: narHashText(entry.narHash, where),
    references: references.map((reference, index) =>
      absolute(requireString(reference, `${where} field "references[${index}]"`)),
    ),
    deriver: typeof deriver === 'string' ? absolute(deriver) : null,
  }
}

/** Keep a narHash as Nix printed it; the structured v2 form becomes `algorithm:hash`. */
function narHashText(value: Json | undefined, where: string): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (isObject(value) && typeof value.algorithm === 'string' && typeof value.hash === 'string') {
    return `${value.algorithm}:${value.hash}`
  }

  throw new Error(`${where} field "narHash": expected a hash string or {algorithm, hash}, got ${JSON.stringify(value)}`)
}

function envelope(document: {[key: string]: Json}, file: string): PathInfo[] {
  if (document.version !== 2) {
    throw new Error(`${file} field "version": expected 2, got ${JSON.stringify(document.version)}: ${KNOWN_SHAPES}`)
  }

  const storeDir = requireString(document.storeDir, `${file} field "storeDir"`).replace(/\/+$/, '')
  const info = document.info
  if (!isObject(info)) throw new Error(`${file} field "info": expected an object keyed by store path base name`)

  return Object.entries(info).map(([name, entry]) => {
    const where = `${file}: entry "${name}"`
    if (name.includes('/')) throw new Error(`${where}: expected a store path base name (hash-name), got a path`)
    return objectEntry(`${storeDir}/${name}`, entry, where, storeDir)
  })
}

function requireString(value: Json | undefined, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where}: expected a string, got ${JSON.stringify(value)}`)
  return value
}
