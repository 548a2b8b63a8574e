import {execFile, spawn, type ChildProcess} from 'node:child_process'
import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {lastLine} from '../exec.js'
import {freePort, loopbackTarget, waitForTarget} from '../target.js'
import {which} from '../tools/tool.js'
import type {Suite} from '../types.js'
import {INDEX_HTML, MYSQL_INIT_SQL, mysqlArgs, nginxConfig, redisArgs} from './configs.js'
import type {PlatformOptions, RunningService} from './types.js'

function run(file: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, {timeout: timeoutMs}, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')} failed: ${lastLine(stderr) || lastLine(stdout) || error.message}`))
      else resolve(`${stdout}\n${stderr}`)
    })
  })
}

/** Returns the server's version line (nginx -v, redis-server --version, mariadbd --version). */
async function serverVersion(exec: string, suite: Suite): Promise<string> {
  const flag = suite === 'nginx' ? '-v' : '--version'
  return lastLine(await run(exec, [flag], 10_000))
}

/** True when the nginx version line names 1.19.5 or later, which has the -e flag. */
function nginxHasErrorFlag(version: string): boolean {
  const match = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(version)
  if (match === null) return false
  const [major, minor, patch] = match.slice(1).map(Number)
  return major > 1 || (major === 1 && (minor > 19 || (minor === 19 && patch >= 5)))
}

/** Finds mariadb-install-db or mysql_install_db beside the server binary (as in a Nix closure), then on PATH. */
async function findInstallDb(exec: string): Promise<string | null> {
  const bin = path.dirname(exec)
  const dirs = [bin, path.join(bin, '../bin'), path.join(bin, '../scripts')]
  for (const name of ['mariadb-install-db', 'mysql_install_db']) {
    for (const dir of dirs) {
      const found = await which(path.join(dir, name))
      if (found !== null) return found
    }
  }

  return (await which('mariadb-install-db')) ?? (await which('mysql_install_db'))
}

/** Writes the suite's configuration into `dir` and returns the server's arguments. */
async function prepare(suite: Suite, exec: string, version: string, dir: string, port: number): Promise<string[]> {
  if (suite === 'nginx') {
    await mkdir(path.join(dir, 'www'))
    await writeFile(path.join(dir, 'www/index.html'), INDEX_HTML)
    await writeFile(path.join(dir, 'nginx.conf'), nginxConfig(port, dir, path.join(dir, 'www')))
    // When the master runs as root, nginx starts its workers as the user nobody, and they must read the page.
    await chmod(dir, 0o755)
    const errorFlag = nginxHasErrorFlag(version) ? ['-e', 'stderr'] : []
    return [...errorFlag, '-p', dir, '-c', path.join(dir, 'nginx.conf')]
  }

  if (suite === 'redis') return redisArgs(port, dir)

  const user = process.getuid?.() === 0 ? 'root' : os.userInfo().username
  await writeFile(path.join(dir, 'init.sql'), MYSQL_INIT_SQL)
  const installDb = await findInstallDb(exec)
  if (installDb !== null) {
    await run(installDb, ['--no-defaults', `--datadir=${dir}/data`, `--user=${user}`, '--skip-test-db'], 300_000)
  } else {
    // MySQL 5.7 and later initialize the data folder with the server itself.
    await run(exec, ['--no-defaults', `--datadir=${dir}/data`, `--user=${user}`, '--initialize-insecure'], 300_000)
  }

  return mysqlArgs(port, dir, user)
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const escalate = setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 30_000)
  return exited.finally(() => clearTimeout(escalate))
}

/**
 * Starts a server binary (nginx, redis-server, or mariadbd/mysqld) from
 * Debian or a Nix closure in the foreground, with a generated configuration
 * on a free loopback port. stop() ends it by its PID and deletes its folder.
 */
export async function startProcess(options: PlatformOptions): Promise<RunningService> {
  if (options.exec === undefined) throw new Error('The process platform needs --exec PATH (nginx, redis-server or mariadbd)')
  const exec = await which(options.exec)
  if (exec === null) throw new Error(`Server binary ${options.exec} not found or not executable`)

  const version = await serverVersion(exec, options.suite)
  const dir = await mkdtemp(path.join(os.tmpdir(), `depgraph-bench-${options.suite}-`))
  const port = await freePort()
  const args = await prepare(options.suite, exec, version, dir, port)

  const child = spawn(exec, args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)))
  const stop = async (): Promise<void> => {
    await stopChild(child)
    await rm(dir, {recursive: true, force: true})
  }

  try {
    await waitForTarget(loopbackTarget(port), options.startTimeout * 1000, () => child.exitCode === null && child.signalCode === null)
  } catch (error) {
    await stop()
    const line = lastLine(stderr)
    throw new Error(`${exec} did not start: ${(error as Error).message}${line === '' ? '' : `; last output: "${line}"`}`)
  }

  return {target: loopbackTarget(port), description: `${exec} (${version})`, stop}
}
