import {writeFile} from 'node:fs/promises'
import path from 'node:path'

import {D3Node} from 'd3-node'

import type {BenchReport, ReportRow} from './report.js'

/** One plotted value: a mean with its standard deviation over n iterations. */
interface Datum {
  x: string
  mean: number
  stddev: number
  n: number
}

interface Series {
  name: string
  data: Datum[]
}

interface Chart {
  title: string
  subtitle: string
  xLabel: string
  yLabel: string
  categories: string[]
  series: Series[]
}

const WIDTH = 780
const HEIGHT = 460
const MARGIN = {top: 64, right: 150, bottom: 96, left: 80}

/** For each platform and x value, keeps the row with the highest mean requests per second. */
function bestBy(rows: ReportRow[], xOf: (row: ReportRow) => string): Series[] {
  const platforms = [...new Set(rows.map((row) => row.platform))]
  return platforms.map((platform) => {
    const best = new Map<string, ReportRow>()
    for (const row of rows.filter((item) => item.platform === platform)) {
      const x = xOf(row)
      const current = best.get(x)
      if (current === undefined || row.requestsPerSecond.mean > current.requestsPerSecond.mean) best.set(x, row)
    }

    const data = [...best.entries()].map(([x, row]) => ({x, mean: row.requestsPerSecond.mean, stddev: row.requestsPerSecond.stddev, n: row.requestsPerSecond.n}))
    return {name: platform, data}
  })
}

function numericCategories(series: Series[]): string[] {
  return [...new Set(series.flatMap((item) => item.data.map((datum) => datum.x)))].sort((a, b) => Number(a) - Number(b))
}

function svgFrame(chart: Chart): {node: D3Node; svg: ReturnType<D3Node['createSVG']>} {
  const node = new D3Node()
  const svg = node.createSVG(WIDTH, HEIGHT, {'font-family': 'sans-serif', 'font-size': 12})
  svg.append('text').attr('x', MARGIN.left).attr('y', 22).attr('font-size', 15).attr('font-weight', 'bold').text(chart.title)
  svg.append('text').attr('x', MARGIN.left).attr('y', 42).attr('fill', '#555').text(chart.subtitle)
  svg.append('text').attr('x', MARGIN.left + (WIDTH - MARGIN.left - MARGIN.right) / 2).attr('y', HEIGHT - 14).attr('text-anchor', 'middle').text(chart.xLabel)
  svg.append('text').attr('transform', `translate(18,${MARGIN.top + (HEIGHT - MARGIN.top - MARGIN.bottom) / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(chart.yLabel)
  return {node, svg}
}

function yScale(node: D3Node, series: Series[]) {
  const top = Math.max(...series.flatMap((item) => item.data.map((datum) => datum.mean + datum.stddev)), 1)
  return node.d3.scaleLinear().domain([0, top * 1.1]).nice().range([HEIGHT - MARGIN.bottom, MARGIN.top])
}

function legend(svg: ReturnType<D3Node['createSVG']>, series: Series[], color: (name: string) => string): void {
  for (const [index, item] of series.entries()) {
    const y = MARGIN.top + index * 20
    svg.append('rect').attr('x', WIDTH - MARGIN.right + 16).attr('y', y - 9).attr('width', 12).attr('height', 12).attr('fill', color(item.name))
    svg.append('text').attr('x', WIDTH - MARGIN.right + 34).attr('y', y + 1).text(item.name)
  }
}

function errorBar(svg: ReturnType<D3Node['createSVG']>, x: number, low: number, high: number, color: string): void {
  svg.append('line').attr('x1', x).attr('x2', x).attr('y1', low).attr('y2', high).attr('stroke', color)
  svg.append('line').attr('x1', x - 4).attr('x2', x + 4).attr('y1', low).attr('y2', low).attr('stroke', color)
  svg.append('line').attr('x1', x - 4).attr('x2', x + 4).attr('y1', high).attr('y2', high).attr('stroke', color)
}

/** Draws one line per series over categorical x values, with ± 1 sd error bars. */
export function lineChart(chart: Chart): string {
  const {node, svg} = svgFrame(chart)
  const {d3} = node
  const x = d3.scalePoint().domain(chart.categories).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.5)
  const y = yScale(node, chart.series)
  const color = d3.scaleOrdinal<string>().domain(chart.series.map((item) => item.name)).range(d3.schemeCategory10)

  svg.append('g').attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`).call(d3.axisBottom(x))
  svg.append('g').attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(6))

  for (const item of chart.series) {
    const data = item.data.filter((datum) => chart.categories.includes(datum.x)).sort((a, b) => chart.categories.indexOf(a.x) - chart.categories.indexOf(b.x))
    const line = d3.line<Datum>().x((datum) => x(datum.x) as number).y((datum) => y(datum.mean))
    svg.append('path').attr('d', line(data) ?? '').attr('fill', 'none').attr('stroke', color(item.name)).attr('stroke-width', 2)

    for (const datum of data) {
      const cx = x(datum.x) as number
      svg.append('circle').attr('cx', cx).attr('cy', y(datum.mean)).attr('r', 3).attr('fill', color(item.name))
      errorBar(svg, cx, y(datum.mean - datum.stddev), y(datum.mean + datum.stddev), color(item.name))
    }
  }

  legend(svg, chart.series, color)
  return node.svgString()
}

/** Draws grouped bars: one group per category, one bar per series, with ± 1 sd error bars. */
export function groupedBarChart(chart: Chart): string {
  const {node, svg} = svgFrame(chart)
  const {d3} = node
  const x = d3.scaleBand().domain(chart.categories).range([MARGIN.left, WIDTH - MARGIN.right]).padding(0.2)
  const inner = d3.scaleBand().domain(chart.series.map((item) => item.name)).range([0, x.bandwidth()]).padding(0.05)
  const y = yScale(node, chart.series)
  const color = d3.scaleOrdinal<string>().domain(chart.series.map((item) => item.name)).range(d3.schemeCategory10)

  // Category names such as "LRANGE_100 (first 100 elements)" are long: keep the
  // part before the bracket, plus the bracket's last word where two names
  // would otherwise read the same, and slant the labels so neighbours do not overlap.
  const stem = (name: string): string => name.replace(/\s*\(.*\)$/, '')
  const shortName = (name: string): string => {
    if (chart.categories.filter((other) => stem(other) === stem(name)).length < 2) return stem(name)
    const lastWord = /(\S+)\)$/.exec(name)?.[1]
    return lastWord ? `${stem(name)} (${lastWord})` : name
  }
  svg
    .append('g')
    .attr('transform', `translate(0,${HEIGHT - MARGIN.bottom})`)
    .call(d3.axisBottom(x).tickFormat(shortName))
    .selectAll('text')
    .attr('transform', 'rotate(-40)')
    .attr('text-anchor', 'end')
    .attr('dx', '-0.5em')
    .attr('dy', '0.3em')
  svg.append('g').attr('transform', `translate(${MARGIN.left},0)`).call(d3.axisLeft(y).ticks(6))

  for (const item of chart.series) {
    for (const datum of item.data.filter((entry) => chart.categories.includes(entry.x))) {
      const left = (x(datum.x) as number) + (inner(item.name) as number)
      svg.append('rect').attr('x', left).attr('y', y(datum.mean)).attr('width', inner.bandwidth()).attr('height', y(0) - y(datum.mean)).attr('fill', color(item.name))
      errorBar(svg, left + inner.bandwidth() / 2, y(datum.mean - datum.stddev), y(datum.mean + datum.stddev), '#222')
    }
  }

  legend(svg, chart.series, color)
  return node.svgString()
}

function iterationsNote(series: Series[]): string {
  const counts = [...new Set(series.flatMap((item) => item.data.map((datum) => datum.n)))].sort((a, b) => a - b)
  return `n = ${counts.join(', ')} iteration${counts.length === 1 && counts[0] === 1 ? '' : 's'} per point`
}

/** Builds the suite's chart from the report rows. */
export function suiteChart(report: BenchReport): {file: string; svg: string} {
  if (report.suite === 'nginx') {
    const series = bestBy(report.rows, (row) => String(row.parameters.clients))
    const svg = lineChart({
      title: 'nginx throughput against clients',
      subtitle: `Each platform's fastest threads and requests per client count; bars ± 1 sd, ${iterationsNote(series)}`,
      xLabel: 'clients (concurrent connections)', yLabel: 'requests/s (mean ± sd)',
      categories: numericCategories(series), series,
    })
    return {file: 'nginx-throughput.svg', svg}
  }

  if (report.suite === 'redis') {
    const series = bestBy(report.rows, (row) => row.operation ?? '')
    const operations = [...new Set(report.rows.map((row) => row.operation ?? ''))]
    const svg = groupedBarChart({
      title: 'Redis requests per second by operation',
      subtitle: `Each platform's fastest threads, clients and requests per operation; bars ± 1 sd, ${iterationsNote(series)}`,
      xLabel: 'operation', yLabel: 'requests/s (mean ± sd)', categories: operations, series,
    })
    return {file: 'redis-operations.svg', svg}
  }

  const series = bestBy(report.rows, (row) => String(row.parameters.threads))
  const svg = lineChart({
    title: 'MySQL transactions per second against threads',
    subtitle: `sysbench OLTP read/write, each platform's fastest event count per thread count; bars ± 1 sd, ${iterationsNote(series)}`,
    xLabel: 'sysbench threads', yLabel: 'transactions/s (mean ± sd)', categories: numericCategories(series), series,
  })
  return {file: 'mysql-transactions.svg', svg}
}

/** Writes the suite's SVG plot into the results folder and returns its file name. */
export async function writePlots(dir: string, report: BenchReport): Promise<string[]> {
  const {file, svg} = suiteChart(report)
  await writeFile(path.join(dir, file), svg)
  return [file]
}
