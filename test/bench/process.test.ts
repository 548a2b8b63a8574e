import {readdir} from 'node:fs/promises'
import os from 'node:os'
import {describe, expect, it} from 'vitest'

import type {RunRecord} from '../../src/bench/results.js'
import {depgraph, records, tempDir} from './cli.js'

async function leftoverFolders(suite: string): Promise<string[]> {
  return (await readdir(os.tmpdir())).filter((name) => name.startsWith(`depgraph-bench-${suite}-`))
}

function expectRequested(record: RunRecord): void {
  expect(record.status).toBe('ok')
  expect(record.platform).toBe('process')
  for (const figures of record.figures) {
    expect(figures.requestsPerSecond).toBeGreaterThan(0)
    if (figures.completed !== null) expect(figures.completed).toBe(record.parameters.requests)
  }
}

describe('process platform', () => {
  it('starts nginx from its binary', async () => {
    const before = await leftoverFolders('nginx')
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'nginx', '--platform', 'process', '--exec', '/usr/sbin/nginx', '--tool', 'h2load', '--threads', '1', '--clients', '4', '--requests', '300', '--iterations', '2', '--out', out, '--json'])
    expect(result.error).toBe('')
    expect(result.code).toBe(0)

    const runs = await records(out)
    expect(runs).toHaveLength(2)
    for (const record of runs) {
      expectRequested(record)
      expect(record.figures[0].errors).toBe(0)
      expect(record.service).toMatch(/^\/usr\/sbin\/nginx \(nginx version: nginx\/[\d.]+\)$/)
    }

    expect(await leftoverFolders('nginx')).toEqual(before)
  })

  it('starts redis-server from its binary', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'redis', '--platform', 'process', '--exec', 'redis-server', '--threads', '1', '--clients', '4', '--requests', '300', '--iterations', '1', '--redis-tests', 'ping_inline,incr', '--out', out])
    expect(result.code).toBe(0)
    const [record] = await records(out)
    expectRequested(record)
    expect(record.figures.map((figures) => figures.operation)).toEqual(['PING_INLINE', 'INCR'])
  })

  it('starts mariadbd in a fresh data folder', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'mysql', '--platform', 'process', '--exec', '/usr/sbin/mariadbd', '--threads', '2', '--requests', '40', '--iterations', '1', '--table-size', '100', '--out', out, '--json'])
    expect(result.error).toBe('')
    expect(result.code).toBe(0)
    const [record] = await records(out)
    expectRequested(record)
    expect(record.figures[0].completed).toBe(40)
  })

  it('reports a server that exits at start', async () => {
    const result = await depgraph(['benchmark', 'run', 'redis', '--platform', 'process', '--exec', '/bin/false', '--quick', '--out', await tempDir()])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/^false --version failed/)
  })

  it('rejects a missing server binary', async () => {
    const result = await depgraph(['benchmark', 'run', 'redis', '--platform', 'process', '--exec', '/nonexistent/redis-server', '--quick', '--out', await tempDir()])
    expect(result.code).not.toBe(0)
    expect(result.error).toBe('Server binary /nonexistent/redis-server not found or not executable')
  })
})
