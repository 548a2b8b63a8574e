import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {parseAb} from '../../src/bench/tools/ab.js'
import {ParseError} from '../../src/bench/tools/errors.js'
import {parseH2load} from '../../src/bench/tools/h2load.js'
import {parseRedisCsv} from '../../src/bench/tools/redis-benchmark.js'
import {parseSysbench} from '../../src/bench/tools/sysbench.js'
import {parseWeighttpJson, parseWeighttpText, weighttp} from '../../src/bench/tools/weighttp.js'
import {parseWrk} from '../../src/bench/tools/wrk.js'

const fixture = (name: string): string => readFileSync(path.join(import.meta.dirname, '../fixtures/bench', name), 'utf8')

describe('wrk parser', () => {
  it('reads wrk 4.1 output', () => {
    const figures = parseWrk(fixture('wrk-4.1.0.txt'))
    expect(figures.requestsPerSecond).toBe(39568.15)
    expect(figures.completed).toBe(43533)
    expect(figures.durationSeconds).toBeCloseTo(1.1, 9)
    expect(figures.latencyMeanMs).toBeCloseTo(0.4815, 9)
    expect(figures.errors).toBe(0)
  })

  it('reads wrk output with latency distribution', () => {
    const figures = parseWrk(fixture('wrk-4.1.0-latency.txt'))
    expect(figures.requestsPerSecond).toBeGreaterThan(0)
    expect(figures.latencyMeanMs).not.toBeNull()
  })

  it('counts socket errors and non-2xx responses', () => {
    const text = fixture('wrk-4.1.0.txt').replace('Requests/sec:', '  Socket errors: connect 1, read 2, write 3, timeout 4\n  Non-2xx or 3xx responses: 5\nRequests/sec:')
    expect(parseWrk(text).errors).toBe(15)
  })

  it('quotes the last line of truncated output', () => {
    const text = fixture('wrk-4.1.0.txt').split('\n').slice(0, 5).join('\n')
    expect(() => parseWrk(text)).toThrow(ParseError)
    expect(() => parseWrk(text)).toThrow(/"Requests\/sec:" not found \(last line 5: " {4}Req\/Sec/)
  })
})

describe('ab parser', () => {
  it('reads ab 2.3 output', () => {
    const figures = parseAb(fixture('ab-2.3.txt'))
    expect(figures.requestsPerSecond).toBe(12140.34)
    expect(figures.completed).toBe(200)
    expect(figures.errors).toBe(0)
    expect(figures.latencyMeanMs).toBe(0.329)
    expect(figures.latencyP95Ms).toBe(0)
    expect(figures.durationSeconds).toBe(0.016)
  })

  it('adds non-2xx responses to errors', () => {
    const text = fixture('ab-2.3.txt').replace('Total transferred:', 'Non-2xx responses:      7\nTotal transferred:')
    expect(parseAb(text).errors).toBe(7)
  })
})

describe('h2load parser', () => {
  it('reads h2load 1.52 output', () => {
    const figures = parseH2load(fixture('h2load-1.52.0.txt'))
    expect(figures.requestsPerSecond).toBe(41623.31)
    expect(figures.completed).toBe(200)
    expect(figures.errors).toBe(0)
    expect(figures.durationSeconds).toBeCloseTo(0.00481, 9)
    expect(figures.latencyMeanMs).toBeCloseTo(0.077, 9)
  })

  it('rejects output without a summary', () => {
    expect(() => parseH2load('starting benchmark...\n')).toThrow(/last line 1: "starting benchmark\.\.\."/)
  })
})

describe('weighttp parser', () => {
  it('reads the 0.4 text summary', () => {
    const figures = parseWeighttpText(fixture('weighttp-0.4.txt'))
    expect(figures.requestsPerSecond).toBe(16000)
    expect(figures.completed).toBe(200)
    expect(figures.errors).toBe(2)
    expect(figures.durationSeconds).toBeCloseTo(0.0125, 9)
    expect(figures.latencyMeanMs).toBeNull()
  })

  it('reads the 0.5 JSON report', () => {
    const figures = parseWeighttpJson(fixture('weighttp-0.5.txt'))
    expect(figures.requestsPerSecond).toBe(11997)
    expect(figures.completed).toBe(200)
    expect(figures.errors).toBe(0)
    expect(figures.durationSeconds).toBe(0.01667)
    expect(figures.latencyMeanMs).toBeCloseTo(0.303, 9)
    expect(figures.latencyP95Ms).toBeCloseTo(0.47, 9)
  })

  it('chooses the format from the output', () => {
    expect(weighttp.parse(fixture('weighttp-0.4.txt'), {threads: 2, clients: 4, requests: 200, duration: null})[0].errors).toBe(2)
    expect(weighttp.parse(fixture('weighttp-0.5.txt'), {threads: 2, clients: 4, requests: 200, duration: null})[0].latencyP95Ms).not.toBeNull()
  })

  it('quotes a broken JSON report', () => {
    const text = fixture('weighttp-0.5.txt').replace('"secs_elapsed": 0.016670,', '"secs_elapsed": ,')
    expect(() => parseWeighttpJson(text)).toThrow(/line 17: "\{"; expected a JSON report/)
  })

  it('rejects an invalid grid point', () => {
    expect(weighttp.reject({threads: 4, clients: 2, requests: 100, duration: null}, '0.4')).toMatch(/threads <= clients <= requests/)
    expect(weighttp.reject({threads: 1, clients: 200, requests: 100, duration: null}, '0.4')).toMatch(/threads <= clients <= requests/)
    expect(weighttp.reject({threads: 1, clients: 2, requests: 100, duration: null}, '0.4')).toBeNull()
  })
})

describe('redis-benchmark parser', () => {
  it('reads the CSV of Redis 7 with latency columns', () => {
    const figures = parseRedisCsv(fixture('redis-benchmark-7.0.csv'))
    expect(figures.map((f) => f.operation)).toEqual(['SET', 'GET', 'LPUSH'])
    expect(figures[0].requestsPerSecond).toBe(45454.55)
    expect(figures[0].latencyMeanMs).toBe(0.056)
    expect(figures[0].latencyP95Ms).toBe(0.087)
  })

  it('reads the CSV of Redis before 6.2', () => {
    const figures = parseRedisCsv(fixture('redis-benchmark-5.0.csv'))
    expect(figures).toHaveLength(18)
    expect(figures[13].operation).toBe('LRANGE_100 (first 100 elements)')
    expect(figures[13].requestsPerSecond).toBe(22026.43)
    expect(figures[13].latencyMeanMs).toBeNull()
  })

  it('quotes a row that is not CSV', () => {
    expect(() => parseRedisCsv('"SET","100.00"\nERROR: connection lost\n')).toThrow(/line 2: "ERROR: connection lost"/)
  })

  it('rejects a row with a missing column', () => {
    const text = fixture('redis-benchmark-7.0.csv').replace('"GET","34482.76",', '"GET",')
    expect(() => parseRedisCsv(text)).toThrow(/line 3: .*expected 8 fields/)
  })
})

describe('sysbench parser', () => {
  it('reads sysbench 1.0.20 OLTP output', () => {
    const figures = parseSysbench(fixture('sysbench-1.0.20-run.txt'))
    expect(figures.requestsPerSecond).toBe(1160.35)
    expect(figures.queriesPerSecond).toBe(23207.07)
    expect(figures.completed).toBe(200)
    expect(figures.errors).toBe(0)
    expect(figures.latencyMeanMs).toBe(1.7)
    expect(figures.latencyP95Ms).toBe(2.91)
    expect(figures.durationSeconds).toBe(0.1717)
  })

  it('rejects output without transactions', () => {
    expect(() => parseSysbench('FATAL: unable to connect to MySQL server\n')).toThrow(/"transactions: N \(R per sec\.\)" not found \(last line 1: "FATAL/)
  })
})
