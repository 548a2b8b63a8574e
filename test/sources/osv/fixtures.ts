import {execFileSync} from 'node:child_process'
import {homedir} from 'node:os'
import path from 'node:path'

export const repoDir = path.resolve(import.meta.dirname, '../../..')
export const cacheDir = process.env.DEPGRAPH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'depgraph')
export const osvDir = path.join(cacheDir, 'osv')
export const apps = ['nginx', 'redis', 'mariadb'] as const

/** Build the OSv fixtures (skipped when present) and return the image paths by application. */
export function buildOsvFixtures(): Record<(typeof apps)[number], string> {
  execFileSync('bash', [path.join(repoDir, 'fixtures/osv/build.sh')], {stdio: 'inherit'})
  return Object.fromEntries(apps.map((app) => [app, path.join(osvDir, `${app}.qcow2`)])) as Record<(typeof apps)[number], string>
}

/** Write a raw OSv disk, or a bare ROFS image with `rofsOnly`, from a directory tree. */
export function makeImage(root: string, output: string, options: {cmdline?: string; kernelBytes?: number; rofsOnly?: boolean} = {}): string {
  const args = [path.join(repoDir, 'fixtures/osv/mkimage.py'), root, output]
  if (options.cmdline !== undefined) args.push('--cmdline', options.cmdline)
  if (options.kernelBytes !== undefined) args.push('--kernel-bytes', String(options.kernelBytes))
  if (options.rofsOnly) args.push('--rofs-only')
  execFileSync('python3', args)
  return output
}
