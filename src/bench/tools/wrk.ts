import type {Figures} from '../types.js'
import {parseFailure} from './errors.js'
import {matchNumber, toMilliseconds, versionOutput, type Tool} from './tool.js'

/**
 * wrk (4.x). It runs for a fixed time, so a grid point's request count does
 * not apply: the runner gives it a duration instead.
 */
export const wrk: Tool = {
  name: 'wrk',
  suites: ['nginx'],
  binary: 'wrk',
  installHint: 'install the Debian package wrk',

  async version(toolPath) {
    const output = await versionOutput(toolPath, ['-v'])
    return /^wrk (\S+)/m.exec(output)?.[1] ?? 'unknown'
  },

  reject(point) {
    if (point.duration === null) return 'wrk runs for a fixed time and needs a duration'
    if (point.clients === null || point.clients < point.threads) {
      return `wrk needs connections >= threads (threads ${point.threads}, clients ${point.clients})`
    }

    return null
  },

  args(point, target) {
    return ['-t', String(point.threads), '-c', String(point.clients), '-d', `${point.duration}s`, '--latency', target.url]
  },

  parse(stdout) {
    return [parseWrk(stdout)]
  },
}

/** Parses wrk's summary: "Requests/sec:", "N requests in Ts", the latency row and the socket error counts. */
export function parseWrk(stdout: string): Figures {
  const rate = matchNumber(stdout, /^Requests\/sec:\s+([\d.]+)/m)
  if (rate === null) parseFailure('wrk', stdout, '"Requests/sec:"')

  const total = /^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h),/m.exec(stdout)
  if (total === null) parseFailure('wrk', stdout, '"N requests in T"')

  const latency = /^\s*Latency\s+([\d.]+)(us|ms|s|m|h)\s/m.exec(stdout)
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
  const non2xx = matchNumber(stdout, /Non-2xx or 3xx responses: (\d+)/)
  const errors = (socketErrors ? socketErrors.slice(1).reduce((sum, count) => sum + Number(count), 0) : 0) + (non2xx ?? 0)

  return {
    operation: null,
    requestsPerSecond: rate,
    latencyMeanMs: latency ? toMilliseconds(Number(latency[1]), latency[2]) : null,
    latencyP95Ms: null,
    completed: Number(total[1]),
    errors,
    durationSeconds: toMilliseconds(Number(total[2]), total[3]) / 1000,
  }
}

