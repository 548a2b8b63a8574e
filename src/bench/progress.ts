import type {Progress} from './runner.js'

function formatSeconds(seconds: number): string {
  const rounded = Math.round(seconds)
  if (rounded < 60) return `${rounded}s`
  if (rounded < 3600) return `${Math.floor(rounded / 60)}m${String(rounded % 60).padStart(2, '0')}s`
  return `${Math.floor(rounded / 3600)}h${String(Math.floor((rounded % 3600) / 60)).padStart(2, '0')}m`
}

/** Formats one progress line: a bar, the point and iteration, and the estimated time left. */
export function progressLine(progress: Progress, width = 24): string {
  const filled = progress.total === 0 ? width : Math.round((progress.done / progress.total) * width)
  const bar = `${'#'.repeat(filled)}${'.'.repeat(width - filled)}`
  const {point} = progress
  const parts = [`threads ${point.threads}`]
  if (point.clients !== null) parts.push(`clients ${point.clients}`)
  if (point.requests !== null) parts.push(`requests ${point.requests}`)
  if (point.duration !== null) parts.push(`${point.duration}s`)
  const eta = progress.etaSeconds === null ? 'estimating' : `${formatSeconds(progress.etaSeconds)} left (estimate)`
  return `[${bar}] ${progress.done}/${progress.total}  ${parts.join(', ')}, iteration ${progress.iteration}  ${eta}`
}
