import type {GridPoint, Suite} from './types.js'

/** The parameter lists a suite runs over; every combination is one grid point. */
export interface GridSpec {
  threads: number[]
  /** Null for sysbench, which has threads but no separate clients. */
  clients: number[] | null
  requests: number[]
  iterations: number
  /** Seconds each run of a time-based tool (wrk) lasts. */
  duration: number
}

/**
 * The grid of the NixOS containerization study (table 4.4): four
 * iterations of every combination, for mysql threads × events.
 */
export const STUDY_GRIDS: Record<Suite, GridSpec> = {
  nginx: {threads: [1, 32, 64, 128], clients: [64, 128, 512, 1024], requests: [1000, 100_000, 1_000_000], iterations: 4, duration: 10},
  redis: {threads: [1, 32, 64, 128], clients: [16, 64, 512], requests: [1000, 100_000], iterations: 4, duration: 10},
  mysql: {threads: [1, 2, 3, 4, 32, 64, 128], clients: null, requests: [1000, 100_000, 1_000_000], iterations: 4, duration: 10},
}

/** A grid for a smoke test: a few seconds per suite on loopback. */
export const QUICK_GRIDS: Record<Suite, GridSpec> = {
  nginx: {threads: [1, 2], clients: [2, 8], requests: [200], iterations: 2, duration: 1},
  redis: {threads: [1, 2], clients: [2, 8], requests: [200], iterations: 2, duration: 1},
  mysql: {threads: [1, 2], clients: null, requests: [50], iterations: 2, duration: 1},
}

/** Parses a comma-separated list of positive integers from a grid flag; throws naming the flag and the value. */
export function parseCounts(flag: string, value: string): number[] {
  const items = value.split(',').map((item) => item.trim())
  const counts = items.map((item) => (/^\d+$/.test(item) ? Number(item) : Number.NaN))
  const bad = items.find((item, index) => !Number.isSafeInteger(counts[index]) || counts[index] <= 0)
  if (value.trim() === '' || bad !== undefined) {
    throw new Error(`Invalid ${flag} "${value}": "${bad ?? ''}" is not a positive integer; give positive integers separated by commas, such as 1,32,64`)
  }

  return [...new Set(counts)]
}

/** Returns every grid point in a stable order; a time-based tool gets one point per threads × clients with the duration. */
export function expandGrid(spec: GridSpec, timeBased: boolean): GridPoint[] {
  const points: GridPoint[] = []
  const clientsList = spec.clients ?? [null]
  const requestsList = timeBased ? [null] : spec.requests

  for (const threads of spec.threads) {
    for (const clients of clientsList) {
      for (const requests of requestsList) {
        points.push({threads, clients, requests, duration: timeBased ? spec.duration : null})
      }
    }
  }

  return points
}

/** Returns a key that identifies a grid point and iteration in the results. */
export function pointKey(point: GridPoint, iteration: number): string {
  return `t${point.threads}/c${point.clients ?? '-'}/r${point.requests ?? '-'}/d${point.duration ?? '-'}/i${iteration}`
}
