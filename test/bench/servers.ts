// Starts real servers on loopback ports for the benchmark tests, each as a
// non-daemon process with a generated config in a temp dir, stopped by PID.
import {spawn, type ChildProcess} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {mkdtemp, writeFile} from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface TestServer {
  port: number
  dir: string
  child: ChildProcess
  stop(): Promise<void>
}

export function testPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function waitForPort(port: number, child: ChildProcess, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with status ${child.exitCode} before listening on ${port}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({host: '127.0.0.1', port}, () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  throw new Error(`server did not listen on 127.0.0.1:${port} within ${seconds} s`)
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    process.kill(child.pid as number, 'SIGTERM')
    await exited
  }
}

async function launch(command: string, args: string[], dir: string, port: number, seconds = 30): Promise<TestServer> {
  const child = spawn(command, args, {cwd: dir, stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  try {
    await waitForPort(port, child, seconds)
  } catch (error) {
    await stopper(child)()
    throw new Error(`${command}: ${(error as Error).message}\n${stderr}`)
  }

  return {port, dir, child, stop: stopper(child)}
}

export async function startNginx(): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-test-nginx-'))
  const port = await testPort()
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server { listen 127.0.0.1:${port}; location / { return 200 "hello\\n"; } }
}
`
  await writeFile(path.join(dir, 'nginx.conf'), conf)
  return launch('nginx', ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf')], dir, port)
}

export async function startRedis(): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-test-redis-'))
  const port = await testPort()
  const conf = `port ${port}\nbind 127.0.0.1\ndaemonize no\nsave ""\nappendonly no\ndir ${dir}\n`
  await writeFile(path.join(dir, 'redis.conf'), conf)
  return launch('redis-server', [path.join(dir, 'redis.conf')], dir, port)
}

export async function startMariadb(): Promise<TestServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-test-mariadb-'))
  const port = await testPort()
  const datadir = path.join(dir, 'data')
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--user=root', '--skip-test-db', '--auth-root-authentication-method=normal'], {stdio: 'ignore'})
  await writeFile(path.join(dir, 'init.sql'), 'CREATE DATABASE IF NOT EXISTS sbtest;\n')
  return launch('mariadbd', [
    '--no-defaults', `--datadir=${datadir}`, '--user=root', `--socket=${dir}/mysqld.sock`, `--port=${port}`,
    '--bind-address=127.0.0.1', '--skip-grant-tables', `--pid-file=${dir}/mysqld.pid`, `--init-file=${dir}/init.sql`,
    '--skip-log-bin', '--innodb-buffer-pool-size=64M',
  ], dir, port, 60)
}

/** Starts a server that accepts connections and never replies, for timeout tests. */
export async function startSilentServer(): Promise<{port: number; stop(): Promise<void>}> {
  const sockets: net.Socket[] = []
  const server = net.createServer((socket) => sockets.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as net.AddressInfo
  return {
    port,
    stop: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    }),
  }
}
