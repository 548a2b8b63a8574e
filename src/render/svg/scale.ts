import type * as d3 from 'd3'

import {formatBytes, formatInUnit, unitFor, type ByteUnit, type UnitSystem} from '../units.js'

/** A value axis over bytes: the scale, its ticks in bytes, and their labels. */
export interface ByteAxis {
  scale: (bytes: number) => number
  ticks: Array<{bytes: number; label: string}>
  /** Axis title, with the unit ("Stored size (MB)") or the scale ("log scale"). */
  title: string
  log: boolean
}

/**
 * Builds a linear axis from 0 to a round value above `maxBytes`, mapped onto
 * [rangeBottom, rangeTop]. Ticks are round numbers of one unit, chosen from
 * `maxBytes`, so the axis title carries the unit and the ticks only numbers.
 */
export function linearByteAxis(
  d3Module: typeof d3, maxBytes: number, headroom: number, rangeBottom: number, rangeTop: number, units: UnitSystem,
): ByteAxis {
  const unit: ByteUnit = unitFor(Math.max(maxBytes, 1), units)
  const inUnit = d3Module.scaleLinear().domain([0, Math.max(maxBytes, 1) * headroom / unit.bytes]).nice()
    .range([rangeBottom, rangeTop])

  const ticks = inUnit.ticks(6).map((value) => ({bytes: value * unit.bytes, label: formatInUnit(value * unit.bytes, unit)}))
  return {
    scale: (bytes) => inUnit(bytes / unit.bytes),
    ticks,
    title: `Stored size (${unit.symbol})`,
    log: false,
  }
}

/**
 * Builds a logarithmic axis over [minBytes, maxBytes × headroom], widened to
 * whole tick steps. Ticks are powers of 10 in SI units (1 MB, 10 MB, 100 MB)
 * and powers of 32 in IEC units (1 MiB, 32 MiB, 1 GiB), each labelled with
 * its unit.
 */
export function logByteAxis(
  d3Module: typeof d3, minBytes: number, maxBytes: number, headroom: number,
  rangeBottom: number, rangeTop: number, units: UnitSystem,
): ByteAxis {
  const step = units === 'si' ? 10 : 32
  const low = step ** Math.floor(Math.log(Math.max(minBytes, 1)) / Math.log(step))
  const high = step ** Math.ceil(Math.log(Math.max(maxBytes * headroom, low * step)) / Math.log(step))
  const scale = d3Module.scaleLog().domain([low, high]).range([rangeBottom, rangeTop])

  const ticks: Array<{bytes: number; label: string}> = []
  for (let value = low; value <= high * 1.000001; value *= step) {
    const bytes = Math.round(value)
    ticks.push({bytes, label: formatBytes(bytes, units)})
  }

  return {
    scale: (bytes) => (bytes <= 0 ? rangeBottom : scale(Math.max(bytes, low))),
    ticks,
    title: 'Stored size (log scale)',
    log: true,
  }
}
