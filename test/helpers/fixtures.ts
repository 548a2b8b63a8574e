import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {join} from 'node:path'

import {cacheDirectory} from '../../src/config.js'

export const repoDir = join(import.meta.dirname, '..', '..')
export const podmanCache = join(cacheDirectory(), 'podman')
export const imagesDir = join(podmanCache, 'images')
export const slimRoot = join(podmanCache, 'rootfs', 'slim')
export const APPS = ['nginx', 'redis', 'mariadb'] as const

/** Path of one saved form of a fixture image; fails loudly when the fixtures were not built. */
export function imageForm(app: string, form: string): string {
  const path = join(imagesDir, app, form)
  if (!existsSync(path)) throw new Error(`fixture ${path} is missing: run "npm run setup" first`)
  return path
}

/** Run podman with the project's containers.conf and return its standard output. */
export function podman(...args: string[]): string {
  return execFileSync('podman', args, {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {...process.env, CONTAINERS_CONF: join(repoDir, 'fixtures', 'podman', 'containers.conf')},
  })
}

/** Run the built CLI; returns its exit status, standard output and standard error. */
export function runCli(args: string[], options: {cwd?: string} = {}): {status: number; stdout: string; stderr: string} {
  try {
    const stdout = execFileSync(join(repoDir, 'bin', 'run.js'), args, {encoding: 'utf8', cwd: options.cwd ?? repoDir, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024})
    return {status: 0, stdout, stderr: ''}
  } catch (error) {
    const failure = error as {status: number; stdout: string; stderr: string}
    return {status: failure.status, stdout: failure.stdout, stderr: failure.stderr}
  }
}
