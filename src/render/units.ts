export type Units = 'si' | 'iec'

const SI = ['B', 'kB', 'MB', 'GB', 'TB']
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/**
 * Format a byte count with three significant digits in SI units (1000-based,
 * as `podman images` prints) or IEC units (1024-based). Null reads "n/a".
 */
export function formatBytes(bytes: number | null | undefined, units: Units = 'si'): string {
  if (bytes === null || bytes === undefined) return 'n/a'

  const base = units === 'si' ? 1000 : 1024
  const names = units === 'si' ? SI : IEC
  let value = Math.abs(bytes)
  let index = 0
  while (value >= base && index < names.length - 1) {
    value /= base
    index += 1
  }

  let digits = 2
  if (index === 0 || value >= 100) digits = 0
  else if (value >= 10) digits = 1

  const text = Number(value.toFixed(digits)).toString()
  return `${bytes < 0 ? '-' : ''}${text} ${names[index]}`
}
