import type {Figures} from '../types.js'
import {parseFailure} from './errors.js'
import {matchNumber, versionOutput, type Tool} from './tool.js'

/** ApacheBench 2.3; single-threaded, so only threads = 1 runs. */
export const ab: Tool = {
  name: 'ab',
  suites: ['nginx'],
  binary: 'ab',
  installHint: 'install the Debian package apache2-utils',

  async version(toolPath) {
    const output = await versionOutput(toolPath, ['-V'])
    return /Version (\S+)/.exec(output)?.[1] ?? 'unknown'
  },

  reject(point) {
    if (point.threads !== 1) return `ab is single-threaded (threads ${point.threads})`
    if (point.requests === null || point.clients === null) return 'ab needs clients and requests'
    if (point.clients > point.requests) return `ab needs clients <= requests (clients ${point.clients}, requests ${point.requests})`
    // ab's MAX_CONCURRENCY.
    if (point.clients > 20_000) return `ab allows at most 20000 clients (clients ${point.clients})`
    return null
  },

  args(point, target) {
    return ['-q', '-n', String(point.requests), '-c', String(point.clients), target.url]
  },

  parse(stdout) {
    return [parseAb(stdout)]
  },
}

/** Parses ab's report: complete and failed requests, the rate, the mean time per request and the 95 % row. */
export function parseAb(stdout: string): Figures {
  const completed = matchNumber(stdout, /^Complete requests:\s+(\d+)/m)
  if (completed === null) parseFailure('ab', stdout, '"Complete requests:"')

  const rate = matchNumber(stdout, /^Requests per second:\s+([\d.]+)/m)
  if (rate === null) parseFailure('ab', stdout, '"Requests per second:"')

  const failed = matchNumber(stdout, /^Failed requests:\s+(\d+)/m) ?? 0
  const non2xx = matchNumber(stdout, /^Non-2xx responses:\s+(\d+)/m) ?? 0

  return {
    operation: null,
    requestsPerSecond: rate,
    // The first "Time per request" line is the mean over each client's requests, in ms.
    latencyMeanMs: matchNumber(stdout, /^Time per request:\s+([\d.]+) \[ms\] \(mean\)$/m),
    latencyP95Ms: matchNumber(stdout, /^\s+95%\s+(\d+)/m),
    completed,
    errors: failed + non2xx,
    durationSeconds: matchNumber(stdout, /^Time taken for tests:\s+([\d.]+) seconds/m),
  }
}
