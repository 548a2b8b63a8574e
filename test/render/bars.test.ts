import {describe, expect, it} from 'vitest'

import {BAR_SERIES, NOT_MEASURED_LABEL, renderBars} from '../../src/render/svg/bars.js'
import type {BarsInput} from '../../src/render/svg/types.js'
import {byClass, legendLabels, parseSvg, textsOf, titleOf} from './svg.js'

const MB = 1_000_000

/** The storage figures the containerization thesis printed, in bytes; one OSv figure left unmeasured. */
const thesis: BarsInput = {
  title: 'Storage per application',
  rows: [
    {app: 'nginx', podmanTotal: 137 * MB, podmanBase: 72.5 * MB, osvImage: 8.3 * MB, osvMounted: 1.9 * MB, nixTotal: 728.3 * MB, nixUnique: 12.6 * MB},
    {app: 'redis', podmanTotal: 109 * MB, podmanBase: 72.5 * MB, osvImage: 9.9 * MB, osvMounted: 4.7 * MB, nixTotal: 728 * MB, nixUnique: 12.3 * MB},
    {app: 'mysql', podmanTotal: 551 * MB, podmanBase: 72.5 * MB, osvImage: null, osvMounted: 199.6 * MB, nixTotal: 1087.5 * MB, nixUnique: 365.8 * MB},
  ],
}

describe('renderBars', () => {
  it('has the title', () => {
    const document = parseSvg(renderBars(thesis))

    expect(titleOf(document)).toBe('Storage per application')
    expect(textsOf(document, 'title')).toEqual(['Storage per application'])
  })

  it('draws one bar per measured figure', () => {
    const document = parseSvg(renderBars(thesis))
    const bars = byClass(document, 'bar')

    expect(bars).toHaveLength(17)
    const nginxTotal = bars.find((bar) => bar.getAttribute('data-app') === 'nginx' && bar.getAttribute('data-series') === 'podmanTotal')
    expect(nginxTotal?.getAttribute('data-bytes')).toBe(String(137 * MB))
    expect(textsOf(document, 'bar-value')).toContain('137 MB')
    expect(textsOf(document, 'bar-value')).toContain('72.5 MB')
  })

  it('marks an unmeasured figure as n/a', () => {
    const document = parseSvg(renderBars(thesis))
    const missing = byClass(document, 'bar-missing')

    expect(missing).toHaveLength(1)
    expect(missing[0].getAttribute('data-app')).toBe('mysql')
    expect(missing[0].getAttribute('data-series')).toBe('osvImage')
    expect(missing[0].textContent).toBe('n/a')
  })

  it('lists every series in the legend', () => {
    const document = parseSvg(renderBars(thesis))

    expect(legendLabels(document)).toEqual([...BAR_SERIES.map((series) => series.label), NOT_MEASURED_LABEL])
  })

  it('omits n/a from a complete legend', () => {
    const complete: BarsInput = {rows: thesis.rows.slice(0, 2)}
    const document = parseSvg(renderBars(complete))

    expect(legendLabels(document)).toEqual(BAR_SERIES.map((series) => series.label))
  })

  it('labels each application group', () => {
    const document = parseSvg(renderBars(thesis))

    expect(textsOf(document, 'app-label')).toEqual(['nginx', 'redis', 'mysql'])
  })

  it('puts the unit in the linear axis title', () => {
    const document = parseSvg(renderBars(thesis))

    expect(textsOf(document, 'axis-title')).toEqual(['Stored size (GB)'])
    const ticks = byClass(document, 'tick').map((tick) => Number(tick.getAttribute('data-bytes')))
    expect(ticks[0]).toBe(0)
    expect(Math.max(...ticks)).toBeGreaterThanOrEqual(1087.5 * MB)
  })

  it('draws decade ticks on a log scale', () => {
    const document = parseSvg(renderBars(thesis, {log: true}))
    const ticks = byClass(document, 'tick')

    expect(ticks.map((tick) => Number(tick.getAttribute('data-bytes')))).toEqual([1e6, 1e7, 1e8, 1e9, 1e10])
    expect(ticks.map((tick) => tick.textContent)).toEqual(['1 MB', '10 MB', '100 MB', '1 GB', '10 GB'])
    expect(textsOf(document, 'axis-title')).toEqual(['Stored size (log scale)'])
  })

  it('places log bars by order of magnitude', () => {
    const document = parseSvg(renderBars(thesis, {log: true}))
    const heightOf = (app: string, series: string): number => {
      const bar = byClass(document, 'bar').find((element) => element.getAttribute('data-app') === app && element.getAttribute('data-series') === series)
      return Number(bar?.getAttribute('height'))
    }

    const tickY = (bytes: number): number => {
      const tick = byClass(document, 'tick').find((element) => element.getAttribute('data-bytes') === String(bytes))
      return Number(tick?.getElementsByTagName('line')[0].getAttribute('y1'))
    }

    const decade = tickY(1e6) - tickY(1e7)
    expect(heightOf('nginx', 'nixTotal') - heightOf('nginx', 'podmanTotal')).toBeCloseTo(decade * Math.log10(728.3 / 137), 6)
  })

  it('uses IEC units on request', () => {
    const document = parseSvg(renderBars(thesis, {units: 'iec'}))

    expect(textsOf(document, 'axis-title')).toEqual(['Stored size (GiB)'])
    expect(textsOf(document, 'bar-value')).toContain('131 MiB')
  })

  it('uses powers of 32 as IEC log ticks', () => {
    const document = parseSvg(renderBars(thesis, {log: true, units: 'iec'}))
    const ticks = byClass(document, 'tick').map((tick) => tick.textContent)

    expect(ticks).toEqual(['1 MiB', '32 MiB', '1 GiB', '32 GiB'])
  })

  it('rejects an empty input', () => {
    expect(() => renderBars({rows: []})).toThrow(/no rows/)
  })

  it('rejects a negative size', () => {
    const row = {...thesis.rows[0], nixUnique: -1}
    expect(() => renderBars({rows: [row]})).toThrow(/invalid size -1/)
  })
})
