import {execFile} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {renderBars} from '../../src/render/svg/bars.js'
import {renderGraph} from '../../src/render/svg/graph.js'
import {renderLayers} from '../../src/render/svg/layers.js'
import {renderTreemap} from '../../src/render/svg/treemap.js'
import {syntheticClosure} from './closure.js'

const run = promisify(execFile)

let directory: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'depgraph-rsvg-'))
})

afterAll(async () => {
  await rm(directory, {recursive: true, force: true})
})

/** Converts `svg` to PNG with rsvg-convert (Debian package librsvg2-bin) and returns the PNG's width and height. */
async function rasterise(name: string, svg: string): Promise<{width: number; height: number}> {
  const source = join(directory, `${name}.svg`)
  const target = join(directory, `${name}.png`)
  await writeFile(source, svg)
  await run('rsvg-convert', [source, '-o', target])

  const png = await readFile(target)
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
  return {width: png.readUInt32BE(16), height: png.readUInt32BE(20)}
}

function declaredSize(svg: string): {width: number; height: number} {
  const match = /<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg)
  return {width: Number(match?.[1]), height: Number(match?.[2])}
}

const closure = syntheticClosure(500)
const drawings: Array<[string, () => string]> = [
  ['bars', () => renderBars({rows: [{app: 'nginx', podmanTotal: 137e6, podmanBase: 72.5e6, osvImage: null, osvMounted: 1.9e6, nixTotal: 728.3e6, nixUnique: 12.6e6}]}, {log: true})],
  ['layers', () => renderLayers({image: 'nginx', layers: [
    {digest: `sha256:${'1'.repeat(64)}`, stored: 72_500_000, hidden: 0, createdBy: 'debootstrap', base: true},
    {digest: `sha256:${'2'.repeat(64)}`, stored: 64_000_000, hidden: 2_000_000, createdBy: 'RUN apt-get install -y nginx', base: false},
  ]})],
  ['graph', () => renderGraph(closure)],
  ['treemap', () => renderTreemap({title: 'Closure', unit: 'store path', items: closure.nodes.map((node) => ({label: node.label, bytes: node.bytes}))})],
]

describe('rsvg-convert', () => {
  it.each(drawings)('rasterises the %s drawing', async (name, draw) => {
    const svg = draw()
    const size = await rasterise(name, svg)

    expect(size).toEqual(declaredSize(svg))
  })
})
