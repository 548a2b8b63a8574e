import net from 'node:net'

import type {Suite, Target} from './types.js'

const DEFAULT_PORTS: Record<Suite, number> = {nginx: 80, redis: 6379, mysql: 3306}

/** Returns true for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (bare === 'localhost' || bare === '::1') return true
  const v4 = bare.replace(/^::ffff:/, '')
  return net.isIPv4(v4) && v4.startsWith('127.')
}

/**
 * Parses `--target` (a URL, or host:port) into a target. A benchmark floods
 * its target, so a host outside loopback is rejected unless `allowRemote`.
 */
export function parseTarget(value: string, suite: Suite, allowRemote: boolean): Target {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `tcp://${value}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new Error(`Invalid --target "${value}": give a URL such as http://127.0.0.1:8080/ or host:port such as 127.0.0.1:6379`)
  }

  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (host === '') throw new Error(`Invalid --target "${value}": the host is missing`)
  let port = Number(url.port)
  if (url.port === '') port = url.protocol === 'https:' ? 443 : DEFAULT_PORTS[suite]

  if (!allowRemote && !isLoopback(host)) {
    throw new Error(`Target host "${host}" is not on loopback; a benchmark floods its target, so pass --allow-remote only for a server you run`)
  }

  const urlHost = host.includes(':') ? `[${host}]` : host
  const httpUrl = url.protocol === 'http:' || url.protocol === 'https:' ? url.href : `http://${urlHost}:${port}/`
  return {host, port, url: httpUrl}
}

/** Returns a target on 127.0.0.1 at `port`. */
export function loopbackTarget(port: number): Target {
  return {host: '127.0.0.1', port, url: `http://127.0.0.1:${port}/`}
}

/** Opens one TCP connection to the target; throws when it is refused or not accepted within `timeoutMs`. */
export function probeTarget(target: Target, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({host: target.host, port: target.port})
    const where = `${target.host}:${target.port}`
    socket.setTimeout(timeoutMs)

    socket.once('connect', () => {
      socket.destroy()
      resolve()
    })
    socket.once('timeout', () => {
      socket.destroy()
      reject(new Error(`Target ${where} did not accept a connection within ${timeoutMs / 1000} s; check that the service is up and listening`))
    })
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const cause = error.code === 'ECONNREFUSED' ? 'refused the connection' : `failed to connect (${error.code ?? error.message})`
      reject(new Error(`Target ${where} ${cause}; start the service or check --target`))
    })
  })
}

/** Returns a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo
      server.close(() => resolve(address.port))
    })
  })
}

/** Retries a connection until the target accepts one, or throws after `timeoutMs`. */
export async function waitForTarget(target: Target, timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: Error | undefined

  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`The service exited before it listened on ${target.host}:${target.port}`)
    try {
      await probeTarget(target, 1000)
      return
    } catch (error) {
      lastError = error as Error
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  throw new Error(`The service did not listen on ${target.host}:${target.port} within ${timeoutMs / 1000} s (${lastError?.message ?? 'no attempt'})`)
}
