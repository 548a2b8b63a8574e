import {type ComparisonRow, STUDY_FIGURES} from '../measure/comparison.js'
import {renderTable} from './table.js'
import {formatBytes, type UnitSystem} from './units.js'


/** Format a ratio as a percentage with one decimal, or "n/a". */
export function formatShare(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`
}

/** Cell text for a platform whose input could not be read; the errors are listed under the tables. */
export const FAILED_CELL = 'error'

function withStudy(bytes: number | null, study: number | undefined, units: UnitSystem, failed = false): string {
  const ours = failed ? FAILED_CELL : formatBytes(bytes, units)
  return study === undefined ? ours : `${ours} (${study} MB)`
}

/** Table 1: storage per application and platform, the study's figures in brackets. */
export function storageTable(rows: ComparisonRow[], units: UnitSystem): string {
  const header = ['app', 'Podman total', 'Podman base', 'OSv image', 'OSv mounted', 'Nix total', 'Nix unique']
  const body = rows.map((row) => {
    const study = STUDY_FIGURES[row.app]
    return [
      row.app,
      withStudy(row.podmanTotal, study?.podmanTotal, units, 'podman' in row.missing),
      withStudy(row.podmanBase, study?.podmanBase, units, 'podman' in row.missing),
      withStudy(row.osvImage, study?.osvImage, units, 'osv' in row.missing),
      withStudy(row.osvMounted, study?.osvMounted, units, 'osv' in row.missing),
      withStudy(row.nixTotal, study?.nixTotal, units, 'nix' in row.missing),
      withStudy(row.nixUnique, study?.nixUnique, units, 'nix' in row.missing),
    ]
  })

  return renderTable(header, body)
}

/** Table 2: each deployment as a share of the Podman total and of Podman app+libs, the study's in brackets. */
export function shareTable(rows: ComparisonRow[]): string {
  const header = ['app', 'OSv % of total', 'OSv % of app+libs', 'Nix % of total', 'Nix % of app+libs', 'Nix saving']
  const body = rows.map((row) => {
    const study = STUDY_FIGURES[row.app]
    const printed = study?.percent.map((percent) => percent / 100) ?? [null, null, null, null]
    const cell = (ours: number | null, theirs: number | null): string => (study ? `${formatShare(ours)} (${formatShare(theirs)})` : formatShare(ours))
    const saving = row.shares.nixOfTotal === null ? null : 1 - row.shares.nixOfTotal
    return [
      row.app,
      cell(row.shares.osvOfTotal, printed[0]),
      cell(row.shares.osvOfAppLibs, printed[1]),
      cell(row.shares.nixOfTotal, printed[2]),
      cell(row.shares.nixOfAppLibs, printed[3]),
      cell(saving, printed[2] === null ? null : 1 - printed[2]),
    ]
  })

  return renderTable(header, body)
}

/** Figures no single tool gives: graph-deployment cost of each image and its overlap with the host. */
export function extrasTable(rows: ComparisonRow[], units: UnitSystem): string {
  const header = ['app', 'Podman as a graph on the host', 'Podman content already on the host']
  return renderTable(header, rows.map((row) => [row.app, formatBytes(row.podmanUniqueFiles, units), formatBytes(row.podmanDuplicatedWithHost, units)]))
}


/** List the inputs that could not be read, one line each, for the cells marked "error". */
export function failureLines(rows: ComparisonRow[]): string[] {
  return rows.flatMap((row) => Object.entries(row.missing).map(([platform, error]) => `${row.app} ${platform}: ${error}`))
}

/** Render the three comparison tables with headings, for the text output of analyze. */
export function renderComparison(rows: ComparisonRow[], units: UnitSystem): string {
  const failures = failureLines(rows)
  return [
    '',
    'Storage (study figures in brackets):',
    storageTable(rows, units),
    '',
    'Share of the Podman image (study in brackets):',
    shareTable(rows),
    '',
    extrasTable(rows, units),
    ...(failures.length > 0 ? ['', 'Errors:', ...failures.map((line) => `  ${line}`)] : []),
  ].join('\n')
}
