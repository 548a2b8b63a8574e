/**
 * Byte figures as text. SI units (kB, MB; 1000-based) are what `podman images`
 * prints; IEC units (KiB, MiB; 1024-based) are what `du -h` prints.
 */

export type UnitSystem = 'si' | 'iec'

const SYMBOLS: Record<UnitSystem, string[]> = {
  si: ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'],
  iec: ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'],
}

const BASES: Record<UnitSystem, number> = {si: 1000, iec: 1024}

/** One display unit: its symbol and how many bytes it stands for. */
export interface ByteUnit {
  symbol: string
  bytes: number
}

export function isUnitSystem(value: string): value is UnitSystem {
  return value === 'si' || value === 'iec'
}

function checkBytes(bytes: number): void {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new Error(`invalid byte count ${bytes}: expected a finite number of bytes, 0 or more`)
  }
}

/** Returns the unit of `system` at power `exponent` (0 = bytes). */
export function unitAt(system: UnitSystem, exponent: number): ByteUnit {
  const index = Math.min(Math.max(exponent, 0), SYMBOLS[system].length - 1)
  return {symbol: SYMBOLS[system][index], bytes: BASES[system] ** index}
}

/** Returns the largest unit of `system` that is at most `bytes`, or bytes for values under one kilobyte. */
export function unitFor(bytes: number, system: UnitSystem): ByteUnit {
  checkBytes(bytes)

  let exponent = 0
  while (exponent < SYMBOLS[system].length - 1 && bytes >= BASES[system] ** (exponent + 1)) exponent += 1
  return unitAt(system, exponent)
}

/** `value` rounded to three significant digits, as a plain decimal ("72.5", "137", "8.3"). */
function threeDigits(value: number): string {
  return String(Number(value.toPrecision(3)))
}

/**
 * Formats a byte count with three significant digits and the largest unit
 * that keeps the number at least 1: 137000000 → "137 MB", 72500000 →
 * "72.5 MB", 1087500000 → "1.09 GB". A number that rounds up to 1000 moves
 * to the next unit (999999 → "1 MB"). Byte counts under one kilobyte are
 * exact ("512 B"). `null` (a figure not measured) formats as "n/a".
 */
export function formatBytes(bytes: number | null, units: UnitSystem = 'si'): string {
  if (bytes === null) return 'n/a'
  checkBytes(bytes)

  let unit = unitFor(bytes, units)
  if (unit.bytes === 1) return `${Math.round(bytes)} B`

  let text = threeDigits(bytes / unit.bytes)
  if (Number(text) >= 1000 && unit.symbol !== SYMBOLS[units].at(-1)) {
    unit = unitAt(units, SYMBOLS[units].indexOf(unit.symbol) + 1)
    text = threeDigits(bytes / unit.bytes)
  }

  return `${text} ${unit.symbol}`
}

/** Formats `bytes` as a number in a given unit, three significant digits, without the symbol. */
export function formatInUnit(bytes: number, unit: ByteUnit): string {
  checkBytes(bytes)
  if (bytes === 0) return '0'
  return threeDigits(bytes / unit.bytes)
}
