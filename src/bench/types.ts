/** Shared types of the throughput suite. */

export const SUITES = ['nginx', 'redis', 'mysql'] as const
export type Suite = (typeof SUITES)[number]

/** One combination of load parameters. `clients` is null for sysbench, `requests` null for wrk. */
export interface GridPoint {
  threads: number
  clients: number | null
  requests: number | null
  /** Seconds a time-based tool (wrk) runs for; null for tools that send a fixed request count. */
  duration: number | null
}

/** Figures a tool reports for one run, or for one operation of a redis-benchmark run. */
export interface Figures {
  /** Redis command name (SET, GET, …); null for a run that measures one thing. */
  operation: string | null
  /** Completed requests per second (sysbench: transactions per second). */
  requestsPerSecond: number
  /** Mean latency in milliseconds, or null where the tool prints none. */
  latencyMeanMs: number | null
  /** 95th percentile latency in milliseconds, or null where the tool prints none. */
  latencyP95Ms: number | null
  /** Requests (sysbench: events) completed, or null where the tool prints no count. */
  completed: number | null
  /** Failed or errored requests. */
  errors: number
  /** Wall time of the measurement in seconds, or null where the tool prints none. */
  durationSeconds: number | null
  /** sysbench only: queries per second. */
  queriesPerSecond?: number
}

/** Address a benchmark sends its load to. */
export interface Target {
  host: string
  port: number
  /** Full URL for HTTP tools (always ends in a path). */
  url: string
}

/** Options a tool needs beyond the grid point. */
export interface ToolOptions {
  /** redis-benchmark `-t` list; empty means the tool's default list. */
  redisTests: string[]
  mysqlUser: string
  mysqlPassword: string
  mysqlDatabase: string
  /** sysbench `--table-size`. */
  tableSize: number
}

export interface ToolVersion {
  name: string
  path: string
  version: string
}
