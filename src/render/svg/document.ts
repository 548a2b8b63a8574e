import {D3Node} from 'd3-node'
import type * as d3 from 'd3'

/**
 * A selection of one SVG element, as the renderers pass them around. The
 * element type stays open because d3's selection types do not convert
 * between element types.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Svg = d3.Selection<any, unknown, null, undefined>

/** An SVG document being drawn, with the d3 module that draws it. */
export interface Canvas {
  d3: typeof d3
  svg: Svg
  /** Serialises the document as standalone SVG, XML declaration first. */
  serialize(): string
}

export const FONT_FAMILY = 'DejaVu Sans, Helvetica, Arial, sans-serif'
export const TEXT_COLOUR = '#222222'
export const MUTED_COLOUR = '#555555'

/** Fill of what the host already has, and of what deploying adds, in every drawing. */
export const HOST_FILL = '#9aa7b8'
export const ADDED_FILL = '#d9730d'

/** Labels of the host and added classes, shared by the graph legend and treemap groups. */
export const ON_HOST_LABEL = 'On the host already'
export const ADDED_LABEL = 'Added by deploying'

/**
 * Creates an SVG document of `width` × `height` pixels on a white background,
 * with `title` as its `<title>` element and as a visible heading, and
 * `subtitle` (units, scale, counts) in a smaller line below it.
 */
export function createCanvas(width: number, height: number, title: string, subtitle: string): Canvas {
  const node = new D3Node()
  const svg = node.createSVG(width, height, {
    viewBox: `0 0 ${width} ${height}`,
    'font-family': FONT_FAMILY,
    'font-size': 12,
  })

  svg.append('title').text(title)
  svg.append('rect').attr('class', 'background').attr('width', width).attr('height', height).attr('fill', '#ffffff')
  svg.append('text').attr('class', 'title').attr('x', 16).attr('y', 28)
    .attr('font-size', 18).attr('font-weight', 'bold').attr('fill', TEXT_COLOUR).text(title)
  svg.append('text').attr('class', 'subtitle').attr('x', 16).attr('y', 48)
    .attr('fill', MUTED_COLOUR).text(subtitle)

  const serialize = (): string => {
    const serializer = new node.window.XMLSerializer()
    return `<?xml version="1.0" encoding="UTF-8"?>\n${serializer.serializeToString(svg.node() as Node)}\n`
  }

  return {d3: node.d3, svg, serialize}
}

/** One legend entry: a swatch and its label. */
export interface LegendEntry {
  label: string
  fill: string
  stroke?: string
  /** Dash pattern of the swatch outline, for entries such as "not measured". */
  dash?: string
  shape?: 'rect' | 'circle'
  /** Figures written after the label, such as a count and a size. */
  detail?: string
}

/**
 * Draws a legend box with one `legend-entry` group per entry, top-left at
 * (x, y), and returns its height in pixels.
 */
export function drawLegend(parent: Svg, entries: LegendEntry[], x: number, y: number, heading = 'Legend'): number {
  const rowHeight = 20
  const legend = parent.append('g').attr('class', 'legend').attr('transform', `translate(${x},${y})`)
  legend.append('text').attr('class', 'legend-heading').attr('y', 12)
    .attr('font-weight', 'bold').attr('fill', TEXT_COLOUR).text(heading)

  entries.forEach((entry, index) => {
    const row = legend.append('g').attr('class', 'legend-entry').attr('data-label', entry.label)
      .attr('transform', `translate(0,${22 + index * rowHeight})`)
    const swatch: Svg = entry.shape === 'circle'
      ? row.append('circle').attr('cx', 7).attr('cy', 7).attr('r', 6)
      : row.append('rect').attr('width', 14).attr('height', 14)
    swatch.attr('fill', entry.fill).attr('stroke', entry.stroke ?? 'none')
    if (entry.dash) swatch.attr('stroke-dasharray', entry.dash)
    const text = row.append('text').attr('x', 20).attr('y', 11).attr('fill', TEXT_COLOUR).text(entry.label)
    if (entry.detail) text.append('tspan').attr('class', 'legend-detail').attr('dx', 6).attr('fill', MUTED_COLOUR).text(entry.detail)
  })

  return 22 + entries.length * rowHeight
}

/** Shortens `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(max - 1, 1))}…`
}
