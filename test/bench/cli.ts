// Runs the compiled depgraph CLI for the benchmark tests.
import {execFile} from 'node:child_process'
import {mkdtemp, readFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import type {RunRecord} from '../../src/bench/results.js'

export const root = path.resolve(import.meta.dirname, '../..')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** The error message, unwrapped from oclif's terminal layout or read from the --json error object. */
  error: string
}

function errorMessage(stdout: string, stderr: string): string {
  try {
    const parsed = JSON.parse(stdout) as {error?: {message?: string}}
    if (parsed.error?.message) return parsed.error.message
  } catch {
    // Not JSON: the message is on stderr.
  }

  return stderr.replace(/\s*\n ›\s+/g, ' ').replace(/^\s*›\s+Error: /, '').trim()
}

export function depgraph(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile('node', [path.join(root, 'bin/run.js'), ...args], {cwd: root, timeout: 300_000, env}, (error, stdout, stderr) => {
      resolve({code: error ? ((error as {code?: number}).code ?? 1) : 0, stdout, stderr, error: errorMessage(stdout, stderr)})
    })
  })
}

export async function records(dir: string): Promise<RunRecord[]> {
  const text = await readFile(path.join(dir, 'runs.jsonl'), 'utf8')
  return text.trim().split('\n').map((line) => JSON.parse(line) as RunRecord)
}

export const tempDir = (): Promise<string> => mkdtemp(path.join(os.tmpdir(), 'depgraph-bench-out-'))
