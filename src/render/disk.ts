import type {DiskReport} from '../sources/osv/index.js'
import {formatBytes as formatUnitBytes, type UnitSystem} from './units.js'

export type Units = UnitSystem

/** Format bytes, with "n/a" for a figure that could not be measured. */
const formatBytes = (bytes: number | null | undefined, units: Units = 'si'): string => formatUnitBytes(bytes ?? null, units)

function partitionLines(report: DiskReport, units: Units): string[] {
  if (report.partitions.length === 0) return ['partitions     none (no MBR boot signature)']
  return report.partitions.map(
    (partition) =>
      `partition ${partition.number}    type 0x${partition.type.toString(16).padStart(2, '0')}, ${formatBytes(partition.size, units)} at byte ${partition.start}`,
  )
}

function filesystemLines(report: DiskReport, units: Units, top: number): string[] {
  const fs = report.filesystem
  if (fs === null) return [`filesystem     none: ${report.reasons.mounted ?? ''}`]
  const where = fs.partition === null ? 'whole disk' : `partition ${fs.partition}`
  if (fs.content === null) return [`filesystem     ${fs.type} on ${where}, ${formatBytes(fs.size, units)}: ${fs.reason ?? ''}`]

  const lines = [
    `filesystem     ${fs.type} on ${where}: ${fs.files} files, ${fs.directories} directories, ${fs.symlinks} symlinks`,
    `mounted        ${formatBytes(fs.content, units)} of file content`,
  ]
  const largest = (fs.entries ?? [])
    .filter((entry) => entry.type === 'file')
    .sort((a, b) => b.size - a.size)
    .slice(0, top)
  if (largest.length > 0) lines.push('', `largest files`)
  for (const file of largest) lines.push(`  ${formatBytes(file.size, units).padStart(10)}  ${file.path}`)
  return lines
}

/** Render a disk report as aligned text lines. */
export function renderDiskReport(report: DiskReport, options: {units?: Units; top?: number} = {}): string {
  const units = options.units ?? 'si'
  const chain: string[] = []
  for (let backing = report.backing; backing !== null; backing = backing.backing) chain.push(`${backing.path} (${backing.format})`)

  const lines = [
    `image          ${report.path}`,
    `format         ${report.format}${report.qcow2 ? ` v${report.qcow2.version}, ${report.qcow2.compressionType}${report.qcow2.extendedL2 ? ', extended L2' : ''}` : ''}`,
    `virtual        ${formatBytes(report.virtual, units)}`,
    `stored         ${formatBytes(report.stored, units)} (image file on the host)`,
    `allocated      ${report.allocated === null ? `n/a: ${report.reasons.allocated}` : `${formatBytes(report.allocated, units)} of guest data`}`,
  ]

  if (report.clusterSize !== null) lines.push(`cluster size   ${formatBytes(report.clusterSize, 'iec')}`)
  if (report.compressed > 0) lines.push(`compressed     ${formatBytes(report.compressed, units)} in compressed clusters`)
  if (chain.length > 0) lines.push(`backing        ${chain.join(' -> ')}`, `from backing   ${formatBytes(report.fromBacking, units)}`)
  if (report.qcow2 && report.qcow2.snapshots.length > 0) lines.push(`snapshots      ${report.qcow2.snapshots.length}: ${report.qcow2.snapshots.map((s) => s.name).join(', ')}`)
  if (report.kernel !== null) lines.push(`kernel region  ${formatBytes(report.kernel.size, units)} at byte ${report.kernel.offset}`, `command line   ${report.kernel.cmdline}`)

  lines.push(...partitionLines(report, units), ...filesystemLines(report, units, options.top ?? 10))
  return lines.join('\n')
}
