import {mkdtemp, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {expandGrid, parseCounts, STUDY_GRIDS} from '../../src/bench/grid.js'
import {readMachine} from '../../src/bench/machine.js'
import {checkSuite, readRecords} from '../../src/bench/results.js'
import {progressLine} from '../../src/bench/progress.js'
import {isLoopback, parseTarget} from '../../src/bench/target.js'

describe('grid', () => {
  it('expands the study grid for nginx', () => {
    expect(expandGrid(STUDY_GRIDS.nginx, false)).toHaveLength(4 * 4 * 3)
  })

  it('expands mysql without clients', () => {
    const points = expandGrid(STUDY_GRIDS.mysql, false)
    expect(points).toHaveLength(7 * 3)
    expect(points.every((point) => point.clients === null)).toBe(true)
  })

  it('gives a time-based tool durations', () => {
    const points = expandGrid({...STUDY_GRIDS.nginx, duration: 3}, true)
    expect(points).toHaveLength(16)
    expect(points[0]).toEqual({threads: 1, clients: 64, requests: null, duration: 3})
  })

  it('parses a count list', () => {
    expect(parseCounts('--threads', '1, 32,64')).toEqual([1, 32, 64])
  })

  it('rejects invalid counts', () => {
    for (const bad of ['', '0', '1,x', '-4', '2.5', '1,,2']) {
      expect(() => parseCounts('--clients', bad)).toThrow(/Invalid --clients/)
    }
  })
})

describe('target', () => {
  it('accepts loopback addresses', () => {
    expect(isLoopback('127.0.0.1')).toBe(true)
    expect(isLoopback('127.3.2.1')).toBe(true)
    expect(isLoopback('[::1]')).toBe(true)
    expect(isLoopback('localhost')).toBe(true)
    expect(isLoopback('10.0.0.1')).toBe(false)
    expect(isLoopback('example.org')).toBe(false)
  })

  it('parses host:port and URLs', () => {
    expect(parseTarget('127.0.0.1:6380', 'redis', false)).toEqual({host: '127.0.0.1', port: 6380, url: 'http://127.0.0.1:6380/'})
    expect(parseTarget('http://[::1]:8080/index.html', 'nginx', false)).toEqual({host: '::1', port: 8080, url: 'http://[::1]:8080/index.html'})
    expect(parseTarget('localhost', 'mysql', false).port).toBe(3306)
  })

  it('rejects a remote target without --allow-remote', () => {
    expect(() => parseTarget('http://192.0.2.7/', 'nginx', false)).toThrow(/not on loopback.*--allow-remote/)
    expect(parseTarget('http://192.0.2.7/', 'nginx', true).host).toBe('192.0.2.7')
  })
})

describe('results', () => {
  it('reads nothing from a new folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-bench-'))
    expect(await readRecords(dir)).toEqual([])
  })

  it('names the line of a corrupt record', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-bench-'))
    await writeFile(path.join(dir, 'runs.jsonl'), '{"suite":"redis","platform":"p","figures":[]}\nnot json\n{"suite":"redis","platform":"p","figures":[]}\n')
    await expect(readRecords(dir)).rejects.toThrow(/runs\.jsonl line 2 is not valid JSON/)
  })

  it('ignores a truncated last line', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-bench-'))
    await writeFile(path.join(dir, 'runs.jsonl'), '{"suite":"redis","platform":"p","figures":[]}\n{"suite":"red')
    expect(await readRecords(dir)).toHaveLength(1)
  })

  it('rejects a folder of another suite', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-bench-'))
    await writeFile(path.join(dir, 'runs.jsonl'), '{"suite":"redis","platform":"p","figures":[]}\n')
    expect(() => checkSuite(dir, [{suite: 'redis'} as never], 'nginx')).toThrow(/contains results of the redis suite, not nginx/)
  })
})

describe('machine', () => {
  it('reads the tuned settings', async () => {
    const machine = await readMachine()
    expect(machine.cores).toBeGreaterThan(0)
    expect(machine.memoryBytes).toBeGreaterThan(0)
    expect(machine.settings.map((setting) => setting.name)).toEqual([
      'fs.file-max', 'net.core.somaxconn', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_tw_reuse',
      'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_keepalive_intvl', 'nofile soft', 'nofile hard',
    ])
    const somaxconn = machine.settings[1]
    expect(somaxconn.value).toMatch(/^\d+$/)
    expect(somaxconn.warning === null).toBe(Number(somaxconn.value) >= 1024)
  })
})

describe('progress line', () => {
  it('shows the point and the estimate', () => {
    const line = progressLine({done: 3, total: 12, point: {threads: 2, clients: 8, requests: 200, duration: null}, iteration: 2, etaSeconds: 125}, 12)
    expect(line).toBe('[###.........] 3/12  threads 2, clients 8, requests 200, iteration 2  2m05s left (estimate)')
  })

  it('waits for the first run before estimating', () => {
    const line = progressLine({done: 0, total: 4, point: {threads: 1, clients: null, requests: 50, duration: null}, iteration: 1, etaSeconds: null}, 4)
    expect(line).toBe('[....] 0/4  threads 1, requests 50, iteration 1  estimating')
  })
})
