import type * as d3 from 'd3'

import {formatBytes, type UnitSystem} from '../units.js'
import {
  ADDED_FILL, ADDED_LABEL, createCanvas, drawLegend, HOST_FILL, MUTED_COLOUR, ON_HOST_LABEL, TEXT_COLOUR, truncate,
  type LegendEntry, type Svg,
} from './document.js'
import type {RenderOptions, TreemapInput, TreemapItem} from './types.js'

const WIDTH = 1200
const HEIGHT = 800
const AREA = {left: 16, top: 64, right: 880, bottom: HEIGHT - 16}
const GROUP_HEADER = 16
const CHARACTER_WIDTH = 6.3
/** Colours of groups other than the host and added classes, in order of group size. */
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']
const UNGROUPED = 'All'

interface TreeDatum {
  name: string
  item?: TreemapItem
  children?: TreeDatum[]
}

/**
 * Renders content as a treemap: one rectangle per item with its area
 * proportional to its bytes, nested in one frame per group when items have
 * groups. The groups "On the host already" and "Added by deploying" take the
 * colours of the graph drawing; other groups take palette colours by size.
 */
export function renderTreemap(input: TreemapInput, options: RenderOptions = {}): string {
  if (input.items.length === 0) throw new Error(`treemap input "${input.title}" has no items to draw`)
  input.items.forEach(checkItem)

  const units = options.units ?? 'si'
  const total = input.items.reduce((sum, item) => sum + item.bytes, 0)
  const subtitle = `${input.items.length} items, one per ${input.unit}, ${formatBytes(total, units)} in all; rectangle area proportional to bytes, `
    + `${units === 'si' ? 'SI units (1 MB = 1000000 bytes)' : 'IEC units (1 MiB = 1048576 bytes)'}`
  const canvas = createCanvas(WIDTH, HEIGHT, input.title, subtitle)

  const groups = groupItems(input.items)
  const colours = groupColours(groups)
  const root = layoutTree(canvas.d3, groups)
  drawGroups(canvas.svg, root, colours, units)
  drawItems(canvas.svg, root, colours, units)

  const entries: LegendEntry[] = groups.map((group) => ({
    label: group.name,
    fill: colours.get(group.name) as string,
    detail: `(${group.items.length}, ${formatBytes(group.bytes, units)})`,
  }))
  drawLegend(canvas.svg, entries, AREA.right + 20, AREA.top, `Legend (${input.unit})`)

  return canvas.serialize()
}

function checkItem(item: TreemapItem, index: number): void {
  if (!Number.isFinite(item.bytes) || item.bytes < 0) {
    throw new Error(`treemap input: item ${index} ("${item.label}") has invalid bytes ${item.bytes}, expected 0 or more`)
  }
}

interface Group {
  name: string
  items: TreemapItem[]
  bytes: number
}

/** Groups items by their group, largest group first; items without a group form one group. */
function groupItems(items: TreemapItem[]): Group[] {
  const byName = new Map<string, Group>()
  for (const item of items) {
    const name = item.group ?? UNGROUPED
    const group = byName.get(name) ?? {name, items: [], bytes: 0}
    group.items.push(item)
    group.bytes += item.bytes
    byName.set(name, group)
  }

  return [...byName.values()].sort((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name))
}

function groupColours(groups: Group[]): Map<string, string> {
  const colours = new Map<string, string>()
  let next = 0
  for (const group of groups) {
    if (group.name === ON_HOST_LABEL) colours.set(group.name, HOST_FILL)
    else if (group.name === ADDED_LABEL) colours.set(group.name, ADDED_FILL)
    else colours.set(group.name, PALETTE[next++ % PALETTE.length])
  }

  return colours
}

function layoutTree(d3Module: typeof d3, groups: Group[]): d3.HierarchyRectangularNode<TreeDatum> {
  const data: TreeDatum = {
    name: 'root',
    children: groups.map((group) => ({name: group.name, children: group.items.map((item) => ({name: item.label, item}))})),
  }

  const hierarchy = d3Module.hierarchy(data).sum((datum) => datum.item?.bytes ?? 0)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
  return d3Module.treemap<TreeDatum>().tile(d3Module.treemapSquarify)
    .size([AREA.right - AREA.left, AREA.bottom - AREA.top])
    .paddingOuter(2).paddingTop((node) => (node.depth === 1 && groups.length > 1 ? GROUP_HEADER : 2)).paddingInner(1)(hierarchy)
}

function drawGroups(svg: Svg, root: d3.HierarchyRectangularNode<TreeDatum>, colours: Map<string, string>, units: UnitSystem): void {
  const layer = svg.append('g').attr('class', 'groups').attr('transform', `translate(${AREA.left},${AREA.top})`)

  for (const node of root.children ?? []) {
    const frame = layer.append('g').attr('class', 'group-frame').attr('data-group', node.data.name)
    frame.append('rect').attr('x', node.x0).attr('y', node.y0).attr('width', node.x1 - node.x0).attr('height', node.y1 - node.y0)
      .attr('fill', '#f4f4f4').attr('stroke', colours.get(node.data.name) as string)
    if ((root.children?.length ?? 0) > 1 && node.x1 - node.x0 > 40 && node.y1 - node.y0 > GROUP_HEADER) {
      const label = `${node.data.name} (${formatBytes(node.value ?? 0, units)})`
      frame.append('text').attr('class', 'group-label').attr('x', node.x0 + 4).attr('y', node.y0 + 12)
        .attr('font-size', 11).attr('font-weight', 'bold').attr('fill', TEXT_COLOUR)
        .text(fitText(label, node.x1 - node.x0 - 8))
    }
  }
}

function drawItems(svg: Svg, root: d3.HierarchyRectangularNode<TreeDatum>, colours: Map<string, string>, units: UnitSystem): void {
  const layer = svg.append('g').attr('class', 'items').attr('transform', `translate(${AREA.left},${AREA.top})`)

  for (const leaf of root.leaves()) {
    const item = leaf.data.item as TreemapItem
    const group = item.group ?? UNGROUPED
    const width = leaf.x1 - leaf.x0
    const height = leaf.y1 - leaf.y0
    const cell = layer.append('g').attr('class', 'item').attr('data-label', item.label).attr('data-bytes', item.bytes)
      .attr('data-group', group)
    cell.append('rect').attr('x', leaf.x0).attr('y', leaf.y0).attr('width', width).attr('height', height)
      .attr('fill', colours.get(group) as string).attr('stroke', '#ffffff').attr('stroke-width', 0.5)
    cell.append('title').text(`${item.label}\n${formatBytes(item.bytes, units)} (${item.bytes} bytes)`)

    if (width < 36 || height < 14) continue
    const text = cell.append('text').attr('class', 'item-label').attr('x', leaf.x0 + 3).attr('y', leaf.y0 + 12)
      .attr('font-size', 11).attr('fill', TEXT_COLOUR).text(fitText(item.label, width - 6))
    const size = formatBytes(item.bytes, units)
    if (height >= 28 && size.length * CHARACTER_WIDTH <= width - 6) {
      text.append('tspan').attr('x', leaf.x0 + 3).attr('dy', 13).attr('fill', MUTED_COLOUR).text(size)
    }
  }
}

/** Truncates `text` to what fits in `width` pixels at the label font size. */
function fitText(text: string, width: number): string {
  return truncate(text, Math.max(Math.floor(width / CHARACTER_WIDTH), 2))
}
