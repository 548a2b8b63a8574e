/** Text for the Nix closure report and for dependency chains. */
import type {NixPathRow} from '../measure/nix.js'
import type {ArtifactSizes} from '../measure/sizes.js'
import {formatBytes as formatUnitBytes, type UnitSystem} from './units.js'

export type Units = UnitSystem

/** Format bytes, with "n/a" for a figure that could not be measured. */
const formatBytes = (bytes: number | null | undefined, units: Units = 'si'): string => formatUnitBytes(bytes ?? null, units)

export interface ClosureReport {
  name: string
  source: string
  sizes: ArtifactSizes
  reasons: Record<string, string>
  /** Block usage on the live store, shared inodes once; null when not read from one. */
  disk: number | null
  paths: NixPathRow[]
}

export function renderClosure(report: ClosureReport, units: Units, limit: number): string {
  const {sizes} = report
  const lines = [
    `${report.name} (${report.source})`,
    `total ${formatBytes(sizes.total, units)}  base ${formatBytes(sizes.base, units)}  unique ${formatBytes(sizes.unique, units)}` +
      `  unique files ${formatBytes(sizes.uniqueFiles, units)}  disk ${formatBytes(report.disk, units)}`,
    '',
    `${'ADDED'.padStart(10)} ${'NAR'.padStart(10)} ${'REFS'.padStart(4)}  PATH`,
  ]

  for (const row of report.paths.slice(0, limit)) {
    const host = row.onHost ? '  (on host)' : ''
    lines.push(
      `${formatBytes(row.addedSize, units).padStart(10)} ${formatBytes(row.narSize, units).padStart(10)} ` +
        `${String(row.references.length).padStart(4)}  ${row.path}${host}`,
    )
  }

  if (report.paths.length > limit) lines.push(`… ${report.paths.length - limit} more paths (--limit, or --json for all)`)
  return lines.join('\n')
}

/** Render one chain a line, its steps joined by arrows, as nix why-depends prints a chain. */
export function renderChains(chains: string[][]): string {
  return chains.map((chain) => chain.join(' → ')).join('\n')
}
