import {describe, expect, it} from 'vitest'

import {LAYER_LEGEND, renderLayers} from '../../src/render/svg/layers.js'
import type {LayersInput} from '../../src/render/svg/types.js'
import {byClass, legendLabels, parseSvg, titleOf} from './svg.js'

const digest = (n: number): string => `sha256:${String(n).repeat(64).slice(0, 64)}`

const image: LayersInput = {
  image: 'localhost/nginx:test',
  layers: [
    {digest: digest(1), stored: 72_500_000, hidden: 0, createdBy: 'debootstrap bookworm', base: true},
    {digest: digest(2), stored: 60_000_000, hidden: 2_000_000, createdBy: 'RUN apt-get install -y nginx', base: false},
    {digest: digest(3), stored: 4_500_000, hidden: null, createdBy: 'COPY <<EOF /etc/nginx/conf.d/x.conf & "quotes"', base: false},
  ],
}

describe('renderLayers', () => {
  it('has a title naming the image', () => {
    const document = parseSvg(renderLayers(image))

    expect(titleOf(document)).toBe('Layers of localhost/nginx:test')
  })

  it('draws one slice per layer', () => {
    const document = parseSvg(renderLayers(image))
    const slices = byClass(document, 'layer')

    expect(slices.map((slice) => slice.getAttribute('data-digest'))).toEqual([digest(1), digest(2), digest(3)])
    expect(slices.map((slice) => slice.getAttribute('data-base'))).toEqual(['true', 'false', 'false'])
    expect(byClass(document, 'layer-row')).toHaveLength(3)
  })

  it('sizes slices by stored bytes', () => {
    const document = parseSvg(renderLayers(image))
    const heights = byClass(document, 'layer').map((slice) => Number(slice.getAttribute('height')))

    expect(heights[0] / heights[1]).toBeCloseTo(72.5 / 60, 6)
    expect(heights[1] / heights[2]).toBeCloseTo(60 / 4.5, 6)
  })

  it('stacks the bottom layer lowest', () => {
    const document = parseSvg(renderLayers(image))
    const tops = byClass(document, 'layer').map((slice) => Number(slice.getAttribute('y')))

    expect(tops[0]).toBeGreaterThan(tops[1])
    expect(tops[1]).toBeGreaterThan(tops[2])
  })

  it('sets the base layers apart', () => {
    const document = parseSvg(renderLayers(image))
    const slices = byClass(document, 'layer')
    const baseTop = Number(slices[0].getAttribute('y'))
    const appBottom = Number(slices[1].getAttribute('y')) + Number(slices[1].getAttribute('height'))

    expect(baseTop - appBottom).toBe(12)
    expect(byClass(document, 'section-label').map((label) => label.textContent)).toEqual(['base image', 'application'])
  })

  it('marks hidden bytes only where measured and nonzero', () => {
    const document = parseSvg(renderLayers(image))
    const hidden = byClass(document, 'layer-hidden')

    expect(hidden).toHaveLength(1)
    expect(hidden[0].getAttribute('data-digest')).toBe(digest(2))
    expect(Number(hidden[0].getAttribute('width'))).toBeCloseTo(170 * (2 / 60), 6)
  })

  it('writes sizes and hidden bytes in the list', () => {
    const document = parseSvg(renderLayers(image))
    const rows = byClass(document, 'layer-row')
      .map((row) => Array.from(row.getElementsByTagName('text')).map((cell) => cell.textContent).join(' '))

    expect(rows[0]).toContain('#2 4.5 MB hidden n/a')
    expect(rows[1]).toContain('#1 60 MB 2 MB hidden')
    expect(rows[2]).toContain('#0 72.5 MB')
    expect(rows[0]).toContain('COPY <<EOF')
  })

  it('lists base, application and hidden in the legend', () => {
    const document = parseSvg(renderLayers(image))

    expect(legendLabels(document)).toEqual([LAYER_LEGEND.base, LAYER_LEGEND.app, LAYER_LEGEND.hidden])
  })

  it('rejects hidden bytes above the stored size', () => {
    const layers = [{...image.layers[0], hidden: 80_000_000}]
    expect(() => renderLayers({image: 'x', layers})).toThrow(/layer 0 .*invalid hidden size 80000000/)
  })

  it('rejects an image without layers', () => {
    expect(() => renderLayers({image: 'x', layers: []})).toThrow(/image "x" has no layers/)
  })
})
