import {spawn, type ChildProcess} from 'node:child_process'

import {ToolMissingError} from './tools/errors.js'

export interface ToolOutput {
  stdout: string
  stderr: string
}

const running = new Set<ChildProcess>()
let interrupted = false

/** Stops every tool that runTool started and that still runs, by its PID (for Ctrl-C). */
export function stopRunningTools(): void {
  interrupted = true
  for (const child of running) child.kill('SIGTERM')
}

/** Returns the last non-empty line of a text, for error messages. */
export function lastLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '').pop() ?? ''
}

/**
 * Runs a tool to completion and returns its output. Throws when it cannot
 * start, exits with a non-zero status, dies from a signal or runs longer
 * than `timeoutSeconds` (then it is killed by its PID).
 */
export function runTool(toolPath: string, args: string[], timeoutSeconds: number): Promise<ToolOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath, args, {stdio: ['ignore', 'pipe', 'pipe']})
    running.add(child)
    const stdout: Buffer[] = []
    const stderr: Buffer[] = []
    let timedOut = false

    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGTERM')
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 2000).unref()
    }, timeoutSeconds * 1000)

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      running.delete(child)
      reject(error.code === 'ENOENT' ? new ToolMissingError(`${toolPath} not found`) : error)
    })

    child.once('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      const output = {stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8')}
      const name = toolPath.split('/').pop()
      const quoted = lastLine(output.stderr) || lastLine(output.stdout)

      if (interrupted) reject(new Error(`${name} was stopped by an interrupt`))
      else if (timedOut) reject(new Error(`${name} timed out after ${timeoutSeconds} s and was stopped; check the target or raise --timeout`))
      else if (signal !== null) reject(new Error(`${name} crashed (${signal}); last output: "${quoted}"`))
      else if (code !== 0) reject(new Error(`${name} exited with status ${code}: "${quoted}"`))
      else resolve(output)
    })
  })
}
