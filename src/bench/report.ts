import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'

import type {MachineInfo} from './machine.js'
import {renderMarkdown} from './markdown.js'
import {writePlots} from './plots.js'
import {readRecords, RUNS_FILE, type RunRecord} from './results.js'
import type {GridPoint, Suite} from './types.js'

/** Mean, sample standard deviation, minimum and maximum over the iterations of one point. */
export interface Spread {
  mean: number
  stddev: number
  min: number
  max: number
  n: number
}

/** One grid point of one platform (and one redis operation), summarized over its iterations. */
export interface ReportRow {
  platform: string
  tool: string
  toolVersion: string
  operation: string | null
  parameters: GridPoint
  requestsPerSecond: Spread
  latencyMeanMs: Spread | null
  latencyP95Ms: Spread | null
  errors: number
}

export interface BenchReport {
  suite: Suite
  rows: ReportRow[]
  /** Each platform's fastest point by mean requests per second (per operation for redis). */
  fastest: ReportRow[]
  skipped: Array<{platform: string; tool: string; parameters: GridPoint; reason: string}>
  failed: Array<{platform: string; tool: string; parameters: GridPoint; iteration: number; reason: string}>
  machine: MachineInfo | null
}

/** Computes the spread of a list of values; the standard deviation is the sample one (n − 1), 0 for one value. */
export function spread(values: number[]): Spread {
  const n = values.length
  const mean = values.reduce((sum, value) => sum + value, 0) / n
  const variance = n > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1) : 0
  return {mean, stddev: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values), n}
}

function optionalSpread(values: Array<number | null>): Spread | null {
  const present = values.filter((value): value is number => value !== null)
  return present.length === values.length && present.length > 0 ? spread(present) : null
}

function groupKey(record: RunRecord, operation: string | null): string {
  const point = record.parameters
  return JSON.stringify([record.platform, record.tool, operation, point.threads, point.clients, point.requests, point.duration])
}

/** Groups the successful runs by platform, tool, operation and point, and summarizes each group. */
export function summarize(records: RunRecord[]): ReportRow[] {
  const groups = new Map<string, {record: RunRecord; figures: RunRecord['figures']}>()

  for (const record of records.filter((run) => run.status === 'ok')) {
    for (const figures of record.figures) {
      const key = groupKey(record, figures.operation)
      const group = groups.get(key) ?? {record, figures: []}
      group.figures.push(figures)
      groups.set(key, group)
    }
  }

  return [...groups.values()].map(({record, figures}) => ({
    platform: record.platform,
    tool: record.tool,
    toolVersion: record.toolVersion,
    operation: figures[0].operation,
    parameters: record.parameters,
    requestsPerSecond: spread(figures.map((item) => item.requestsPerSecond)),
    latencyMeanMs: optionalSpread(figures.map((item) => item.latencyMeanMs)),
    latencyP95Ms: optionalSpread(figures.map((item) => item.latencyP95Ms)),
    errors: figures.reduce((sum, item) => sum + item.errors, 0),
  }))
}

/** Picks, for each platform (and operation), the row with the highest mean requests per second. */
export function fastestRows(rows: ReportRow[]): ReportRow[] {
  const best = new Map<string, ReportRow>()
  for (const row of rows) {
    const key = JSON.stringify([row.platform, row.operation])
    const current = best.get(key)
    if (current === undefined || row.requestsPerSecond.mean > current.requestsPerSecond.mean) best.set(key, row)
  }

  return [...best.values()]
}

async function readMachineFile(dir: string): Promise<MachineInfo | null> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'machine.json'), 'utf8')) as MachineInfo
  } catch {
    return null
  }
}

/** Reads a results folder and builds the report. Throws when the folder has no successful runs or runs of several suites. */
export async function buildReport(dir: string): Promise<BenchReport> {
  const records = await readRecords(dir)
  if (records.length === 0) throw new Error(`${path.join(dir, RUNS_FILE)} not found or empty; run depgraph benchmark run with --out ${dir} first`)

  const suites = [...new Set(records.map((record) => record.suite))]
  if (suites.length > 1) throw new Error(`${path.join(dir, RUNS_FILE)} mixes the suites ${suites.join(', ')}; keep one suite per folder`)

  const rows = summarize(records)
  if (rows.length === 0) throw new Error(`${path.join(dir, RUNS_FILE)} has no successful runs to report`)

  return {
    suite: suites[0],
    rows,
    fastest: fastestRows(rows),
    skipped: records.filter((record) => record.status === 'skipped').map((record) => ({platform: record.platform, tool: record.tool, parameters: record.parameters, reason: record.reason ?? ''})),
    failed: records.filter((record) => record.status === 'failed').map((record) => ({platform: record.platform, tool: record.tool, parameters: record.parameters, iteration: record.iteration, reason: record.reason ?? ''})),
    machine: await readMachineFile(dir),
  }
}


/** Builds the report of a results folder and writes report.md and the SVG plot into it. */
export async function writeReport(dir: string): Promise<BenchReport & {files: string[]}> {
  const report = await buildReport(dir)
  const plots = await writePlots(dir, report)
  await writeFile(path.join(dir, 'report.md'), renderMarkdown(report, plots))
  return {...report, files: ['report.md', ...plots]}
}
