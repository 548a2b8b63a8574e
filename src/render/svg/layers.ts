import {formatBytes, type UnitSystem} from '../units.js'
import {createCanvas, drawLegend, MUTED_COLOUR, TEXT_COLOUR, truncate, type Svg} from './document.js'
import type {LayerInput, LayersInput, RenderOptions} from './types.js'

export const LAYER_LEGEND = {
  base: 'Base image layer',
  app: 'Application layer',
  hidden: 'Hidden bytes: overwritten or deleted by a later layer',
} as const

const BASE_FILL = '#9aa7b8'
const APP_FILL = '#1f5fa8'
const HIDDEN_COLOUR = '#c0392b'
const HATCH_ID = 'hidden-hatch'
const STACK_LEFT = 60
const STACK_WIDTH = 170
const STACK_TOP = 80
const STACK_HEIGHT = 420
const SECTION_GAP = 12
const ROW_HEIGHT = 22
const LIST_LEFT = STACK_LEFT + STACK_WIDTH + 80
const WIDTH = 1100

/**
 * Renders an image as a stack of layers, bottom layer at the bottom, each as
 * tall as its stored bytes. Base image layers are grey and set apart from
 * the application layers by a gap. The hidden bytes of a layer are a hatched
 * band whose width is their share of the layer. A list beside the stack
 * names every layer with its digest, size, hidden bytes and history entry.
 */
export function renderLayers(input: LayersInput, options: RenderOptions = {}): string {
  if (input.layers.length === 0) throw new Error(`image "${input.image}" has no layers to draw`)
  input.layers.forEach(checkLayer)

  const units = options.units ?? 'si'
  const total = input.layers.reduce((sum, layer) => sum + layer.stored, 0)
  const hiddenTotal = input.layers.reduce((sum, layer) => sum + (layer.hidden ?? 0), 0)
  const hiddenUnknown = input.layers.some((layer) => layer.hidden === null)
  const listHeight = input.layers.length * ROW_HEIGHT
  const height = STACK_TOP + Math.max(STACK_HEIGHT, listHeight) + 130
  const subtitle = `${input.layers.length} layers, ${formatBytes(total, units)} stored, `
    + `${formatBytes(hiddenTotal, units)} hidden${hiddenUnknown ? ' (some layers not measured)' : ''}; `
    + `bar heights proportional to stored bytes, ${units === 'si' ? 'SI units (1 MB = 1000000 bytes)' : 'IEC units (1 MiB = 1048576 bytes)'}`
  const canvas = createCanvas(WIDTH, height, input.title ?? `Layers of ${input.image}`, subtitle)
  defineHatch(canvas.svg)

  const slices = layoutStack(input.layers, total)
  drawStack(canvas.svg, input.layers, slices)
  drawList(canvas.svg, input.layers, slices, units)

  drawLegend(canvas.svg, [
    {label: LAYER_LEGEND.base, fill: BASE_FILL},
    {label: LAYER_LEGEND.app, fill: APP_FILL},
    {label: LAYER_LEGEND.hidden, fill: `url(#${HATCH_ID})`, stroke: HIDDEN_COLOUR},
  ], STACK_LEFT, STACK_TOP + Math.max(STACK_HEIGHT, listHeight) + 30)

  return canvas.serialize()
}

function checkLayer(layer: LayerInput, index: number): void {
  if (!Number.isFinite(layer.stored) || layer.stored < 0) {
    throw new Error(`layer ${index} (${layer.digest}): invalid stored size ${layer.stored}, expected bytes, 0 or more`)
  }

  if (layer.hidden !== null && (!Number.isFinite(layer.hidden) || layer.hidden < 0 || layer.hidden > layer.stored)) {
    throw new Error(`layer ${index} (${layer.digest}): invalid hidden size ${layer.hidden}, expected bytes from 0 to the stored size ${layer.stored}`)
  }
}

/** Top and height of each layer's slice, bottom layer lowest, with a gap where the base image ends. */
function layoutStack(layers: LayerInput[], total: number): Array<{top: number; height: number}> {
  const hasBoth = layers.some((layer) => layer.base) && layers.some((layer) => !layer.base)
  const available = STACK_HEIGHT - (hasBoth ? SECTION_GAP : 0)
  const slices: Array<{top: number; height: number}> = []

  let bottom = STACK_TOP + STACK_HEIGHT
  layers.forEach((layer, index) => {
    if (index > 0 && layers[index - 1].base && !layer.base) bottom -= SECTION_GAP
    const height = total > 0 ? (layer.stored / total) * available : 0
    slices.push({top: bottom - height, height})
    bottom -= height
  })

  return slices
}

function defineHatch(svg: Svg): void {
  const pattern = svg.append('defs').append('pattern').attr('id', HATCH_ID).attr('patternUnits', 'userSpaceOnUse')
    .attr('width', 6).attr('height', 6).attr('patternTransform', 'rotate(45)')
  pattern.append('rect').attr('width', 6).attr('height', 6).attr('fill', '#f6d5d1')
  pattern.append('line').attr('x1', 0).attr('y1', 0).attr('x2', 0).attr('y2', 6)
    .attr('stroke', HIDDEN_COLOUR).attr('stroke-width', 2)
}

function drawStack(svg: Svg, layers: LayerInput[], slices: Array<{top: number; height: number}>): void {
  const stack = svg.append('g').attr('class', 'stack')

  layers.forEach((layer, index) => {
    const {top, height} = slices[index]
    stack.append('rect').attr('class', 'layer').attr('data-digest', layer.digest).attr('data-index', index)
      .attr('data-bytes', layer.stored).attr('data-base', String(layer.base))
      .attr('x', STACK_LEFT).attr('y', top).attr('width', STACK_WIDTH).attr('height', Math.max(height, 0.5))
      .attr('fill', layer.base ? BASE_FILL : APP_FILL).attr('stroke', '#ffffff').attr('stroke-width', height > 3 ? 1 : 0)

    if (layer.hidden && layer.stored > 0) {
      const width = STACK_WIDTH * (layer.hidden / layer.stored)
      stack.append('rect').attr('class', 'layer-hidden').attr('data-digest', layer.digest).attr('data-bytes', layer.hidden)
        .attr('x', STACK_LEFT + STACK_WIDTH - width).attr('y', top).attr('width', width).attr('height', Math.max(height, 0.5))
        .attr('fill', `url(#${HATCH_ID})`).attr('stroke', HIDDEN_COLOUR).attr('stroke-width', 0.5)
    }
  })

  drawSectionLabel(stack, layers, slices, true, 'base image')
  drawSectionLabel(stack, layers, slices, false, 'application')
}

/** Writes a rotated label and a bracket beside the slices of one section (base or application). */
function drawSectionLabel(
  stack: Svg, layers: LayerInput[], slices: Array<{top: number; height: number}>, base: boolean, label: string,
): void {
  const indexes = layers.map((layer, index) => (layer.base === base ? index : -1)).filter((index) => index >= 0)
  if (indexes.length === 0) return

  const top = Math.min(...indexes.map((index) => slices[index].top))
  const bottom = Math.max(...indexes.map((index) => slices[index].top + slices[index].height))
  const x = STACK_LEFT - 10
  stack.append('path').attr('class', 'section-bracket').attr('d', `M${x + 5},${top} H${x} V${bottom} H${x + 5}`)
    .attr('fill', 'none').attr('stroke', MUTED_COLOUR)
  stack.append('text').attr('class', 'section-label')
    .attr('transform', `translate(${x - 6},${(top + bottom) / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle').attr('fill', MUTED_COLOUR).text(label)
}

/** Lists the layers top first, each row joined by a leader line to the middle of its slice. */
function drawList(svg: Svg, layers: LayerInput[], slices: Array<{top: number; height: number}>, units: UnitSystem): void {
  const list = svg.append('g').attr('class', 'layer-list')
  const order = layers.map((_layer, index) => index).reverse()
  const rowYs = placeRows(order.map((index) => slices[index].top + slices[index].height / 2), layers.length)

  order.forEach((index, position) => {
    const layer = layers[index]
    const rowY = rowYs[position]
    const sliceY = slices[index].top + slices[index].height / 2
    const row = list.append('g').attr('class', 'layer-row').attr('data-digest', layer.digest)
    row.append('path').attr('d', `M${STACK_LEFT + STACK_WIDTH},${sliceY} L${LIST_LEFT - 30},${sliceY} L${LIST_LEFT - 6},${rowY}`)
      .attr('fill', 'none').attr('stroke', '#bbbbbb')

    const hidden = hiddenText(layer, units)
    const cells: Array<[number, string, string, string]> = [
      [0, `#${index}`, MUTED_COLOUR, 'normal'],
      [34, formatBytes(layer.stored, units), TEXT_COLOUR, 'bold'],
      [110, hidden, layer.hidden ? HIDDEN_COLOUR : MUTED_COLOUR, 'normal'],
      [210, shortDigest(layer.digest), MUTED_COLOUR, 'normal'],
      [310, truncate(layer.createdBy ?? '', 64), TEXT_COLOUR, 'normal'],
    ]
    for (const [dx, text, fill, weight] of cells) {
      row.append('text').attr('x', LIST_LEFT + dx).attr('y', rowY + 4).attr('fill', fill).attr('font-weight', weight).text(text)
    }

    row.append('title').text(`${layer.digest}\n${layer.createdBy ?? ''}`)
  })
}

/**
 * Places list rows as near as possible to the slice centres `targets` (top
 * first) while keeping them ROW_HEIGHT apart and inside the drawing.
 */
function placeRows(targets: number[], count: number): number[] {
  const first = STACK_TOP + ROW_HEIGHT / 2
  const last = STACK_TOP + Math.max(STACK_HEIGHT, count * ROW_HEIGHT) - ROW_HEIGHT / 2
  const placed = targets.map((y) => Math.min(Math.max(y, first), last))

  for (let i = 1; i < placed.length; i += 1) placed[i] = Math.max(placed[i], placed[i - 1] + ROW_HEIGHT)
  placed[placed.length - 1] = Math.min(placed[placed.length - 1], last)
  for (let i = placed.length - 2; i >= 0; i -= 1) placed[i] = Math.min(placed[i], placed[i + 1] - ROW_HEIGHT)
  return placed
}

function hiddenText(layer: LayerInput, units: UnitSystem): string {
  if (layer.hidden === null) return 'hidden n/a'
  return layer.hidden > 0 ? `${formatBytes(layer.hidden, units)} hidden` : ''
}

function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12)
}
