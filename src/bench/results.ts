import {createReadStream} from 'node:fs'
import {appendFile, mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import readline from 'node:readline'

import type {Figures, GridPoint, Suite} from './types.js'

export const RUNS_FILE = 'runs.jsonl'
export const RAW_DIR = 'raw'

/** One line of runs.jsonl: one iteration of one grid point, or a point the tool could not run. */
export interface RunRecord {
  suite: Suite
  /** Platform label: podman, nix, osv, process, qemu, or what --label gave. */
  platform: string
  tool: string
  toolVersion: string
  target: string
  /** Service that depgraph started for the run (image, binary or disk image); absent for --target. */
  service?: string
  parameters: GridPoint
  iteration: number
  status: 'ok' | 'skipped' | 'failed'
  /** Reason a point was skipped, or the error of a failed run. */
  reason?: string
  figures: Figures[]
  /** Tool output, relative to the results folder. */
  raw: string | null
  startedAt: string
  finishedAt: string
}

/** Appends one record as a JSON line; each line is written whole, so an interrupted run keeps every finished record. */
export async function appendRecord(dir: string, record: RunRecord): Promise<void> {
  await mkdir(dir, {recursive: true})
  await appendFile(path.join(dir, RUNS_FILE), `${JSON.stringify(record)}\n`)
}

/** Writes a run's tool output beside the records and returns its path relative to `dir`. */
export async function writeRaw(dir: string, name: string, stdout: string, stderr: string): Promise<string> {
  const relative = path.join(RAW_DIR, `${name}.txt`)
  await mkdir(path.join(dir, RAW_DIR), {recursive: true})
  const text = stderr.trim() === '' ? stdout : `${stdout}\n--- stderr ---\n${stderr}`
  await writeFile(path.join(dir, relative), text)
  return relative
}

/**
 * Reads runs.jsonl line by line; returns [] when the folder has none. A
 * truncated last line (from a run killed mid-write) is ignored; any other
 * invalid line throws naming the file and line.
 */
export async function readRecords(dir: string): Promise<RunRecord[]> {
  const file = path.join(dir, RUNS_FILE)
  const records: RunRecord[] = []
  const lines = readline.createInterface({input: createReadStream(file), crlfDelay: Infinity})
  let lineNumber = 0
  let pending: Error | null = null

  try {
    for await (const line of lines) {
      lineNumber += 1
      if (pending) throw pending
      if (line.trim() === '') continue
      const record = parseRecord(line, file, lineNumber)
      if (record instanceof Error) pending = record
      else records.push(record)
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }

  return records
}

function parseRecord(line: string, file: string, lineNumber: number): RunRecord | Error {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return new Error(`${file} line ${lineNumber} is not valid JSON; remove the line or choose another --out folder`)
  }

  const record = value as RunRecord
  if (typeof record !== 'object' || record === null || typeof record.suite !== 'string' || typeof record.platform !== 'string' || !Array.isArray(record.figures)) {
    return new Error(`${file} line ${lineNumber} is not a benchmark run record (suite, platform or figures missing)`)
  }

  return record
}

/** Throws when the folder contains runs of another suite. */
export function checkSuite(dir: string, records: RunRecord[], suite: Suite): void {
  const other = records.find((record) => record.suite !== suite)
  if (other) {
    throw new Error(`${path.join(dir, RUNS_FILE)} contains results of the ${other.suite} suite, not ${suite}; choose another --out folder`)
  }
}
