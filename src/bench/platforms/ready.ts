import net from 'node:net'

import type {Suite, Target} from '../types.js'

/** Probe per suite: the request to send and the reply that proves the server itself is up (the MySQL handshake comes unprompted). */
const PROBES: Record<Suite, {send: string; expect: (reply: Buffer) => boolean}> = {
  nginx: {send: 'HEAD / HTTP/1.0\r\n\r\n', expect: (reply) => reply.toString('latin1').startsWith('HTTP/')},
  redis: {send: 'PING\r\n', expect: (reply) => reply.toString('latin1').startsWith('+PONG')},
  mysql: {send: '', expect: (reply) => reply.length >= 5},
}

/** Sends the suite's probe once and resolves true when the server replies as expected within `timeoutMs`. */
export function probeService(target: Target, suite: Suite, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = PROBES[suite]
    const socket = net.connect({host: target.host, port: target.port})
    let reply = Buffer.alloc(0)
    const finish = (ok: boolean): void => {
      socket.destroy()
      resolve(ok)
    }

    socket.setTimeout(timeoutMs, () => finish(false))
    socket.once('connect', () => probe.send !== '' && socket.write(probe.send))
    socket.on('data', (chunk: Buffer) => {
      reply = Buffer.concat([reply, chunk])
      if (probe.expect(reply)) finish(true)
    })
    socket.once('error', () => finish(false))
    socket.once('end', () => finish(probe.expect(reply)))
  })
}

/**
 * Waits until the server itself replies, not just the port: QEMU's user-mode
 * network accepts connections on the forwarded port before the guest listens.
 */
export async function waitForService(target: Target, suite: Suite, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`The service exited before it replied on ${target.host}:${target.port}`)
    if (await probeService(target, suite, 2000)) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }

  throw new Error(`The ${suite} server did not reply on ${target.host}:${target.port} within ${timeoutMs / 1000} s`)
}
