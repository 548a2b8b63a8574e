import type {BenchReport, ReportRow, Spread} from './report.js'
import type {GridPoint} from './types.js'

function number(value: number, digits: number): string {
  return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits})
}

function meanSd(value: Spread | null, digits: number): string {
  return value === null ? 'n/a' : `${number(value.mean, digits)} ± ${number(value.stddev, digits)}`
}

function parameters(point: GridPoint): string {
  const parts = [`threads ${point.threads}`]
  if (point.clients !== null) parts.push(`clients ${point.clients}`)
  if (point.requests !== null) parts.push(`requests ${point.requests}`)
  if (point.duration !== null) parts.push(`${point.duration} s`)
  return parts.join(', ')
}

const HEADER = [
  '| platform | tool | operation | parameters | requests/s (mean ± sd) | min req/s | max req/s | n | latency mean, ms (± sd) | latency p95, ms (± sd) | errors |',
  '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
]

function row(item: ReportRow): string {
  const cells = [
    item.platform,
    `${item.tool} ${item.toolVersion}`,
    item.operation ?? '',
    parameters(item.parameters),
    meanSd(item.requestsPerSecond, 1),
    number(item.requestsPerSecond.min, 1),
    number(item.requestsPerSecond.max, 1),
    String(item.requestsPerSecond.n),
    meanSd(item.latencyMeanMs, 3),
    meanSd(item.latencyP95Ms, 3),
    String(item.errors),
  ]
  return `| ${cells.join(' | ')} |`
}

function machineSection(report: BenchReport): string[] {
  const machine = report.machine
  if (machine === null) return ['No machine.json was found in the results folder.', '']

  const lines = [
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores`,
    `- Memory: ${number(machine.memoryBytes / 2 ** 30, 1)} GiB`,
    `- Kernel: ${machine.kernel}`,
    '',
    '| setting | value here | study | warning |',
    '| --- | --- | --- | --- |',
  ]
  for (const setting of machine.settings) lines.push(`| ${setting.name} | ${setting.value ?? 'n/a'} | ${setting.study} | ${setting.warning ?? ''} |`)
  return [...lines, '']
}

/** Renders the report as Markdown: the fastest points, every point, the skipped and failed ones and the machine. */
export function renderMarkdown(report: BenchReport, plots: string[]): string {
  const unit = report.suite === 'mysql' ? 'Requests are sysbench transactions (events).' : ''
  const lines = [
    `# ${report.suite} benchmark`,
    '',
    `Figures are the mean ± sample standard deviation over the iterations of each point (n). ${unit}`.trim(),
    '',
    '## Fastest parameters per platform',
    '',
    ...HEADER,
    ...report.fastest.map(row),
    '',
    '## Plots',
    '',
    ...plots.map((file) => `![${file}](${file})`),
    '',
    '## All points',
    '',
    ...HEADER,
    ...report.rows.map(row),
    '',
  ]

  if (report.skipped.length > 0) {
    lines.push('## Skipped points', '', '| platform | tool | parameters | reason |', '| --- | --- | --- | --- |')
    for (const item of report.skipped) lines.push(`| ${item.platform} | ${item.tool} | ${parameters(item.parameters)} | ${item.reason} |`)
    lines.push('')
  }

  if (report.failed.length > 0) {
    lines.push('## Failed runs', '', '| platform | tool | parameters | iteration | error |', '| --- | --- | --- | --- | --- |')
    for (const item of report.failed) lines.push(`| ${item.platform} | ${item.tool} | ${parameters(item.parameters)} | ${item.iteration} | ${item.reason.replaceAll('|', '\\|')} |`)
    lines.push('')
  }

  return [...lines, '## Machine', '', ...machineSection(report)].join('\n')
}
