import {describe, expect, it} from 'vitest'

import {ADDED_LABEL, ON_HOST_LABEL} from '../../src/render/svg/document.js'
import {renderTreemap} from '../../src/render/svg/treemap.js'
import type {TreemapInput} from '../../src/render/svg/types.js'
import {byClass, legendLabels, parseSvg, titleOf} from './svg.js'

const packages: TreemapInput = {
  title: 'Content of nginx:test by package',
  unit: 'package',
  items: [
    {label: 'libc6', bytes: 12_000_000, group: ON_HOST_LABEL},
    {label: 'coreutils', bytes: 8_000_000, group: ON_HOST_LABEL},
    {label: 'libssl3', bytes: 6_000_000, group: ADDED_LABEL},
    {label: 'nginx', bytes: 1_500_000, group: ADDED_LABEL},
    {label: 'empty-package', bytes: 0, group: ADDED_LABEL},
  ],
}

/** Computes the area of an item's rectangle. */
function areaOf(document: ReturnType<typeof parseSvg>, label: string): number {
  const item = byClass(document, 'item').find((element) => element.getAttribute('data-label') === label)
  const rect = item?.getElementsByTagName('rect')[0]
  return Number(rect?.getAttribute('width')) * Number(rect?.getAttribute('height'))
}

describe('renderTreemap', () => {
  it('has the title', () => {
    const document = parseSvg(renderTreemap(packages))

    expect(titleOf(document)).toBe('Content of nginx:test by package')
  })

  it('draws one rectangle per item', () => {
    const document = parseSvg(renderTreemap(packages))
    const items = byClass(document, 'item')

    expect(items.map((item) => item.getAttribute('data-label')).sort()).toEqual(['coreutils', 'empty-package', 'libc6', 'libssl3', 'nginx'])
    expect(items.find((item) => item.getAttribute('data-label') === 'nginx')?.getAttribute('data-bytes')).toBe('1500000')
  })

  it('sizes areas by bytes', () => {
    const document = parseSvg(renderTreemap({...packages, items: packages.items.map(({label, bytes}) => ({label, bytes}))}))

    expect(areaOf(document, 'libc6') / areaOf(document, 'libssl3')).toBeCloseTo(2, 1)
    expect(areaOf(document, 'empty-package')).toBe(0)
  })

  it('frames each group', () => {
    const document = parseSvg(renderTreemap(packages))

    expect(byClass(document, 'group-frame').map((frame) => frame.getAttribute('data-group'))).toEqual([ON_HOST_LABEL, ADDED_LABEL])
  })

  it('lists the groups in the legend', () => {
    const document = parseSvg(renderTreemap(packages))

    expect(legendLabels(document)).toEqual([ON_HOST_LABEL, ADDED_LABEL])
    expect(byClass(document, 'legend-detail').map((detail) => detail.textContent)).toEqual(['(2, 20 MB)', '(3, 7.5 MB)'])
  })

  it('uses one legend entry without groups', () => {
    const document = parseSvg(renderTreemap({...packages, items: packages.items.map(({label, bytes}) => ({label, bytes}))}))

    expect(legendLabels(document)).toEqual(['All'])
  })

  it('labels large rectangles with name and size', () => {
    const document = parseSvg(renderTreemap(packages))
    const labels = byClass(document, 'item-label').map((label) => label.textContent)

    expect(labels).toContain('libc612 MB')
  })

  it('draws 2000 store paths', () => {
    const items = Array.from({length: 2000}, (_unused, index) => ({label: `path-${index}`, bytes: Math.floor(1e9 / (index + 1))}))
    const document = parseSvg(renderTreemap({title: 'Closure', unit: 'store path', items}))

    expect(byClass(document, 'item')).toHaveLength(2000)
  })

  it('rejects an empty input', () => {
    expect(() => renderTreemap({title: 'Empty', unit: 'package', items: []})).toThrow(/"Empty" has no items/)
  })

  it('rejects negative bytes', () => {
    const items = [{label: 'bad', bytes: -5}]

    expect(() => renderTreemap({title: 'x', unit: 'package', items})).toThrow(/item 0 \("bad"\) has invalid bytes -5/)
  })
})
