import {spawn, type ChildProcess} from 'node:child_process'
import {execFileSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {depgraph, records, root, tempDir} from './cli.js'

const IMAGE = 'localhost/depgraph/nginx:latest'
const socket = `/tmp/depgraph-bench-test-${process.pid}.sock`
const env = {...process.env, CONTAINERS_CONF: path.join(root, 'fixtures/podman/containers.conf')}

function podmanContainers(): string[] {
  const output = execFileSync('podman', ['ps', '--all', '--format', '{{.Names}}'], {env, encoding: 'utf8'})
  return output.split('\n').filter((name) => name.startsWith('depgraph-bench-'))
}

describe('podman platform', () => {
  let service: ChildProcess

  beforeAll(async () => {
    service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {env, stdio: 'ignore'})
    const deadline = Date.now() + 30_000
    while (!existsSync(socket)) {
      if (Date.now() > deadline || service.exitCode !== null) throw new Error(`podman system service did not create ${socket}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })

  afterAll(async () => {
    if (service?.exitCode === null) {
      const exited = new Promise((resolve) => service.once('exit', resolve))
      process.kill(service.pid as number, 'SIGTERM')
      await exited
    }
  })

  it('benchmarks nginx from the fixture image', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'nginx', '--platform', 'podman', '--image', IMAGE, '--engine', `unix://${socket}`, '--tool', 'ab', '--threads', '1', '--clients', '2,4', '--requests', '200', '--iterations', '2', '--out', out, '--json'], env)
    expect(result.error).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ran: 4, platform: 'podman'})

    const runs = await records(out)
    expect(runs).toHaveLength(4)
    for (const record of runs) {
      expect(record.status).toBe('ok')
      expect(record.platform).toBe('podman')
      expect(record.service).toMatch(/^podman image localhost\/depgraph\/nginx:latest \(sha256:[0-9a-f]{64}\)$/)
      expect(record.figures[0].completed).toBe(200)
      expect(record.figures[0].errors).toBe(0)
      expect(record.figures[0].requestsPerSecond).toBeGreaterThan(0)
    }

    expect(podmanContainers()).toEqual([])
  })

  it('rejects an image that is not in the store', async () => {
    const result = await depgraph(['benchmark', 'run', 'nginx', '--platform', 'podman', '--image', 'localhost/depgraph/absent:latest', '--engine', `unix://${socket}`, '--tool', 'ab', '--quick', '--out', await tempDir()], env)
    expect(result.code).not.toBe(0)
    expect(result.error).toBe("Image localhost/depgraph/absent:latest not found in the engine's image store; build or pull it first")
  })
})
