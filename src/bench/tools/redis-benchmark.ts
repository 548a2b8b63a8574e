import type {Figures} from '../types.js'
import {lineFailure, parseFailure} from './errors.js'
import {versionOutput, type Tool} from './tool.js'

/** Returns true when a redis-benchmark version is at least major.minor. */
function atLeast(version: string, major: number, minor: number): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version)
  if (match === null) return false
  const [found, foundMinor] = [Number(match[1]), Number(match[2])]
  return found > major || (found === major && foundMinor >= minor)
}

/** redis-benchmark with --csv; `--threads` exists from Redis 6.0. */
export const redisBenchmark: Tool = {
  name: 'redis-benchmark',
  suites: ['redis'],
  binary: 'redis-benchmark',
  installHint: 'install the Debian package redis-tools',

  async version(toolPath) {
    const output = await versionOutput(toolPath, ['--version'])
    return /redis-benchmark (\d[\w.]*)/.exec(output)?.[1] ?? 'unknown'
  },

  reject(point, version) {
    if (point.requests === null || point.clients === null) return 'redis-benchmark needs clients and requests'
    if (point.threads > 1 && !atLeast(version, 6, 0)) {
      return `redis-benchmark ${version} has no --threads option (added in Redis 6.0)`
    }

    return null
  },

  args(point, target, options, version) {
    const args = ['-h', target.host, '-p', String(target.port), '-c', String(point.clients), '-n', String(point.requests)]
    if (atLeast(version, 6, 0)) args.push('--threads', String(point.threads))
    if (options.redisTests.length > 0) args.push('-t', options.redisTests.join(','))
    args.push('--csv')
    return args
  },

  parse(stdout) {
    return parseRedisCsv(stdout)
  },
}

/** Splits one CSV row of double-quoted fields, as redis-benchmark writes them. */
function splitRow(line: string): string[] | null {
  if (!/^"[^"]*"(,"[^"]*")*$/.test(line)) return null
  return [...line.matchAll(/"([^"]*)"/g)].map((match) => match[1])
}

/**
 * Parses redis-benchmark --csv. Before 6.2 each row is `"TEST","RPS"`; from
 * 6.2 a header row names the columns, with latencies in milliseconds.
 */
export function parseRedisCsv(stdout: string): Figures[] {
  const lines = stdout.split('\n').map((line) => line.trim())
  let columns = ['test', 'rps']
  const figures: Figures[] = []

  for (const [index, line] of lines.entries()) {
    if (line === '') continue
    const fields = splitRow(line)
    if (fields === null) lineFailure('redis-benchmark', index + 1, line, 'a CSV row of quoted fields')

    if (fields[0] === 'test') {
      columns = fields
      continue
    }

    if (fields.length !== columns.length) lineFailure('redis-benchmark', index + 1, line, `${columns.length} fields`)
    figures.push(rowFigures(fields, columns, index + 1, line))
  }

  if (figures.length === 0) parseFailure('redis-benchmark', stdout, 'a CSV row')
  return figures
}

function rowFigures(fields: string[], columns: string[], lineNumber: number, line: string): Figures {
  const value = (column: string): number | null => {
    const at = columns.indexOf(column)
    if (at < 0) return null
    const number = Number(fields[at])
    if (!Number.isFinite(number)) lineFailure('redis-benchmark', lineNumber, line, `a number in column "${column}"`)
    return number
  }

  // NOTE: the CSV has no request or error counts; redis-benchmark runs each
  // test for exactly -n requests and prints server errors on stderr.
  return {
    operation: fields[0],
    requestsPerSecond: value('rps') as number,
    latencyMeanMs: value('avg_latency_ms'),
    latencyP95Ms: value('p95_latency_ms'),
    completed: null,
    errors: 0,
    durationSeconds: null,
  }
}
