import type {Figures, Target, ToolOptions} from '../types.js'
import {parseFailure} from './errors.js'
import {matchNumber, versionOutput, type Tool} from './tool.js'

/** Returns the sysbench options that name the test, the driver and the connection. */
function common(target: Target, options: ToolOptions): string[] {
  const args = [
    'oltp_read_write',
    '--db-driver=mysql',
    `--mysql-host=${target.host}`,
    `--mysql-port=${target.port}`,
    `--mysql-user=${options.mysqlUser}`,
    `--mysql-db=${options.mysqlDatabase}`,
    '--tables=1',
    `--table-size=${options.tableSize}`,
  ]
  if (options.mysqlPassword !== '') args.push(`--mysql-password=${options.mysqlPassword}`)
  return args
}

/** sysbench 1.0 OLTP read/write against MySQL or MariaDB; requests are sysbench events (transactions). */
export const sysbench: Tool = {
  name: 'sysbench',
  suites: ['mysql'],
  binary: 'sysbench',
  installHint: 'install the Debian package sysbench',

  async version(toolPath) {
    const output = await versionOutput(toolPath, ['--version'])
    return /sysbench (\d[\w.]*)/.exec(output)?.[1] ?? 'unknown'
  },

  reject(point) {
    if (point.requests === null) return 'sysbench needs an event count'
    return null
  },

  args(point, target, options) {
    return [...common(target, options), `--threads=${point.threads}`, `--events=${point.requests}`, '--time=0', 'run']
  },

  setup(target, options) {
    return [[...common(target, options), 'cleanup'], [...common(target, options), 'prepare']]
  },

  teardown(target, options) {
    return [[...common(target, options), 'cleanup']]
  },

  parse(stdout) {
    return [parseSysbench(stdout)]
  },
}

/** Parses sysbench's text summary: transactions, queries, ignored errors, total time and the latency block. */
export function parseSysbench(stdout: string): Figures {
  const transactions = /^\s*transactions:\s+(\d+)\s+\(([\d.]+) per sec\.\)/m.exec(stdout)
  if (transactions === null) parseFailure('sysbench', stdout, '"transactions: N (R per sec.)"')

  const events = matchNumber(stdout, /^\s*total number of events:\s+(\d+)/m)
  if (events === null) parseFailure('sysbench', stdout, '"total number of events:"')

  return {
    operation: null,
    requestsPerSecond: Number(transactions[2]),
    latencyMeanMs: matchNumber(stdout, /^\s*avg:\s+([\d.]+)/m),
    latencyP95Ms: matchNumber(stdout, /^\s*95th percentile:\s+([\d.]+)/m),
    completed: events,
    errors: matchNumber(stdout, /^\s*ignored errors:\s+(\d+)/m) ?? 0,
    durationSeconds: matchNumber(stdout, /^\s*total time:\s+([\d.]+)s/m),
    queriesPerSecond: matchNumber(stdout, /^\s*queries:\s+\d+\s+\(([\d.]+) per sec\.\)/m) ?? undefined,
  }
}
