import type {Figures} from '../types.js'
import {parseFailure} from './errors.js'
import {matchNumber, toMilliseconds, versionOutput, type Tool} from './tool.js'

/** h2load from nghttp2; speaks HTTP/1.1 (--h1) to plain http:// targets. */
export const h2load: Tool = {
  name: 'h2load',
  suites: ['nginx'],
  binary: 'h2load',
  installHint: 'install the Debian package nghttp2-client',

  async version(toolPath) {
    const output = await versionOutput(toolPath, ['--version'])
    return /h2load nghttp2\/(\S+)/.exec(output)?.[1] ?? 'unknown'
  },

  reject(point) {
    if (point.requests === null || point.clients === null) return 'h2load needs clients and requests'
    if (point.clients < point.threads) return `h2load needs clients >= threads (threads ${point.threads}, clients ${point.clients})`
    if (point.requests < point.clients) return `h2load needs requests >= clients (clients ${point.clients}, requests ${point.requests})`
    return null
  },

  args(point, target) {
    const protocol = target.url.startsWith('http://') ? ['--h1'] : []
    return [...protocol, '-n', String(point.requests), '-c', String(point.clients), '-t', String(point.threads), target.url]
  },

  parse(stdout) {
    return [parseH2load(stdout)]
  },
}

/** Parses h2load's "finished in", "requests:" and "time for request:" lines. */
export function parseH2load(stdout: string): Figures {
  const finished = /^finished in ([\d.]+)(us|ms|s|m|h), ([\d.]+) req\/s/m.exec(stdout)
  if (finished === null) parseFailure('h2load', stdout, '"finished in T, R req/s"')

  const requests = /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/m.exec(stdout)
  if (requests === null) parseFailure('h2load', stdout, '"requests: N total, …"')

  const latency = /^time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)\s/m.exec(stdout)

  return {
    operation: null,
    requestsPerSecond: Number(finished[3]),
    latencyMeanMs: latency ? toMilliseconds(Number(latency[1]), latency[2]) : null,
    latencyP95Ms: null,
    completed: Number(requests[3]),
    // h2load counts errored and timed-out requests as failed too.
    errors: Number(requests[5]),
    durationSeconds: toMilliseconds(Number(finished[1]), finished[2]) / 1000,
  }
}

