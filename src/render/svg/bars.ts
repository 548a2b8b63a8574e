import {formatBytes} from '../units.js'
import {createCanvas, drawLegend, MUTED_COLOUR, TEXT_COLOUR, type LegendEntry, type Svg} from './document.js'
import {linearByteAxis, logByteAxis, type ByteAxis} from './scale.js'
import type {BarsInput, BarsOptions, BarsSeriesKey} from './types.js'

/** The six figures of each application, in drawing order, with their colours. */
export const BAR_SERIES: ReadonlyArray<{key: BarsSeriesKey; label: string; fill: string}> = [
  {key: 'podmanTotal', label: 'Podman total', fill: '#1f5fa8'},
  {key: 'podmanBase', label: 'Podman base', fill: '#8fb8e6'},
  {key: 'osvImage', label: 'OSv image', fill: '#b84f14'},
  {key: 'osvMounted', label: 'OSv mounted', fill: '#f2a36b'},
  {key: 'nixTotal', label: 'Nix total', fill: '#2d7a3a'},
  {key: 'nixUnique', label: 'Nix unique', fill: '#92cf8e'},
]

export const NOT_MEASURED_LABEL = 'n/a: not measured'

const BAR_WIDTH = 22
const GROUP_GAP = 36
const PLOT_TOP = 80
const PLOT_HEIGHT = 320
const PLOT_LEFT = 90
const LEGEND_WIDTH = 190
const MISSING_HEIGHT = 34

/**
 * Renders the storage comparison as grouped bars: one group per application,
 * one bar per platform figure, each labelled with its size. A figure that was
 * not measured is drawn as a dashed gap marked "n/a".
 */
export function renderBars(input: BarsInput, options: BarsOptions = {}): string {
  if (input.rows.length === 0) throw new Error('no applications to draw: the bars input has no rows')

  const units = options.units ?? 'si'
  const groupWidth = BAR_SERIES.length * BAR_WIDTH + GROUP_GAP
  const width = Math.max(640, PLOT_LEFT + input.rows.length * groupWidth + LEGEND_WIDTH)
  const height = PLOT_TOP + PLOT_HEIGHT + 60
  const title = input.title ?? 'Storage per application and platform'
  const unitText = units === 'si' ? 'SI units, 1 MB = 1000000 bytes' : 'IEC units, 1 MiB = 1048576 bytes'
  const canvas = createCanvas(width, height, title, `Stored bytes per platform, ${options.log ? 'log scale' : 'linear scale'}; ${unitText}`)

  const axis = buildAxis(canvas.d3, input, options)
  drawAxis(canvas.svg, axis, input.rows.length * groupWidth)
  drawGroups(canvas.svg, input, axis, units, groupWidth)

  const entries: LegendEntry[] = BAR_SERIES.map((series) => ({label: series.label, fill: series.fill}))
  const anyMissing = input.rows.some((row) => BAR_SERIES.some((series) => row[series.key] === null || row[series.key] === undefined))
  if (anyMissing) entries.push({label: NOT_MEASURED_LABEL, fill: '#ffffff', stroke: MUTED_COLOUR, dash: '3,2'})
  drawLegend(canvas.svg, entries, PLOT_LEFT + input.rows.length * groupWidth + 24, PLOT_TOP)

  return canvas.serialize()
}

function buildAxis(d3Module: Parameters<typeof linearByteAxis>[0], input: BarsInput, options: BarsOptions): ByteAxis {
  const values = input.rows.flatMap((row) => BAR_SERIES.map((series) => row[series.key]))
    .filter((value): value is number => value !== null)
  for (const value of values) {
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid size ${value} in the bars input: expected bytes, 0 or more, or null`)
  }

  const max = Math.max(1, ...values)
  const bottom = PLOT_TOP + PLOT_HEIGHT
  const units = options.units ?? 'si'
  if (!options.log) return linearByteAxis(d3Module, max, 1.3, bottom, PLOT_TOP, units)

  const positive = values.filter((value) => value > 0)
  const min = positive.length > 0 ? Math.min(...positive) : 1
  return logByteAxis(d3Module, min, max, 4, bottom, PLOT_TOP, units)
}

function drawAxis(svg: Svg, axis: ByteAxis, plotWidth: number): void {
  const group = svg.append('g').attr('class', 'axis axis-y')
  for (const tick of axis.ticks) {
    const y = axis.scale(tick.bytes)
    const row = group.append('g').attr('class', 'tick').attr('data-bytes', tick.bytes)
    row.append('line').attr('x1', PLOT_LEFT - 5).attr('x2', PLOT_LEFT + plotWidth).attr('y1', y).attr('y2', y)
      .attr('stroke', '#dddddd')
    row.append('text').attr('x', PLOT_LEFT - 8).attr('y', y + 4).attr('text-anchor', 'end')
      .attr('fill', TEXT_COLOUR).text(tick.label)
  }

  const bottom = PLOT_TOP + PLOT_HEIGHT
  group.append('line').attr('x1', PLOT_LEFT).attr('x2', PLOT_LEFT + plotWidth).attr('y1', bottom).attr('y2', bottom)
    .attr('stroke', TEXT_COLOUR)
  group.append('text').attr('class', 'axis-title')
    .attr('transform', `translate(20,${PLOT_TOP + PLOT_HEIGHT / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle').attr('fill', TEXT_COLOUR).text(axis.title)
}

function drawGroups(svg: Svg, input: BarsInput, axis: ByteAxis, units: 'si' | 'iec', groupWidth: number): void {
  const bottom = PLOT_TOP + PLOT_HEIGHT

  input.rows.forEach((row, rowIndex) => {
    const left = PLOT_LEFT + GROUP_GAP / 2 + rowIndex * groupWidth
    const group = svg.append('g').attr('class', 'bar-group').attr('data-app', row.app)
    group.append('text').attr('class', 'app-label').attr('x', left + (BAR_SERIES.length * BAR_WIDTH) / 2)
      .attr('y', bottom + 20).attr('text-anchor', 'middle').attr('font-weight', 'bold').attr('fill', TEXT_COLOUR)
      .text(row.app)

    BAR_SERIES.forEach((series, seriesIndex) => {
      const x = left + seriesIndex * BAR_WIDTH
      const value = row[series.key]
      if (value === null) {
        drawMissing(group, x, bottom, row.app, series.key)
        return
      }

      const top = axis.scale(value)
      const text = formatBytes(value, units)
      group.append('rect').attr('class', 'bar').attr('data-app', row.app).attr('data-series', series.key)
        .attr('data-bytes', value).attr('x', x + 1).attr('y', top).attr('width', BAR_WIDTH - 2)
        .attr('height', bottom - top).attr('fill', series.fill)
        .append('title').text(`${row.app}, ${series.label}: ${text}`)
      group.append('text').attr('class', 'bar-value')
        .attr('transform', `translate(${x + BAR_WIDTH / 2 + 4},${top - 4}) rotate(-90)`)
        .attr('font-size', 11).attr('fill', TEXT_COLOUR).text(text)
    })
  })
}

function drawMissing(group: Svg, x: number, bottom: number, app: string, key: string): void {
  const marker = group.append('g').attr('class', 'bar-missing').attr('data-app', app).attr('data-series', key)
  marker.append('rect').attr('x', x + 1).attr('y', bottom - MISSING_HEIGHT).attr('width', BAR_WIDTH - 2)
    .attr('height', MISSING_HEIGHT).attr('fill', '#ffffff').attr('stroke', MUTED_COLOUR).attr('stroke-dasharray', '3,2')
  marker.append('text').attr('transform', `translate(${x + BAR_WIDTH / 2 + 4},${bottom - 5}) rotate(-90)`)
    .attr('font-size', 11).attr('fill', MUTED_COLOUR).text('n/a')
}
