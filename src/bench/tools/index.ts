import type {Suite} from '../types.js'
import {ab} from './ab.js'
import {h2load} from './h2load.js'
import {redisBenchmark} from './redis-benchmark.js'
import {sysbench} from './sysbench.js'
import type {Tool} from './tool.js'
import {weighttp} from './weighttp.js'
import {wrk} from './wrk.js'

export const TOOLS: Tool[] = [weighttp, wrk, ab, h2load, redisBenchmark, sysbench]

/** Looks a tool up by name; throws naming the tools that run the suite. */
export function toolByName(name: string, suite: Suite): Tool {
  const tool = TOOLS.find((candidate) => candidate.name === name)
  const names = TOOLS.filter((candidate) => candidate.suites.includes(suite)).map((candidate) => candidate.name)
  if (tool === undefined || !tool.suites.includes(suite)) {
    throw new Error(`Tool "${name}" cannot run the ${suite} suite; choose one of: ${names.join(', ')}`)
  }

  return tool
}
