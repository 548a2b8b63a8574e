import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {spread} from '../../src/bench/report.js'
import {depgraph, records, tempDir} from './cli.js'
import {startMariadb, startNginx, startRedis, type TestServer} from './servers.js'

describe('spread', () => {
  it('computes sample statistics', () => {
    expect(spread([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({mean: 5, stddev: Math.sqrt(32 / 7), min: 2, max: 9, n: 8})
  })

  it('gives one value no spread', () => {
    expect(spread([3])).toEqual({mean: 3, stddev: 0, min: 3, max: 3, n: 1})
  })
})

describe('benchmark report', () => {
  let nginx: TestServer
  let redis: TestServer
  let mariadb: TestServer

  beforeAll(async () => {
    ;[nginx, redis, mariadb] = await Promise.all([startNginx(), startRedis(), startMariadb()])
  })

  afterAll(async () => {
    await Promise.all([nginx?.stop(), redis?.stop(), mariadb?.stop()])
  })

  it('summarizes two nginx platforms', async () => {
    const out = await tempDir()
    for (const label of ['podman', 'nix']) {
      const run = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--label', label, '--target', `127.0.0.1:${nginx.port}`, '--threads', '1', '--clients', '2,4', '--requests', '100', '--iterations', '3', '--out', out])
      expect(run.code).toBe(0)
    }

    const result = await depgraph(['benchmark', 'report', out, '--json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    expect(report.files).toEqual(['report.md', 'nginx-throughput.svg'])
    expect(report.rows).toHaveLength(4)
    expect(report.fastest.map((row: {platform: string}) => row.platform)).toEqual(['podman', 'nix'])

    const runs = (await records(out)).filter((record) => record.platform === 'nix' && record.parameters.clients === 4)
    const rates = runs.map((record) => record.figures[0].requestsPerSecond)
    const row = report.rows.find((item: {platform: string; parameters: {clients: number}}) => item.platform === 'nix' && item.parameters.clients === 4)
    expect(row.requestsPerSecond.n).toBe(3)
    expect(row.requestsPerSecond.mean).toBeCloseTo(rates.reduce((sum, rate) => sum + rate, 0) / 3, 9)
    expect(row.requestsPerSecond.min).toBe(Math.min(...rates))
    expect(row.requestsPerSecond.max).toBe(Math.max(...rates))

    const markdown = await readFile(path.join(out, 'report.md'), 'utf8')
    expect(markdown).toContain('## Fastest parameters per platform')
    expect(markdown).toContain('| requests/s (mean ± sd) |')
    expect(markdown).toContain('![nginx-throughput.svg](nginx-throughput.svg)')

    const svg = await readFile(path.join(out, 'nginx-throughput.svg'), 'utf8')
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/)
    expect(svg).toContain('requests/s (mean ± sd)')
    expect(svg).toContain('clients (concurrent connections)')
    expect(svg).toContain('>podman<')
    expect(svg).toContain('>nix<')
    expect(svg.match(/<path d="M/g)).toHaveLength(2)
  })

  it('plots redis operations side by side', async () => {
    const out = await tempDir()
    const run = await depgraph(['benchmark', 'run', 'redis', '--target', `127.0.0.1:${redis.port}`, '--threads', '1', '--clients', '4', '--requests', '300', '--iterations', '2', '--redis-tests', 'set,get', '--out', out])
    expect(run.code).toBe(0)

    const result = await depgraph(['benchmark', 'report', out])
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^target SET: [\d.]+ ± [\d.]+ requests\/s \(n = 2\) at threads 1, clients 4, requests 300$/m)
    const svg = await readFile(path.join(out, 'redis-operations.svg'), 'utf8')
    expect(svg).toContain('>SET<')
    expect(svg).toContain('>GET<')
    expect(svg.match(/<rect [^>]*height="\d/g)?.length).toBeGreaterThanOrEqual(2)
  })

  it('plots mysql transactions against threads', async () => {
    const out = await tempDir()
    const run = await depgraph(['benchmark', 'run', 'mysql', '--target', `127.0.0.1:${mariadb.port}`, '--threads', '1,2', '--requests', '30', '--iterations', '2', '--table-size', '100', '--out', out])
    expect(run.code).toBe(0)

    const result = await depgraph(['benchmark', 'report', out, '--json'])
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout).files).toEqual(['report.md', 'mysql-transactions.svg'])
    const svg = await readFile(path.join(out, 'mysql-transactions.svg'), 'utf8')
    expect(svg).toContain('transactions/s (mean ± sd)')
    expect(svg).toContain('sysbench threads')
    const markdown = await readFile(path.join(out, 'report.md'), 'utf8')
    expect(markdown).toContain('Requests are sysbench transactions (events).')
  })

  it('rejects a folder without runs', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'report', out])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/runs\.jsonl not found or empty; run depgraph benchmark run with --out/)
  })
})
