import type {Figures} from '../types.js'
import {lineFailure, parseFailure} from './errors.js'
import {versionOutput, type Tool} from './tool.js'

/**
 * weighttp, the HTTP tool of the original study. Version 0.4 prints a text
 * summary, 0.5 a JSON object after its progress lines. Debian does not
 * package it, so it is used only when installed.
 */
export const weighttp: Tool = {
  name: 'weighttp',
  suites: ['nginx'],
  binary: 'weighttp',
  installHint: 'weighttp is not packaged in Debian: build it from its sources, or choose --tool wrk, ab or h2load',

  async version(toolPath) {
    // 0.5 has -V; 0.4 has -v but prints its version header before it parses any option.
    const output = await versionOutput(toolPath, ['-V'])
    return /weighttp (\d[\w.-]*)/.exec(output)?.[1] ?? 'unknown'
  },

  reject(point) {
    if (point.requests === null || point.clients === null) return 'weighttp needs clients and requests'
    // weighttp exits with "insane arguments" (0.4) or a config error (0.5) otherwise.
    if (!(point.threads <= point.clients && point.clients <= point.requests)) {
      return `weighttp needs threads <= clients <= requests (threads ${point.threads}, clients ${point.clients}, requests ${point.requests})`
    }

    return null
  },

  args(point, target) {
    return ['-n', String(point.requests), '-c', String(point.clients), '-t', String(point.threads), target.url]
  },

  parse(stdout) {
    return [stdout.includes('"reqs_per_sec"') ? parseWeighttpJson(stdout) : parseWeighttpText(stdout)]
  },
}

/** Parses the 0.4 summary ("finished in S sec, M millisec and U microsec, R req/s" and "requests: …"). */
export function parseWeighttpText(stdout: string): Figures {
  const finished = /^finished in (\d+) sec, (\d+) millisec and (\d+) microsec, (\d+) req\/s/m.exec(stdout)
  if (finished === null) parseFailure('weighttp', stdout, '"finished in … req/s"')

  const requests = /^requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/m.exec(stdout)
  if (requests === null) parseFailure('weighttp', stdout, '"requests: N total, …"')

  return {
    operation: null,
    requestsPerSecond: Number(finished[4]),
    latencyMeanMs: null,
    latencyP95Ms: null,
    completed: Number(requests[3]),
    errors: Number(requests[5]) + Number(requests[6]),
    durationSeconds: Number(finished[1]) + Number(finished[2]) / 1e3 + Number(finished[3]) / 1e6,
  }
}

interface WeighttpTimes {
  avg: number
  unit: string
  '95%'?: number
}

interface WeighttpReport {
  reqs_per_sec: number
  secs_elapsed: number
  request_counts: {retired: number}
  response_counts: {fail: number; errs: number}
  total_times?: WeighttpTimes
}

/** Parses the 0.5 JSON report that follows the progress lines. */
export function parseWeighttpJson(stdout: string): Figures {
  const start = stdout.search(/^\{/m)
  const end = stdout.lastIndexOf('}')
  if (start < 0 || end < start) parseFailure('weighttp', stdout, 'a JSON report')

  let report: WeighttpReport
  try {
    report = JSON.parse(stdout.slice(start, end + 1)) as WeighttpReport
  } catch (error) {
    const lineNumber = stdout.slice(0, start).split('\n').length
    lineFailure('weighttp', lineNumber, stdout.split('\n')[lineNumber - 1], `a JSON report (${(error as Error).message})`)
  }

  if (typeof report.reqs_per_sec !== 'number' || typeof report.request_counts?.retired !== 'number') {
    parseFailure('weighttp', stdout, '"reqs_per_sec" and "request_counts.retired"')
  }

  const times = report.total_times
  const scales: Record<string, number> = {us: 1e-3, ms: 1}
  const scale = times === undefined ? null : (scales[times.unit] ?? null)

  return {
    operation: null,
    requestsPerSecond: report.reqs_per_sec,
    latencyMeanMs: times && scale !== null ? times.avg * scale : null,
    latencyP95Ms: times?.['95%'] !== undefined && scale !== null ? times['95%'] * scale : null,
    completed: report.request_counts.retired,
    errors: (report.response_counts?.fail ?? 0) + (report.response_counts?.errs ?? 0),
    durationSeconds: report.secs_elapsed,
  }
}

