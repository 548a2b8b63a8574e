import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {qemuArgs} from '../../src/bench/platforms/qemu.js'
import {probeService, waitForService} from '../../src/bench/platforms/ready.js'
import {loopbackTarget} from '../../src/bench/target.js'
import {depgraph, tempDir} from './cli.js'
import {startMariadb, startNginx, startRedis, startSilentServer, type TestServer} from './servers.js'

// No bootable OSv image is among the fixtures, so these tests cover the
// QEMU command line, the errors before boot and the readiness probe that
// the platform waits on, against real servers.

describe('qemu platform', () => {
  it('forwards a loopback port to the guest', () => {
    const args = qemuArgs({disk: '/images/nginx.qcow2', hostPort: 18080, guestPort: 80, console: '/tmp/console.log', kvm: false})
    expect(args).toContain('user,id=net0,hostfwd=tcp:127.0.0.1:18080-:80')
    expect(args).toContain('file=/images/nginx.qcow2,if=virtio,snapshot=on')
    expect(args).toContain('file:/tmp/console.log')
    expect(args.slice(args.indexOf('-accel'), args.indexOf('-accel') + 2)).toEqual(['-accel', 'tcg'])
  })

  it('uses KVM when available', () => {
    const args = qemuArgs({disk: 'd.qcow2', hostPort: 1, guestPort: 2, console: 'c', kvm: true})
    expect(args.slice(args.indexOf('-accel'), args.indexOf('-accel') + 4)).toEqual(['-accel', 'kvm', '-cpu', 'host'])
  })

  it('names the package of a missing emulator', async () => {
    const out = await tempDir()
    const disk = path.join(out, 'osv.qcow2')
    await writeFile(disk, '')
    const result = await depgraph(['benchmark', 'run', 'nginx', '--platform', 'qemu', '--disk', disk, '--qemu', '/nonexistent/qemu-system-x86_64', '--tool', 'ab', '--quick', '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.error).toBe('/nonexistent/qemu-system-x86_64 not found: install the Debian package qemu-system-x86')
  })

  it('rejects a missing disk image', async () => {
    const result = await depgraph(['benchmark', 'run', 'redis', '--platform', 'qemu', '--disk', '/nonexistent/redis.qcow2', '--quick', '--out', await tempDir()])
    expect(result.code).not.toBe(0)
    expect(result.error).toBe('Disk image /nonexistent/redis.qcow2 not found')
  })
})

describe('service readiness probe', () => {
  let nginx: TestServer
  let redis: TestServer
  let mariadb: TestServer

  beforeAll(async () => {
    ;[nginx, redis, mariadb] = await Promise.all([startNginx(), startRedis(), startMariadb()])
  })

  afterAll(async () => {
    await Promise.all([nginx?.stop(), redis?.stop(), mariadb?.stop()])
  })

  it('gets replies from real servers', async () => {
    expect(await probeService(loopbackTarget(nginx.port), 'nginx', 2000)).toBe(true)
    expect(await probeService(loopbackTarget(redis.port), 'redis', 2000)).toBe(true)
    expect(await probeService(loopbackTarget(mariadb.port), 'mysql', 2000)).toBe(true)
  })

  it('rejects the wrong protocol', async () => {
    expect(await probeService(loopbackTarget(redis.port), 'nginx', 2000)).toBe(false)
  })

  it('waits past a port that accepts but never replies', async () => {
    const silent = await startSilentServer()
    try {
      await expect(waitForService(loopbackTarget(silent.port), 'nginx', 3000, () => true)).rejects.toThrow(`The nginx server did not reply on 127.0.0.1:${silent.port} within 3 s`)
    } finally {
      await silent.stop()
    }
  })
})
