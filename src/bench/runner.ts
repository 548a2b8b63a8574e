import {mkdir} from 'node:fs/promises'
import path from 'node:path'

import {runTool} from './exec.js'
import {expandGrid, pointKey, type GridSpec} from './grid.js'
import {readMachine, writeMachine} from './machine.js'
import {appendRecord, checkSuite, readRecords, RUNS_FILE, writeRaw, type RunRecord} from './results.js'
import {probeTarget} from './target.js'
import type {Tool} from './tools/tool.js'
import type {GridPoint, Suite, Target, ToolOptions, ToolVersion} from './types.js'

/** Position of the runner in the grid, for a progress display. */
export interface Progress {
  done: number
  total: number
  point: GridPoint
  iteration: number
  /** Estimate of the seconds left, from the time taken per request (or per second of wrk) so far; null before the first run. */
  etaSeconds: number | null
}

export interface RunPlan {
  suite: Suite
  platform: string
  /** Service that depgraph started (image, binary, disk image); absent for --target. */
  service?: string
  tool: Tool
  version: ToolVersion
  target: Target
  grid: GridSpec
  options: ToolOptions
  out: string
  resume: boolean
  timeoutSeconds: number
  onProgress?: (progress: Progress) => void
}

export interface RunSummary {
  out: string
  ran: number
  skipped: number
  resumed: number
}

interface Step {
  point: GridPoint
  iteration: number
  weight: number
}

/** Runs every point of the grid against the target, appending one record per run to runs.jsonl. */
export async function runSuite(plan: RunPlan): Promise<RunSummary> {
  await mkdir(plan.out, {recursive: true})
  const previous = await readRecords(plan.out)
  checkSuite(plan.out, previous, plan.suite)
  const mine = previous.filter((record) => record.platform === plan.platform && record.tool === plan.tool.name)
  if (!plan.resume && mine.length > 0) {
    throw new Error(`${path.join(plan.out, RUNS_FILE)} already has ${plan.platform} runs with ${plan.tool.name}; pass --resume to skip the finished points, or choose another --out folder`)
  }

  await writeMachine(plan.out, await readMachine())
  const finished = new Set(mine.filter((record) => record.status !== 'failed').map((record) => pointKey(record.parameters, record.iteration)))
  const summary: RunSummary = {out: plan.out, ran: 0, skipped: 0, resumed: 0}
  const steps = await recordSkips(plan, finished, summary)
  const todo = steps.filter((step) => !finished.has(pointKey(step.point, step.iteration)))
  summary.resumed = steps.length - todo.length
  if (todo.length === 0) return summary

  await probeTarget(plan.target, 5000)
  await runCommands(plan, plan.tool.setup?.(plan.target, plan.options) ?? [])

  try {
    await runSteps(plan, todo, summary)
  } finally {
    await runCommands(plan, plan.tool.teardown?.(plan.target, plan.options) ?? []).catch(() => undefined)
  }

  return summary
}

/** Appends a skipped record for each new point the tool cannot run, and returns the steps it can. */
async function recordSkips(plan: RunPlan, finished: Set<string>, summary: RunSummary): Promise<Step[]> {
  const steps: Step[] = []
  const timeBased = plan.tool.name === 'wrk'

  for (const point of expandGrid(plan.grid, timeBased)) {
    const reason = plan.tool.reject(point, plan.version.version)
    if (reason !== null) {
      summary.skipped += 1
      if (!finished.has(pointKey(point, 0))) await appendRecord(plan.out, baseRecord(plan, point, 0, 'skipped', reason))
      continue
    }

    for (let iteration = 1; iteration <= plan.grid.iterations; iteration++) {
      steps.push({point, iteration, weight: point.requests ?? point.duration ?? 1})
    }
  }

  return steps
}

async function runSteps(plan: RunPlan, todo: Step[], summary: RunSummary): Promise<void> {
  const started = Date.now()
  const totalWeight = todo.reduce((sum, step) => sum + step.weight, 0)
  let doneWeight = 0

  for (const [index, step] of todo.entries()) {
    const elapsed = (Date.now() - started) / 1000
    const etaSeconds = doneWeight === 0 ? null : (elapsed / doneWeight) * (totalWeight - doneWeight)
    plan.onProgress?.({done: index, total: todo.length, point: step.point, iteration: step.iteration, etaSeconds})

    await runStep(plan, step)
    summary.ran += 1
    doneWeight += step.weight
  }

  plan.onProgress?.({done: todo.length, total: todo.length, point: todo[todo.length - 1].point, iteration: todo[todo.length - 1].iteration, etaSeconds: 0})
}

/** Runs one iteration of one point; on failure appends a failed record and throws with the point named. */
async function runStep(plan: RunPlan, step: Step): Promise<void> {
  const record = baseRecord(plan, step.point, step.iteration, 'ok')
  const name = `${plan.platform}-${plan.tool.name}-${pointKey(step.point, step.iteration).replaceAll('/', '-')}`
  const args = plan.tool.args(step.point, plan.target, plan.options, plan.version.version)

  try {
    const output = await runTool(plan.version.path, args, plan.timeoutSeconds)
    record.raw = await writeRaw(plan.out, name, output.stdout, output.stderr)
    record.figures = plan.tool.parse(output.stdout, step.point)
  } catch (error) {
    record.status = 'failed'
    record.reason = (error as Error).message
    record.finishedAt = new Date().toISOString()
    await appendRecord(plan.out, record)
    const where = `threads ${step.point.threads}, clients ${step.point.clients ?? '-'}, requests ${step.point.requests ?? '-'}, iteration ${step.iteration}`
    throw new Error(`${record.reason} (at ${where}; finished runs are kept in ${path.join(plan.out, RUNS_FILE)}, rerun with --resume)`)
  }

  record.finishedAt = new Date().toISOString()
  await appendRecord(plan.out, record)
}

function baseRecord(plan: RunPlan, point: GridPoint, iteration: number, status: RunRecord['status'], reason?: string): RunRecord {
  const now = new Date().toISOString()
  return {
    suite: plan.suite,
    platform: plan.platform,
    tool: plan.tool.name,
    toolVersion: plan.version.version,
    target: `${plan.target.host}:${plan.target.port}`,
    ...(plan.service === undefined ? {} : {service: plan.service}),
    parameters: point,
    iteration,
    status,
    ...(reason === undefined ? {} : {reason}),
    figures: [],
    raw: null,
    startedAt: now,
    finishedAt: now,
  }
}

/** Runs the tool's setup or teardown commands (sysbench prepare and cleanup). */
async function runCommands(plan: RunPlan, commands: string[][]): Promise<void> {
  for (const args of commands) {
    try {
      await runTool(plan.version.path, args, plan.timeoutSeconds)
    } catch (error) {
      throw new Error(`${plan.tool.name} ${args[args.length - 1]} failed: ${(error as Error).message}`)
    }
  }
}

