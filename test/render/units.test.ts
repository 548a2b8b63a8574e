import {describe, expect, it} from 'vitest'

import {formatBytes, formatInUnit, unitFor} from '../../src/render/units.js'

describe('formatBytes', () => {
  it.each([
    [137_000_000, '137 MB'],
    [72_500_000, '72.5 MB'],
    [8_300_000, '8.3 MB'],
    [728_300_000, '728 MB'],
    [1_087_500_000, '1.09 GB'],
    [0, '0 B'],
    [1, '1 B'],
    [999, '999 B'],
    [1000, '1 kB'],
    [1234, '1.23 kB'],
    [999_499, '999 kB'],
    [999_999, '1 MB'],
    [100_000_000, '100 MB'],
    [1_200_000, '1.2 MB'],
    [5e18, '5 EB'],
    [5e21, '5000 EB'],
  ])('SI: %d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes, 'si')).toBe(text)
  })

  it.each([
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [1_048_576, '1 MiB'],
    [137_000_000, '131 MiB'],
    [1_048_575, '1 MiB'],
    [1_023_000, '999 KiB'],
    [3 * 1024 ** 3, '3 GiB'],
  ])('IEC: %d bytes is %s', (bytes, text) => {
    expect(formatBytes(bytes, 'iec')).toBe(text)
  })

  it('defaults to SI units', () => {
    expect(formatBytes(72_500_000)).toBe('72.5 MB')
  })

  it('formats null as n/a', () => {
    expect(formatBytes(null)).toBe('n/a')
    expect(formatBytes(null, 'iec')).toBe('n/a')
  })

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (bytes) => {
    expect(() => formatBytes(bytes)).toThrow(/invalid byte count/)
  })
})

describe('unitFor', () => {
  it('picks the largest unit not above the value', () => {
    expect(unitFor(551_000_000, 'si')).toEqual({symbol: 'MB', bytes: 1e6})
    expect(unitFor(999, 'si')).toEqual({symbol: 'B', bytes: 1})
    expect(unitFor(2 * 1024 ** 2, 'iec')).toEqual({symbol: 'MiB', bytes: 1024 ** 2})
  })
})

describe('formatInUnit', () => {
  it('formats a number in a fixed unit', () => {
    expect(formatInUnit(72_500_000, {symbol: 'MB', bytes: 1e6})).toBe('72.5')
    expect(formatInUnit(0, {symbol: 'MB', bytes: 1e6})).toBe('0')
  })
})
