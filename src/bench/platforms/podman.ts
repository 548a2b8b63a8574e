import os from 'node:os'

import Docker from 'dockerode'

import {freePort, loopbackTarget, waitForTarget} from '../target.js'
import type {Suite} from '../types.js'
import {INDEX_HTML, MYSQL_INIT_SQL, mysqlArgs, nginxConfig, redisArgs, shellQuote} from './configs.js'
import type {PlatformOptions, RunningService} from './types.js'

/** Returns the engine socket path: --engine, else CONTAINER_HOST or DOCKER_HOST, else Podman's default socket. */
export function engineSocket(engine: string | undefined): string {
  const value = engine ?? process.env.CONTAINER_HOST ?? process.env.DOCKER_HOST
  if (value === undefined) {
    const runtime = process.getuid?.() === 0 ? '/run' : (process.env.XDG_RUNTIME_DIR ?? `/run/user/${os.userInfo().uid}`)
    return `${runtime}/podman/podman.sock`
  }

  if (!value.startsWith('unix://')) throw new Error(`Engine "${value}" is not a unix:// socket; start podman system service on a local socket and pass --engine unix:///path`)
  return value.slice('unix://'.length)
}

/**
 * Returns the shell script the container runs: it writes the generated
 * configuration inside the container, then executes the server in the
 * foreground on the loopback port.
 */
export function containerScript(suite: Suite, port: number): string {
  const dir = '/tmp/depgraph-bench'
  const write = (file: string, text: string): string => `printf '%s' ${shellQuote(text)} > ${dir}/${file}`

  if (suite === 'nginx') {
    return [`mkdir -p ${dir}/www`, write('www/index.html', INDEX_HTML), write('nginx.conf', nginxConfig(port, dir, `${dir}/www`)), `exec nginx -c ${dir}/nginx.conf`].join(' && ')
  }

  if (suite === 'redis') return `mkdir -p ${dir} && exec redis-server ${redisArgs(port, dir).map(shellQuote).join(' ')}`

  // NOTE: written for Debian's mariadb-server packages; other MySQL images name their tools differently.
  return [
    `mkdir -p ${dir}/data`, write('init.sql', MYSQL_INIT_SQL),
    `mariadb-install-db --no-defaults --datadir=${dir}/data --user=root --skip-test-db > ${dir}/install.log`,
    `exec mariadbd ${mysqlArgs(port, dir, 'root').map(shellQuote).join(' ')}`,
  ].join(' && ')
}

async function lastLogLine(container: Docker.Container): Promise<string> {
  try {
    const logs = (await container.logs({stdout: true, stderr: true, tail: 5})) as unknown as Buffer
    // The log stream is multiplexed: each frame has an 8-byte header.
    const text = logs.toString('utf8').replace(/[\u0000-\u0008]/g, '')
    return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').pop() ?? ''
  } catch {
    return ''
  }
}

/**
 * Starts the suite's server from an image through the engine API, sharing
 * the host's network namespace so it listens on a loopback port, and
 * removes the container on stop.
 */
export async function startPodman(options: PlatformOptions): Promise<RunningService> {
  if (options.image === undefined) throw new Error('The podman platform needs --image NAME')
  const socketPath = engineSocket(options.engine)
  const engine = new Docker({socketPath})

  let imageId: string
  try {
    imageId = (await engine.getImage(options.image).inspect()).Id
  } catch (error) {
    const reason = (error as {statusCode?: number}).statusCode === 404 ? 'not found in the engine\'s image store; build or pull it first' : `could not be inspected through ${socketPath} (${(error as Error).message}); start podman system service or check --engine`
    throw new Error(`Image ${options.image} ${reason}`)
  }

  const port = await freePort()
  const container = await engine.createContainer({
    name: `depgraph-bench-${options.suite}-${port}`,
    Image: imageId,
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: [containerScript(options.suite, port)],
    HostConfig: {NetworkMode: 'host', AutoRemove: false},
  })

  const remove = async (): Promise<void> => {
    await container.remove({force: true}).catch(() => undefined)
  }

  try {
    await container.start()
    let running = true
    const poll = setInterval(() => {
      container.inspect().then((info) => (running = info.State.Running)).catch(() => (running = false))
    }, 500)
    await waitForTarget(loopbackTarget(port), options.startTimeout * 1000, () => running).finally(() => clearInterval(poll))
  } catch (error) {
    const line = await lastLogLine(container)
    await remove()
    throw new Error(`Container from ${options.image} did not start its ${options.suite} server: ${(error as Error).message}${line === '' ? '' : `; last log line: "${line}"`}`)
  }

  return {target: loopbackTarget(port), description: `podman image ${options.image} (${imageId})`, stop: remove}
}
