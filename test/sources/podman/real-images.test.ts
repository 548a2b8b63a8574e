import {execFileSync} from 'node:child_process'
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {createGraph, type DepGraph} from '../../../src/graph/graph.js'
import {measureDuplicated} from '../../../src/measure/duplicated.js'
import {measureLayers} from '../../../src/measure/layers.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {loadPodman, loadPodmanHost} from '../../../src/sources/podman/index.js'
import {loadRootDirectory} from '../../../src/sources/rootfs/index.js'
import {APPS, imageForm, slimRoot} from '../../helpers/fixtures.js'

/** Sum of regular-file sizes in a tar, as GNU tar lists them: hard links ('h') count once. */
function regularFileBytes(tarPath: string, member?: string): number {
  const listing = member
    ? execFileSync('bash', ['-c', 'tar -xOf "$0" "$1" | tar -tv', tarPath, member], {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
    : execFileSync('tar', ['-tvf', tarPath], {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})
  let total = 0
  for (const line of listing.split('\n')) {
    if (line.startsWith('-')) total += Number(line.split(/\s+/)[2])
  }

  return total
}

interface HistoryEntry {
  size: number
  CreatedBy: string
}

/** Layer sizes from `podman history`, bottom first, skipping entries that made no layer. */
function historyLayerSizes(app: string): number[] {
  const history = JSON.parse(readFileSync(imageForm(app, 'history.json'), 'utf8')) as HistoryEntry[]
  return history
    .reverse()
    .filter((entry) => !entry.CreatedBy.includes('#(nop)') || entry.size > 0)
    .map((entry) => entry.size)
}

async function loadOne(ref: string): Promise<{graph: DepGraph; artifact: string}> {
  const graph = createGraph()
  const [artifact] = await loadPodman(graph, ref)
  return {graph, artifact}
}

describe('podman source on real images', () => {
  for (const app of [...APPS, 'layers']) {
    describe(app, () => {
      let graph: DepGraph
      let artifact: string

      beforeAll(async () => {
        ;({graph, artifact} = await loadOne(`docker-archive:${imageForm(app, 'docker-archive.tar')}`))
      })

      it('layer stored bytes equal podman history', () => {
        const layers = measureLayers(graph, artifact)
        expect(layers.map((layer) => layer.stored)).toEqual(historyLayerSizes(app))
      })

      it('total is the layers plus the config blob', () => {
        const inspect = JSON.parse(readFileSync(imageForm(app, 'inspect.json'), 'utf8'))[0]
        const configBytes = statSync(join(imageForm(app, 'dir'), inspect.Id)).size
        const layerSum = historyLayerSizes(app).reduce((sum, size) => sum + size, 0)
        expect(measureArtifact(graph, artifact).sizes.total).toBe(layerSum + configBytes)
      })

      it('content equals the regular files of podman export', () => {
        expect(measureArtifact(graph, artifact).sizes.content).toBe(regularFileBytes(imageForm(app, 'export.tar')))
      })

      it('hidden equals all layer file bytes minus the export', () => {
        const inspect = JSON.parse(readFileSync(imageForm(app, 'inspect.json'), 'utf8'))[0]
        const diffIds: string[] = inspect.RootFS.Layers
        const archive = imageForm(app, 'docker-archive.tar')
        const written = diffIds.reduce((sum, diffId) => sum + regularFileBytes(archive, `${diffId.slice(7)}.tar`), 0)
        const exported = regularFileBytes(imageForm(app, 'export.tar'))
        expect(measureArtifact(graph, artifact).sizes.hidden).toBe(written - exported)
      })
    })
  }

  it('every archive form gives identical figures', async () => {
    const forms = ['docker-archive.tar', 'docker-legacy.tar', 'docker-blobs.tar', 'oci-archive.tar', 'oci', 'oci-gzip', 'oci-zstd', 'dir', 'dir-gzip']
    const figures = []
    for (const form of forms) {
      const {graph, artifact} = await loadOne(imageForm('redis', form))
      const {sizes} = measureArtifact(graph, artifact)
      const layers = measureLayers(graph, artifact).map((layer) => [layer.diffId, layer.stored, layer.content, layer.hidden])
      figures.push({form, total: sizes.total, content: sizes.content, hidden: sizes.hidden, layers})
    }

    for (const figure of figures.slice(1)) expect({...figure, form: 'any'}).toEqual({...figures[0], form: 'any'})
  })

  it('compressed forms report their blob bytes', async () => {
    const {graph, artifact} = await loadOne(imageForm('nginx', 'oci-zstd'))
    const manifestDigest = JSON.parse(readFileSync(join(imageForm('nginx', 'oci-zstd'), 'index.json'), 'utf8')).manifests[0].digest.slice(7)
    const manifest = JSON.parse(readFileSync(join(imageForm('nginx', 'oci-zstd'), 'blobs', 'sha256', manifestDigest), 'utf8'))
    const layers = measureLayers(graph, artifact)
    expect(layers.map((layer) => layer.compressed)).toEqual(manifest.layers.map((layer: {size: number}) => layer.size))
    expect(manifest.layers[0].mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd')
  })
})

describe('podman measures across images', () => {
  let graph: DepGraph
  let artifacts: string[]

  beforeAll(async () => {
    graph = createGraph()
    artifacts = await loadPodman(graph, `docker-archive:${join(imageForm('nginx', '..'), 'multi.tar')}`)
  })

  it('finds each base in a multi-image archive', () => {
    const slim = artifacts.find((key) => key.includes('slim')) as string
    const slimTotal = measureLayers(graph, slim).reduce((sum, layer) => sum + layer.stored, 0)
    for (const artifact of artifacts.filter((key) => key !== slim)) {
      const {sizes} = measureArtifact(graph, artifact)
      expect(sizes.base).toBe(slimTotal)
      expect(sizes.appLibs).toBe((sizes.total as number) - slimTotal)
    }
  })

  it('counts ca-certificates copies as duplicated', () => {
    const apps = artifacts.filter((key) => !key.includes('slim'))
    const report = measureDuplicated(graph, apps, 100_000)
    const bundle = report.largest.find((item) => item.path === 'etc/ssl/certs/ca-certificates.crt')
    expect(bundle?.copies).toBe(3)
    expect(bundle?.duplicated).toBe((bundle?.content as number) * 2)
    expect(report.bytes).toBe(report.largest.reduce((sum, item) => sum + item.duplicated, 0))
  })

  it('reads the dpkg database of the final filesystem', () => {
    const nginx = artifacts.find((key) => key.includes('nginx')) as string
    const status = execFileSync('tar', ['-xOf', imageForm('nginx', 'export.tar'), 'var/lib/dpkg/status'], {encoding: 'utf8'})
    const installed = status.split('\n').filter((line) => line === 'Status: install ok installed').length
    const packages = graph.outNeighbors(nginx).filter((key) => key.startsWith('pkg:deb:'))
    expect(packages).toHaveLength(installed)

    const nginxPackage = packages.find((key) => key.startsWith('pkg:deb:nginx@')) as string
    const owned = graph.outEdges(nginxPackage).map((edge) => graph.getEdgeAttributes(edge)).filter((edge) => edge.kind === 'owns')
    expect(owned.map((edge) => (edge as {path: string}).path)).toContain('usr/sbin/nginx')
  })

  it('follows merged-usr links in dpkg file lists', () => {
    const nginx = artifacts.find((key) => key.includes('nginx')) as string
    const bash = graph.outNeighbors(nginx).find((key) => key.startsWith('pkg:deb:bash@')) as string
    const owned = graph.outEdges(bash).map((edge) => graph.getEdgeAttributes(edge) as {kind: string; path?: string})
    expect(owned.filter((edge) => edge.kind === 'owns').map((edge) => edge.path)).toContain('usr/bin/bash')
  })
})

describe('podman unique versus a host', () => {
  it('layer-level unique is the layers the host store lacks', async () => {
    const {graph, artifact} = await loadOne(imageForm('nginx', 'docker-archive.tar'))
    await loadPodmanHost(graph, `docker-archive:${imageForm('slim', 'docker-archive.tar')}`, 'host:target')
    expect(measureArtifact(graph, artifact, {host: 'host:target'}).sizes.unique).toBe(historyLayerSizes('nginx').at(-1))
  })

  it('file-level unique is zero for the image of the host root itself', async () => {
    const {graph, artifact} = await loadOne(imageForm('slim', 'docker-archive.tar'))
    await loadRootDirectory(graph, slimRoot, 'host:target')
    const {sizes} = measureArtifact(graph, artifact, {host: 'host:target'})
    expect(sizes.content).toBeGreaterThan(50_000_000)
    expect(sizes.uniqueFiles).toBe(0)
  })
})
