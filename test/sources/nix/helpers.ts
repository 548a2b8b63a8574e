import {execFileSync} from 'node:child_process'
import {existsSync, readlinkSync} from 'node:fs'
import {homedir} from 'node:os'
import {join} from 'node:path'

/** Where fixtures/nix/build.sh leaves the real Nix closures and their forms. */
export const nixCache = join(
  process.env.DEPGRAPH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'depgraph'),
  'nix',
)

export const closures = ['host', 'nginx', 'redis', 'mariadb'] as const
export type ClosureName = (typeof closures)[number]

const nixFlags = ['--option', 'substituters', '', '--extra-experimental-features', 'nix-command']

/** The root store path of a fixture closure; throws when the fixtures are not built. */
export function rootOf(closure: ClosureName): string {
  const link = join(nixCache, `result-${closure}`)
  if (!existsSync(link)) throw new Error(`${link} is missing: run fixtures/nix/build.sh`)
  return readlinkSync(link)
}

export function formFile(closure: ClosureName, file: string): string {
  return join(nixCache, closure, file)
}

export function run(command: string, args: string[]): string {
  return execFileSync(command, args, {encoding: 'utf8', maxBuffer: 1 << 30})
}

/** `nix path-info -S PATH`: the closure's narSize sum. */
export function nixClosureSize(path: string): number {
  const [, size] = run('nix', ['path-info', ...nixFlags, '-S', path]).trim().split(/\s+/)
  return Number(size)
}

/** `nix path-info --json` for the given paths, without recursion. */
export function nixPathInfoJson(paths: string[], recursive = false): string {
  return run('nix', ['path-info', ...nixFlags, '--json', ...(recursive ? ['--recursive'] : []), ...paths])
}

export function nixRequisites(path: string): string[] {
  return run('nix-store', ['-qR', path]).trim().split('\n')
}

export function nixReferences(path: string): string[] {
  return run('nix-store', ['-q', '--references', path]).trim().split('\n').filter(Boolean)
}

/** narSize of each path, from `nix path-info --json`. */
export function nixNarSizes(paths: string[]): Map<string, number> {
  const entries = JSON.parse(nixPathInfoJson(paths)) as Array<{path: string; narSize: number}>
  return new Map(entries.map((entry) => [entry.path, entry.narSize]))
}

/** The narSize sum of the app's requisites that are not requisites of the host, from nix-store -qR. */
export function nixUnique(app: string, host: string): number {
  const onHost = new Set(nixRequisites(host))
  const added = nixRequisites(app).filter((path) => !onHost.has(path))
  let sum = 0
  for (const size of nixNarSizes(added).values()) sum += size
  return sum
}
