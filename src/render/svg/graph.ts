import type * as d3 from 'd3'

import {formatBytes, type UnitSystem} from '../units.js'
import {aggregateGraph, checkGraphInput, type DrawnGraph, type DrawnNode} from './aggregate.js'
import {
  ADDED_FILL, ADDED_LABEL, createCanvas, drawLegend, HOST_FILL, ON_HOST_LABEL, TEXT_COLOUR, truncate, type LegendEntry, type Svg,
} from './document.js'
import type {GraphInput, GraphOptions} from './types.js'

export const GRAPH_LEGEND = {
  onHost: ON_HOST_LABEL,
  added: ADDED_LABEL,
  root: 'Root',
  aggregate: 'Smaller nodes, aggregated',
} as const

const WIDTH = 1200
const HEIGHT = 820
const PLOT = {left: 20, top: 70, right: 860, bottom: HEIGHT - 20}
const MAX_RADIUS = 46
const MIN_RADIUS = 3
const ROOT_MIN_RADIUS = 9

/** A drawn node with its layout position and radius. */
interface PlacedNode extends DrawnNode, d3.SimulationNodeDatum {
  radius: number
  x: number
  y: number
}

/**
 * Renders a dependency graph: store paths of a closure or packages of an
 * image, as circles whose area is proportional to their bytes, grey when the
 * host already has them and orange when deploying adds them. Beyond
 * `maxNodes` nodes, the smallest are folded into aggregate nodes. Only the
 * `maxLabels` largest drawn nodes carry a visible label, but every node has
 * its name and size as a tooltip.
 */
export function renderGraph(input: GraphInput, options: GraphOptions = {}): string {
  checkGraphInput(input)

  const units = options.units ?? 'si'
  const drawn = aggregateGraph(input, options.maxNodes ?? 60)
  const canvas = createCanvas(WIDTH, HEIGHT, input.title, subtitle(input, drawn, units))
  const placed = layout(canvas.d3, drawn)

  drawEdges(canvas.svg, drawn, placed)
  drawNodes(canvas.svg, placed)
  drawLabels(canvas.svg, placed, options.maxLabels ?? 25, units)
  drawLegend(canvas.svg, legendEntries(input, drawn, units), PLOT.right + 20, PLOT.top)

  return canvas.serialize()
}

function subtitle(input: GraphInput, drawn: DrawnGraph, units: UnitSystem): string {
  const total = input.nodes.reduce((sum, node) => sum + node.bytes, 0)
  const stored = input.nodes.filter((node) => !node.artifact).length
  const folded = drawn.aggregated > 0 ? `, the ${drawn.nodes.length - countAggregates(drawn)} largest drawn one by one` : ''
  return `${stored} nodes${folded}, ${input.edges.length} edges, ${formatBytes(total, units)} in all; `
    + `circle area proportional to bytes, ${units === 'si' ? 'SI units (1 MB = 1000000 bytes)' : 'IEC units (1 MiB = 1048576 bytes)'}`
}

function countAggregates(drawn: DrawnGraph): number {
  return drawn.nodes.filter((node) => node.aggregate).length
}

function legendEntries(input: GraphInput, drawn: DrawnGraph, units: UnitSystem): LegendEntry[] {
  const sum = (onHost: boolean): {count: number; bytes: number} => {
    const members = input.nodes.filter((node) => node.onHost === onHost && !node.artifact)
    return {count: members.length, bytes: members.reduce((total, node) => total + node.bytes, 0)}
  }

  const host = sum(true)
  const added = sum(false)
  const hostDetail = input.hostGiven === false ? '(no host given)' : `(${host.count}, ${formatBytes(host.bytes, units)})`
  const entries: LegendEntry[] = [
    {label: GRAPH_LEGEND.onHost, fill: HOST_FILL, shape: 'circle', detail: hostDetail},
    {label: GRAPH_LEGEND.added, fill: ADDED_FILL, shape: 'circle', detail: `(${added.count}, ${formatBytes(added.bytes, units)})`},
    {label: GRAPH_LEGEND.root, fill: '#ffffff', stroke: TEXT_COLOUR, shape: 'circle', detail: truncate(rootLabel(input), 28)},
  ]
  if (drawn.aggregated > 0) {
    entries.push({label: GRAPH_LEGEND.aggregate, fill: '#ffffff', stroke: TEXT_COLOUR, dash: '3,2', shape: 'circle', detail: `(${drawn.aggregated})`})
  }

  return entries
}

function rootLabel(input: GraphInput): string {
  return input.nodes.find((node) => node.id === input.root)?.label ?? input.root
}

/**
 * Places the nodes with a force simulation: links pull dependencies
 * together, charge pushes nodes apart and collision keeps circles from
 * overlapping. d3-force seeds its own random source, so the layout is the
 * same on every run. The result is scaled into the plot area.
 */
function layout(d3Module: typeof d3, drawn: DrawnGraph): PlacedNode[] {
  const maxBytes = Math.max(1, ...drawn.nodes.map((node) => node.bytes))
  const nodes: PlacedNode[] = drawn.nodes.map((node) => {
    const radius = Math.max(MAX_RADIUS * Math.sqrt(node.bytes / maxBytes), node.root ? ROOT_MIN_RADIUS : MIN_RADIUS)
    return {...node, radius, x: Number.NaN, y: Number.NaN}
  })

  const links = drawn.edges.map((edge) => ({...edge}))
  const simulation = forceSimulation(d3Module, nodes, links)
  for (let tick = 0; tick < 400; tick += 1) simulation.tick()
  simulation.stop()

  fitToPlot(nodes)
  return nodes
}

function forceSimulation(
  module: typeof d3, nodes: PlacedNode[], links: Array<{source: string; target: string}>,
): d3.Simulation<PlacedNode, undefined> {
  return module.forceSimulation<PlacedNode>(nodes)
    .force('link', module.forceLink<PlacedNode, d3.SimulationLinkDatum<PlacedNode>>(links).id((node) => node.id)
      .distance((link) => (link.source as PlacedNode).radius + (link.target as PlacedNode).radius + 24).strength(0.2))
    .force('charge', module.forceManyBody<PlacedNode>().strength((node) => -60 - node.radius * 6))
    .force('collide', module.forceCollide<PlacedNode>((node) => node.radius + 3).iterations(3))
    .force('x', module.forceX<PlacedNode>(0).strength(0.06))
    .force('y', module.forceY<PlacedNode>(0).strength(0.08))
    .stop()
}

/**
 * Scales and moves node centres so the circles fill the plot area. Radii
 * stay as they are, so the scale only spreads or packs the centres.
 */
function fitToPlot(nodes: PlacedNode[]): void {
  const left = Math.min(...nodes.map((node) => node.x - node.radius))
  const right = Math.max(...nodes.map((node) => node.x + node.radius))
  const top = Math.min(...nodes.map((node) => node.y - node.radius))
  const bottom = Math.max(...nodes.map((node) => node.y + node.radius))
  const margin = 10
  const scale = Math.min(
    (PLOT.right - PLOT.left - 2 * margin) / Math.max(right - left, 1),
    (PLOT.bottom - PLOT.top - 2 * margin) / Math.max(bottom - top, 1))

  const centreX = (PLOT.left + PLOT.right) / 2
  const centreY = (PLOT.top + PLOT.bottom) / 2
  const middleX = (left + right) / 2
  const middleY = (top + bottom) / 2
  for (const node of nodes) {
    node.x = centreX + (node.x - middleX) * scale
    node.y = centreY + (node.y - middleY) * scale
  }
}

function drawEdges(svg: Svg, drawn: DrawnGraph, placed: PlacedNode[]): void {
  const byId = new Map(placed.map((node) => [node.id, node]))
  svg.append('defs').append('marker').attr('id', 'arrow').attr('viewBox', '0 0 10 10').attr('refX', 10).attr('refY', 5)
    .attr('markerWidth', 6).attr('markerHeight', 6).attr('orient', 'auto')
    .append('path').attr('d', 'M0,0 L10,5 L0,10 z').attr('fill', '#888888')
  const group = svg.append('g').attr('class', 'edges')

  for (const edge of drawn.edges) {
    const source = byId.get(edge.source) as PlacedNode
    const target = byId.get(edge.target) as PlacedNode
    const length = Math.hypot(target.x - source.x, target.y - source.y) || 1
    const ux = (target.x - source.x) / length
    const uy = (target.y - source.y) / length
    group.append('line').attr('class', 'edge').attr('data-source', edge.source).attr('data-target', edge.target)
      .attr('x1', source.x + ux * source.radius).attr('y1', source.y + uy * source.radius)
      .attr('x2', target.x - ux * (target.radius + 1)).attr('y2', target.y - uy * (target.radius + 1))
      .attr('stroke', '#888888').attr('stroke-opacity', 0.45).attr('stroke-width', 0.8).attr('marker-end', 'url(#arrow)')
  }
}

function drawNodes(svg: Svg, placed: PlacedNode[]): void {
  const group = svg.append('g').attr('class', 'nodes')

  for (const node of placed) {
    const item = group.append('g').attr('class', node.aggregate ? 'node node-other' : 'node').attr('data-id', node.id)
      .attr('data-bytes', node.bytes).attr('data-on-host', String(node.onHost)).attr('data-count', node.count)
    const circle = item.append('circle').attr('cx', node.x).attr('cy', node.y).attr('r', node.radius)
      .attr('fill', nodeFill(node)).attr('fill-opacity', node.aggregate ? 0.35 : 0.9)
      .attr('stroke', node.root || node.aggregate ? TEXT_COLOUR : '#ffffff').attr('stroke-width', node.root ? 2.5 : 1)
    if (node.aggregate) circle.attr('stroke-dasharray', '4,3')
    if (node.root) item.attr('data-root', 'true')
    item.append('title').text(node.artifact ? node.label : `${node.label}\n${node.bytes} bytes`)
  }
}

function nodeFill(node: PlacedNode): string {
  if (node.artifact) return '#ffffff'
  return node.onHost ? HOST_FILL : ADDED_FILL
}

/**
 * Labels the root, the aggregates and the largest other nodes, up to
 * `maxLabels` in all. Each label goes right of, left of, above or below its
 * circle, wherever its overlap with the labels and circles placed so far is smallest.
 */
function drawLabels(svg: Svg, placed: PlacedNode[], maxLabels: number, units: UnitSystem): void {
  const group = svg.append('g').attr('class', 'labels')
  const chosen = [...placed].sort((a, b) => priority(b) - priority(a) || b.bytes - a.bytes).slice(0, maxLabels)
  const occupied: Box[] = placed.map((node) => ({left: node.x - node.radius, top: node.y - node.radius, right: node.x + node.radius, bottom: node.y + node.radius}))

  for (const node of chosen) {
    const label = node.artifact ? truncate(node.label, 32) : `${truncate(node.label, 32)} (${formatBytes(node.bytes, units)})`
    const box = bestLabelBox(node, label.length * CHARACTER_WIDTH, occupied)
    occupied.push(box)
    group.append('text').attr('class', 'node-label').attr('data-id', node.id)
      .attr('x', box.left).attr('y', box.bottom - 3).attr('fill', TEXT_COLOUR).attr('font-size', 11)
      .attr('stroke', '#ffffff').attr('stroke-width', 3).attr('paint-order', 'stroke')
      .attr('font-weight', node.root ? 'bold' : 'normal').text(label)
  }
}

/** Estimated width of one character of an 11-pixel label. */
const CHARACTER_WIDTH = 6.3
const LABEL_HEIGHT = 14

interface Box {
  left: number
  top: number
  right: number
  bottom: number
}

function bestLabelBox(node: PlacedNode, width: number, occupied: Box[]): Box {
  const candidates: Box[] = [
    {left: node.x + node.radius + 3, top: node.y - LABEL_HEIGHT / 2},
    {left: node.x - node.radius - 3 - width, top: node.y - LABEL_HEIGHT / 2},
    {left: node.x - width / 2, top: node.y - node.radius - LABEL_HEIGHT - 1},
    {left: node.x - width / 2, top: node.y + node.radius + 1},
  ].map(({left, top}) => ({left, top, right: left + width, bottom: top + LABEL_HEIGHT}))
    .filter((box) => box.left >= 0 && box.right <= PLOT.right + 10 && box.top >= PLOT.top - 10 && box.bottom <= HEIGHT)

  const options = candidates.length > 0 ? candidates : [{left: node.x + node.radius + 3, top: node.y - LABEL_HEIGHT / 2, right: node.x + node.radius + 3 + width, bottom: node.y + LABEL_HEIGHT / 2}]
  const overlap = (box: Box): number => occupied.reduce((sum, other) => {
    const dx = Math.min(box.right, other.right) - Math.max(box.left, other.left)
    const dy = Math.min(box.bottom, other.bottom) - Math.max(box.top, other.top)
    return sum + (dx > 0 && dy > 0 ? dx * dy : 0)
  }, 0)

  return options.reduce((best, box) => (overlap(box) < overlap(best) ? box : best))
}

function priority(node: PlacedNode): number {
  if (node.root) return 2
  return node.aggregate ? 1 : 0
}
