import {execFile} from 'node:child_process'
import {access, constants} from 'node:fs/promises'
import path from 'node:path'

import type {Figures, GridPoint, Suite, Target, ToolOptions, ToolVersion} from '../types.js'
import {ToolMissingError} from './errors.js'

/** A load generator: how to find it, call it and read its output. */
export interface Tool {
  name: string
  suites: Suite[]
  /** Executable name looked up on PATH. */
  binary: string
  /** Install advice for a user who does not have the tool. */
  installHint: string
  /** Returns the version string from the tool's own version output. */
  version(toolPath: string): Promise<string>
  /** Returns why the tool cannot run this point, or null when it can. */
  reject(point: GridPoint, version: string): string | null
  args(point: GridPoint, target: Target, options: ToolOptions, version: string): string[]
  /** Parses the tool's standard output; throws ParseError quoting the offending line. */
  parse(stdout: string, point: GridPoint): Figures[]
  /** Commands to run once before and after the grid (sysbench prepare and cleanup). */
  setup?(target: Target, options: ToolOptions): string[][]
  teardown?(target: Target, options: ToolOptions): string[][]
}

/** Runs a version command and returns stdout and stderr together; the exit status is ignored because some tools (wrk -v) exit 1. */
export function versionOutput(toolPath: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(toolPath, args, {timeout: 10_000}, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new ToolMissingError(`${toolPath} not found`))
        return
      }

      resolve(`${stdout}\n${stderr}`)
    })
  })
}

/** Finds an executable on PATH; returns null when it is absent. */
export async function which(binary: string): Promise<string | null> {
  if (binary.includes('/')) return (await isExecutable(binary)) ? binary : null

  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir === '') continue
    const candidate = path.join(dir, binary)
    if (await isExecutable(candidate)) return candidate
  }

  return null
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** Finds the tool (at `toolPath` if given) and records its version; throws ToolMissingError naming the package to install. */
export async function detectTool(tool: Tool, toolPath?: string): Promise<ToolVersion> {
  const found = await which(toolPath ?? tool.binary)
  if (found === null) {
    throw new ToolMissingError(`${toolPath ?? tool.binary} not found: ${tool.installHint}`)
  }

  return {name: tool.name, path: found, version: await tool.version(found)}
}

/** Converts a figure with a time unit (us, ms, s, m, h) to milliseconds. */
export function toMilliseconds(value: number, unit: string): number {
  const factors: Record<string, number> = {us: 0.001, 'µs': 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000}
  const factor = factors[unit]
  if (factor === undefined) throw new Error(`Unknown time unit "${unit}"`)
  return value * factor
}

/** Returns the first capture of `pattern` in `text` as a number, or null. */
export function matchNumber(text: string, pattern: RegExp): number | null {
  const match = pattern.exec(text)
  return match ? Number(match[1]) : null
}
