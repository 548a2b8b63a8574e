import {readFileSync} from 'node:fs'
import {homedir} from 'node:os'
import {dirname, isAbsolute, join} from 'node:path'

/** References for one application, one per platform. */
export interface AppConfig {
  podman?: string
  nix?: string
  osv?: string
}

/** The contents of depgraph.config.json. */
export interface DepgraphConfig {
  /** Base image of the Podman references. */
  base?: string
  /** Host references: an image store, a closure or a root directory. */
  host?: string[]
  apps: Record<string, AppConfig>
}

export const CONFIG_FILE = 'depgraph.config.json'

const TOP_KEYS = new Set(['$comment', 'base', 'host', 'apps'])
const APP_KEYS = new Set(['podman', 'nix', 'osv'])

/** The fixture cache: DEPGRAPH_CACHE, else XDG_CACHE_HOME/depgraph, else ~/.cache/depgraph. */
export function cacheDirectory(): string {
  return process.env.DEPGRAPH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'depgraph')
}

/**
 * Expand `${cache}` and a leading `~/` in a reference, and resolve a
 * relative path against the config file's folder. Transport prefixes stay.
 */
export function expandReference(ref: string, configDirectory: string): string {
  const expanded = ref.replaceAll('${cache}', cacheDirectory()).replace(/^~\//, `${homedir()}/`)
  const match = /^([a-z-]+:)?(.*)$/.exec(expanded) as RegExpExecArray
  const [, transport = '', path] = match
  if (path.startsWith('.') && !isAbsolute(path)) return `${transport}${join(configDirectory, path)}`
  return expanded
}

function configError(file: string, key: string, problem: string): Error {
  return new Error(`${file}: ${key}: ${problem}; fix the key or remove it`)
}

/** Read and check a config file; every unknown key is an error that names it. */
export function readConfig(file: string): DepgraphConfig {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (error as Error).message
    throw new Error(`${file}: cannot read the config (${reason}); create it or pass --config`, {cause: error})
  }

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(file, '(top level)', 'expected an object')
  const value = raw as Record<string, unknown>
  for (const key of Object.keys(value)) if (!TOP_KEYS.has(key)) throw configError(file, key, 'unknown key (known: base, host, apps)')

  const directory = dirname(file)
  const apps: Record<string, AppConfig> = {}
  const rawApps = value.apps ?? {}
  if (typeof rawApps !== 'object' || rawApps === null) throw configError(file, 'apps', 'expected an object of application names')

  for (const [name, app] of Object.entries(rawApps)) {
    if (typeof app !== 'object' || app === null) throw configError(file, `apps.${name}`, 'expected an object with podman, nix or osv')
    apps[name] = {}
    for (const [platform, ref] of Object.entries(app)) {
      if (!APP_KEYS.has(platform)) throw configError(file, `apps.${name}.${platform}`, 'unknown platform (known: podman, nix, osv)')
      if (typeof ref !== 'string' || ref === '') throw configError(file, `apps.${name}.${platform}`, 'expected a reference string')
      apps[name][platform as keyof AppConfig] = expandReference(ref, directory)
    }
  }

  const hosts = value.host === undefined ? [] : Array.isArray(value.host) ? value.host : [value.host]
  if (hosts.some((ref) => typeof ref !== 'string')) throw configError(file, 'host', 'expected a reference or an array of references')
  if (value.base !== undefined && typeof value.base !== 'string') throw configError(file, 'base', 'expected a reference string')

  return {
    base: value.base === undefined ? undefined : expandReference(value.base as string, directory),
    host: (hosts as string[]).map((ref) => expandReference(ref, directory)),
    apps,
  }
}
