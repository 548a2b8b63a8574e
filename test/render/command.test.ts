import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import Render from '../../commands/render.js'
import {byClass, legendLabels, parseSvg, titleOf} from './svg.js'

const store = (letter: string, name: string): string => `/nix/store/${letter.repeat(32)}-${name}`
const GLIBC = store('a', 'glibc-2.37')
const OPENSSL = store('b', 'openssl-3.0.9')
const NGINX = store('c', 'nginx-1.24.0')

/** Output of depgraph analyze --json for nginx on three platforms and redis on Podman only. */
const analysis = {
  artifacts: [
    {
      platform: 'podman', name: 'nginx', source: 'oci-archive:nginx.tar',
      sizes: {total: 137_000_000, base: 72_500_000, hidden: 2_000_000},
      layers: [
        {digest: `sha256:${'1'.repeat(64)}`, stored: 72_500_000, compressed: null, content: 70_000_000, hidden: 0, createdBy: 'debootstrap'},
        {digest: `sha256:${'2'.repeat(64)}`, stored: 64_000_000, compressed: null, content: 60_000_000, hidden: 2_000_000, createdBy: 'RUN apt-get install -y nginx'},
        {digest: `sha256:${'3'.repeat(64)}`, stored: 500_000, compressed: null, content: 400_000, hidden: 0, createdBy: 'COPY nginx.conf /etc/nginx/'},
      ],
    },
    {
      platform: 'nix', name: 'nginx', source: NGINX,
      sizes: {total: 37_500_000, unique: 7_500_000},
      paths: [
        {path: NGINX, narSize: 1_500_000, references: [NGINX, OPENSSL, GLIBC], onHost: false},
        {path: OPENSSL, narSize: 6_000_000, references: [GLIBC], onHost: false},
        {path: GLIBC, narSize: 30_000_000, references: [], onHost: true},
      ],
    },
    {platform: 'osv', name: 'nginx', source: 'nginx.qcow2', sizes: {total: 8_300_000, mounted: 1_900_000}},
    {
      platform: 'podman', name: 'redis', source: 'oci-archive:redis.tar',
      sizes: {total: 109_000_000, base: 72_500_000},
      packages: [
        {name: 'redis-server', version: '7.0.15', installed: 5_000_000, depends: ['libc6', 'libssl3', 'missing-package']},
        {name: 'libssl3', version: '3.0.11', installed: 6_000_000, depends: ['libc6']},
        {name: 'libc6', version: '2.36', installed: 12_000_000, depends: []},
      ],
    },
  ],
  duplicated: {},
}

let directory: string
let input: string

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'depgraph-render-'))
  input = join(directory, 'analysis.json')
  await writeFile(input, JSON.stringify(analysis))
})

afterAll(async () => {
  await rm(directory, {recursive: true, force: true})
})

async function render(args: string[]): Promise<ReturnType<typeof parseSvg>> {
  const out = join(directory, `${args.join('-').replace(/[^a-z0-9-]/gi, '')}.svg`)
  await Render.run([input, '--out', out, ...args], import.meta.url)
  return parseSvg(await readFile(out, 'utf8'))
}

describe('depgraph render', () => {
  it('draws bars for every application', async () => {
    const document = await render(['--kind', 'bars', '--log'])

    expect(byClass(document, 'app-label').map((label) => label.textContent)).toEqual(['nginx', 'redis'])
    expect(byClass(document, 'bar')).toHaveLength(8)
    expect(byClass(document, 'bar-missing').map((gap) => `${gap.getAttribute('data-app')} ${gap.getAttribute('data-series')}`))
      .toEqual(['redis osvImage', 'redis osvMounted', 'redis nixTotal', 'redis nixUnique'])
    const osv = byClass(document, 'bar').find((bar) => bar.getAttribute('data-series') === 'osvMounted')
    expect(osv?.getAttribute('data-bytes')).toBe('1900000')
  })

  it('derives base layers from sizes.base', async () => {
    const document = await render(['--kind', 'layers', '--artifact', 'nginx'])

    expect(titleOf(document)).toBe('Layers of nginx')
    expect(byClass(document, 'layer').map((layer) => layer.getAttribute('data-base'))).toEqual(['true', 'false', 'false'])
  })

  it('draws a Nix closure with its host', async () => {
    const document = await render(['--kind', 'graph', '--artifact', 'nginx', '--platform', 'nix'])
    const nodes = byClass(document, 'node')

    expect(titleOf(document)).toBe('Closure of nginx')
    expect(nodes.map((node) => node.getAttribute('data-id'))).toEqual([NGINX, GLIBC, OPENSSL])
    expect(nodes.find((node) => node.getAttribute('data-root') === 'true')?.getAttribute('data-id')).toBe(NGINX)
    expect(nodes.map((node) => node.getAttribute('data-on-host'))).toEqual(['false', 'true', 'false'])
    expect(byClass(document, 'edge')).toHaveLength(3)
  })

  it('draws image packages under the image', async () => {
    const document = await render(['--kind', 'graph', '--artifact', 'redis'])
    const ids = byClass(document, 'node').map((node) => node.getAttribute('data-id'))

    expect(ids).toEqual(['artifact:podman:redis', 'libc6@2.36', 'libssl3@3.0.11', 'redis-server@7.0.15'])
    expect(byClass(document, 'edge')).toHaveLength(4)
    expect(legendLabels(document)[0]).toBe('On the host already')
  })

  it('draws a treemap by store path', async () => {
    const document = await render(['--kind', 'treemap', '--artifact', 'nginx', '--platform', 'nix', '--units', 'iec'])

    expect(titleOf(document)).toBe('Store paths of nginx by NAR size')
    expect(byClass(document, 'item').map((item) => item.getAttribute('data-label')).sort()).toEqual(['glibc-2.37', 'nginx-1.24.0', 'openssl-3.0.9'])
    expect(legendLabels(document)).toEqual(['On the host already', 'Added by deploying'])
    expect(byClass(document, 'legend-detail')[0].textContent).toBe('(1, 28.6 MiB)')
  })

  it('asks for an artifact when several fit', async () => {
    const attempt = Render.run([input, '--kind', 'graph', '--out', join(directory, 'x.svg')], import.meta.url)

    await expect(attempt).rejects.toThrow(/analysis.json: 2 artifacts with a paths or packages array match: nginx \(nix\), redis \(podman\)/)
  })

  it('rejects an artifact without layers', async () => {
    const attempt = Render.run([input, '--kind', 'layers', '--artifact', 'nginx', '--platform', 'nix', '--out', join(directory, 'x.svg')], import.meta.url)

    await expect(attempt).rejects.toThrow(/no artifact "nginx" on nix with a layers array/)
  })

  it('names the file and field of bad input', async () => {
    const bad = join(directory, 'bad.json')
    await writeFile(bad, JSON.stringify({artifacts: [{platform: 'nix', name: 'x', sizes: {total: -3}}]}))
    const attempt = Render.run([bad, '--kind', 'bars', '--out', join(directory, 'y.svg')], import.meta.url)

    await expect(attempt).rejects.toThrow(/bad.json: artifacts\[0\].sizes.total: expected a whole number of bytes, 0 or more, got -3/)
  })

  it('names the file of truncated JSON', async () => {
    const truncated = join(directory, 'truncated.json')
    await writeFile(truncated, JSON.stringify(analysis).slice(0, 200))
    const attempt = Render.run([truncated, '--kind', 'bars', '--out', join(directory, 'z.svg')], import.meta.url)

    await expect(attempt).rejects.toThrow(/truncated.json: invalid JSON/)
  })
})
