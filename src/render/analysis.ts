import type {AnalysisReport} from '../analysis.js'
import type {LayerReport} from '../measure/layers.js'
import {renderTable} from './table.js'
import {formatBytes, type UnitSystem as Units} from './units.js'

/** Render the per-artifact table of `analyze`, then the duplication across artifacts. */
export function renderAnalysisTable(report: AnalysisReport, units: Units): string {
  const header = ['artifact', 'platform', 'total', 'base', 'app+libs', 'hidden', 'unique', 'unique files']
  // A figure that does not apply to a platform is "-"; one that could not be measured is "n/a".
  const cell = (bytes: number | null | undefined): string => (bytes === undefined ? '-' : formatBytes(bytes, units))
  const rows = report.artifacts.map((artifact) => {
    const {sizes} = artifact
    return [
      artifact.name,
      artifact.platform,
      cell(sizes.total),
      cell(sizes.base),
      cell(sizes.appLibs),
      sizes.hidden === undefined ? '-' : cell(sizes.hidden),
      cell(sizes.unique),
      cell(sizes.uniqueFiles),
    ]
  })

  for (const failure of report.failures) {
    rows.push([failure.app ?? failure.ref, failure.platform, ...header.slice(2).map(() => 'error')])
  }

  const lines = [renderTable(header, rows)]
  const {duplicated} = report
  lines.push('', `duplicated across artifacts: ${formatBytes(duplicated.bytes, units)} in ${duplicated.contents} file contents`)

  const shown = new Set(['total', 'base', 'appLibs', 'hidden', 'unique', 'uniqueFiles'])
  const reasons = new Set(
    report.artifacts.flatMap((artifact) =>
      Object.entries(artifact.reasons)
        .filter(([size]) => shown.has(size))
        .map(([size, reason]) => `${size}: ${reason}`),
    ),
  )
  if (reasons.size > 0) lines.push('', 'n/a:', ...[...reasons].map((reason) => `  ${reason}`))
  if (report.failures.length > 0) lines.push('', 'error:', ...report.failures.map((failure) => `  ${failure.platform} ${failure.ref}: ${failure.error}`))
  return lines.join('\n')
}

/** Render one image layer by layer: digest, sizes, hidden bytes, the creating command, and its largest files. */
export function renderLayers(name: string, layers: LayerReport[], units: Units): string {
  const header = ['#', 'digest', 'stored', 'compressed', 'hidden', 'created by']
  const rows = layers.map((layer, index) => [
    String(index),
    layer.digest.slice('sha256:'.length, 'sha256:'.length + 12),
    formatBytes(layer.stored, units),
    formatBytes(layer.compressed, units),
    formatBytes(layer.hidden, units),
    (layer.createdBy ?? '').replace(/\s+/g, ' ').slice(0, 60),
  ])

  const lines = [`${name}: ${layers.length} layers`, '', renderTable(header, rows)]
  for (const [index, layer] of layers.entries()) {
    lines.push('', `layer ${index}: largest files`)
    for (const file of layer.largestFiles) {
      lines.push(`  ${formatBytes(file.content, units).padStart(9)}  ${file.path}${file.hidden ? '  (hidden)' : ''}`)
    }
  }

  return lines.join('\n')
}
