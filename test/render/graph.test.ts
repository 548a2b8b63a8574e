import {describe, expect, it} from 'vitest'

import {AGGREGATE_IDS} from '../../src/render/svg/aggregate.js'
import {GRAPH_LEGEND, renderGraph} from '../../src/render/svg/graph.js'
import {formatBytes} from '../../src/render/units.js'
import {syntheticClosure} from './closure.js'
import {byClass, legendLabels, parseSvg, titleOf} from './svg.js'

const HOST_FILL = '#9aa7b8'
const ADDED_FILL = '#d9730d'

describe('renderGraph', () => {
  it('has the title', () => {
    const document = parseSvg(renderGraph(syntheticClosure(20)))

    expect(titleOf(document)).toBe('Closure of path-0 (20 paths)')
  })

  it('draws every node of a small closure', () => {
    const input = syntheticClosure(20)
    const document = parseSvg(renderGraph(input))
    const nodes = byClass(document, 'node')

    expect(nodes.map((node) => node.getAttribute('data-id')).sort()).toEqual(input.nodes.map((node) => node.id).sort())
    expect(byClass(document, 'node-other')).toHaveLength(0)
    expect(byClass(document, 'edge')).toHaveLength(input.edges.length)
  })

  it('colours host and added nodes apart', () => {
    const input = syntheticClosure(20)
    const document = parseSvg(renderGraph(input))

    for (const node of byClass(document, 'node')) {
      const expected = input.nodes.find((entry) => entry.id === node.getAttribute('data-id'))
      const fill = node.getElementsByTagName('circle')[0].getAttribute('fill')
      expect(fill, node.getAttribute('data-id') ?? '').toBe(expected?.onHost ? HOST_FILL : ADDED_FILL)
    }
  })

  it('marks the root', () => {
    const input = syntheticClosure(20)
    const document = parseSvg(renderGraph(input))
    const roots = byClass(document, 'node').filter((node) => node.getAttribute('data-root') === 'true')

    expect(roots.map((node) => node.getAttribute('data-id'))).toEqual([input.root])
  })

  it('lists host, added and root in the legend', () => {
    const document = parseSvg(renderGraph(syntheticClosure(20)))

    expect(legendLabels(document)).toEqual([GRAPH_LEGEND.onHost, GRAPH_LEGEND.added, GRAPH_LEGEND.root])
  })

  it('sizes circle areas by bytes', () => {
    const input = syntheticClosure(20)
    const document = parseSvg(renderGraph(input))
    const radiusOf = (index: number): number => {
      const node = byClass(document, 'node').find((element) => element.getAttribute('data-id') === input.nodes[index].id)
      return Number(node?.getElementsByTagName('circle')[0].getAttribute('r'))
    }

    expect((radiusOf(1) / radiusOf(2)) ** 2).toBeCloseTo(input.nodes[1].bytes / input.nodes[2].bytes, 6)
  })

  it('aggregates a 500-node closure', () => {
    const input = syntheticClosure(500)
    const document = parseSvg(renderGraph(input, {maxNodes: 60, maxLabels: 25}))
    const single = byClass(document, 'node').filter((node) => node.getAttribute('class') === 'node')
    const others = byClass(document, 'node-other')

    expect(single).toHaveLength(60)
    expect(others.map((node) => node.getAttribute('data-id')).sort()).toEqual([AGGREGATE_IDS.added, AGGREGATE_IDS.onHost])

    const drawnIds = new Set(single.map((node) => node.getAttribute('data-id')))
    const folded = input.nodes.filter((node) => !drawnIds.has(node.id))
    const foldedBytes = folded.reduce((sum, node) => sum + node.bytes, 0)
    const otherBytes = others.reduce((sum, node) => sum + Number(node.getAttribute('data-bytes')), 0)
    const otherCount = others.reduce((sum, node) => sum + Number(node.getAttribute('data-count')), 0)
    expect(folded).toHaveLength(440)
    expect(otherCount).toBe(440)
    expect(otherBytes).toBe(foldedBytes)

    const foldedOnHost = folded.filter((node) => node.onHost).reduce((sum, node) => sum + node.bytes, 0)
    const onHostOther = others.find((node) => node.getAttribute('data-id') === AGGREGATE_IDS.onHost)
    expect(Number(onHostOther?.getAttribute('data-bytes'))).toBe(foldedOnHost)
  })

  it('keeps the largest nodes when aggregating', () => {
    const input = syntheticClosure(500)
    const document = parseSvg(renderGraph(input, {maxNodes: 60}))
    const drawnIds = byClass(document, 'node').map((node) => node.getAttribute('data-id'))
    const largest = [...input.nodes].sort((a, b) => b.bytes - a.bytes).slice(0, 59).map((node) => node.id)

    for (const id of largest) expect(drawnIds).toContain(id)
    expect(drawnIds).toContain(input.root)
  })

  it('labels at most the largest 25 of 500 nodes', () => {
    const document = parseSvg(renderGraph(syntheticClosure(500), {maxLabels: 25}))
    const labels = byClass(document, 'node-label')

    expect(labels).toHaveLength(25)
    expect(labels.map((label) => label.getAttribute('data-id'))).toContain(AGGREGATE_IDS.added)
    expect(legendLabels(document)).toContain(GRAPH_LEGEND.aggregate)
  })

  it('redirects edges to aggregates without repeats', () => {
    const document = parseSvg(renderGraph(syntheticClosure(500)))
    const pairs = byClass(document, 'edge').map((edge) => `${edge.getAttribute('data-source')} ${edge.getAttribute('data-target')}`)

    expect(new Set(pairs).size).toBe(pairs.length)
    expect(pairs.some((pair) => pair.endsWith(AGGREGATE_IDS.added) || pair.endsWith(AGGREGATE_IDS.onHost))).toBe(true)
    expect(byClass(document, 'edge').every((edge) => edge.getAttribute('data-source') !== edge.getAttribute('data-target'))).toBe(true)
  })

  it('keeps every circle inside the drawing', () => {
    const document = parseSvg(renderGraph(syntheticClosure(500)))
    const width = Number(document.documentElement?.getAttribute('width'))
    const height = Number(document.documentElement?.getAttribute('height'))

    for (const circle of byClass(document, 'nodes')[0].getElementsByTagName('circle')) {
      const x = Number(circle.getAttribute('cx'))
      const y = Number(circle.getAttribute('cy'))
      const r = Number(circle.getAttribute('r'))
      expect(x - r).toBeGreaterThanOrEqual(0)
      expect(y - r).toBeGreaterThanOrEqual(60)
      expect(x + r).toBeLessThanOrEqual(width)
      expect(y + r).toBeLessThanOrEqual(height)
    }
  })

  it('renders the same SVG twice', () => {
    const input = syntheticClosure(100)

    expect(renderGraph(input)).toBe(renderGraph(input))
  })

  it('draws an artifact root apart', () => {
    const input = syntheticClosure(4)
    input.nodes.unshift({id: 'artifact:podman:app', label: 'app', bytes: 0, onHost: false, artifact: true})
    input.edges.unshift({source: 'artifact:podman:app', target: input.root})
    input.root = 'artifact:podman:app'
    const document = parseSvg(renderGraph(input))
    const root = byClass(document, 'node').find((node) => node.getAttribute('data-root') === 'true')
    const added = input.nodes.filter((node) => !node.onHost && !node.artifact)

    expect(root?.getElementsByTagName('circle')[0].getAttribute('fill')).toBe('#ffffff')
    expect(byClass(document, 'legend-detail')[1].textContent).toBe(`(${added.length}, ${formatBytes(added.reduce((sum, node) => sum + node.bytes, 0))})`)
    expect(byClass(document, 'node-label').find((label) => label.getAttribute('data-id') === 'artifact:podman:app')?.textContent).toBe('app')
  })

  it('rejects an edge to an unknown node', () => {
    const input = syntheticClosure(5)
    input.edges.push({source: input.root, target: 'missing'})

    expect(() => renderGraph(input)).toThrow(/edge \d+ names the unknown node "missing"/)
  })

  it('rejects a root that is not a node', () => {
    const input = {...syntheticClosure(5), root: 'nowhere'}

    expect(() => renderGraph(input)).toThrow(/root "nowhere" is not among the nodes/)
  })
})
