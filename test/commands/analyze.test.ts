import {execFileSync} from 'node:child_process'
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {writeDockerArchive} from '../helpers/archives.js'
import {imageForm, runCli} from '../helpers/fixtures.js'

describe('analyze command', () => {
  it('prints the JSON contract for a configured app', () => {
    const result = runCli(['analyze', 'nginx', '--json'])
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout)
    const [nginx] = report.artifacts
    expect(nginx.platform).toBe('podman')
    expect(nginx.name).toBe('nginx')
    expect(Object.keys(nginx.sizes).sort()).toEqual(['appLibs', 'base', 'compressed', 'content', 'hidden', 'total', 'unique', 'uniqueFiles'])
    expect(nginx.sizes.compressed).toBeNull()
    for (const [key, value] of Object.entries(nginx.sizes)) if (key !== 'compressed') expect(Number.isInteger(value)).toBe(true)
    expect(nginx.sizes.appLibs).toBe(nginx.sizes.total - nginx.sizes.base)
    expect(nginx.layers.map((layer: {stored: number}) => layer.stored).reduce((a: number, b: number) => a + b)).toBeLessThan(nginx.sizes.total)
    expect(report.duplicated).toHaveProperty('bytes')
  })

  it('prints a table with one row per image', () => {
    const result = runCli(['analyze', 'nginx', 'redis'])
    expect(result.status).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines[0].split(/\s{2,}/)).toEqual(['artifact', 'platform', 'total', 'base', 'app+libs', 'hidden', 'unique', 'unique files'])
    expect(lines[2]).toMatch(/^nginx\s+podman\s+\d+ MB/)
    expect(lines[3]).toMatch(/^redis\s+podman\s+\d+ MB/)
  })

  it('gives null with a reason where no base is known', () => {
    const result = runCli(['analyze', '--podman', imageForm('nginx', 'oci-archive.tar'), '--json'])
    expect(result.status).toBe(0)
    const [nginx] = JSON.parse(result.stdout).artifacts
    expect(nginx.sizes.base).toBeNull()
    expect(nginx.reasons.base).toContain('no base image')
    const blobs = execFileSync('tar', ['-tvf', imageForm('nginx', 'oci-archive.tar')], {encoding: 'utf8'})
    const layerBytes = nginx.layers.map((layer: {digest: string}) => {
      const line = blobs.split('\n').find((row) => row.endsWith(layer.digest.slice(7))) as string
      return Number(line.split(/\s+/)[2])
    })
    expect(nginx.sizes.compressed).toBe(layerBytes[0] + layerBytes[1])
  })

  it('rejects an unknown app with the config file named', () => {
    const result = runCli(['analyze', 'postgres'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain('depgraph.config.json: no application "postgres"; known: nginx, redis, mariadb')
  })

  it('rejects an unknown config key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'depgraph-config-'))
    const config = join(dir, 'depgraph.config.json')
    writeFileSync(config, JSON.stringify({apps: {nginx: {podman: 'x.tar', docker: 'y'}}}))
    const result = runCli(['analyze', 'nginx', '--config', config])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain(`${config}: apps.nginx.docker: unknown platform (known: podman, nix, osv)`)
  })

  it('reads a distroless dpkg database from status.d', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depgraph-distroless-'))
    const stanza = 'Package: tzdata\nVersion: 2024a-0\nArchitecture: all\nInstalled-Size: 3\n'
    const path = await writeDockerArchive(join(dir, 'distroless.tar'), {
      layers: [[{name: 'var/lib/dpkg/status.d/tzdata', content: stanza}, {name: 'usr/share/zoneinfo/UTC', content: 'TZif'}]],
    })
    const {createGraph} = await import('../../src/graph/graph.js')
    const {loadPodman} = await import('../../src/sources/podman/index.js')
    const graph = createGraph()
    const [artifact] = await loadPodman(graph, `docker-archive:${path}`)
    expect(graph.outNeighbors(artifact).filter((key) => key.startsWith('pkg:'))).toEqual(['pkg:deb:tzdata@2024a-0:all'])
    expect(graph.getNodeAttribute('pkg:deb:tzdata@2024a-0:all', 'installed')).toBe(3072)
  })
})

describe('inspect layers command', () => {
  it('lists layers with their creating command and largest files', () => {
    const result = runCli(['inspect', 'layers', `docker-archive:${imageForm('layers', 'docker-archive.tar')}`, '--json'])
    expect(result.status).toBe(0)
    const [image] = JSON.parse(result.stdout).images
    expect(image.layers).toHaveLength(4)
    expect(image.layers[1].createdBy).toContain('head -c 300000 /dev/urandom > /data/rewritten')
    expect(image.layers[1].largestFiles[0]).toEqual({path: 'data/rewritten', content: 300_000, hidden: true})
    expect(image.layers[3].largestFiles[0]).toEqual({path: 'data/rewritten', content: 100_000, hidden: false})
  })

  it('prints a table in SI units', () => {
    const result = runCli(['inspect', 'layers', `docker-archive:${imageForm('nginx', 'docker-archive.tar')}`])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^localhost\/depgraph\/nginx:latest: 2 layers/)
    expect(result.stdout).toContain('76.8 MB')
  })
})

describe('analyze with image references', () => {
  it('picks an image by its full name', () => {
    const archive = join(imageForm('nginx', '..'), 'multi.tar')
    const result = runCli(['analyze', '--podman', `docker-archive:${archive}:localhost/depgraph/redis:latest`, '--json'])
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout).artifacts.map((artifact: {name: string}) => artifact.name)).toEqual(['localhost/depgraph/redis:latest'])
  })

  it('writes reports for image names with slashes', () => {
    const out = mkdtempSync(join(tmpdir(), 'depgraph-out-'))
    const result = runCli(['analyze', '--podman', `docker-archive:${imageForm('nginx', 'docker-archive.tar')}`, '--out', out])
    expect(result.status).toBe(0)
    expect(readdirSync(out).sort()).toEqual(
      ['localhost-depgraph-nginx-latest-podman-graph.svg', 'localhost-depgraph-nginx-latest-podman-layers.svg', 'localhost-depgraph-nginx-latest-podman-treemap.svg', 'localhost-depgraph-nginx-latest.md', 'storage.svg', 'summary.json', 'summary.md'],
    )
  })

  it('reports a missing archive path as a file error', () => {
    const result = runCli(['inspect', 'layers', '/nonexistent/image.tar'])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('/nonexistent/image.tar: no such file or directory')
  })

  it('lists an unreadable input as an error row', () => {
    const result = runCli(['analyze', '--podman', `docker-archive:${imageForm('nginx', 'docker-archive.tar')}`, '--podman', 'docker-archive:/nonexistent/cut.tar'])
    expect(result.status).toBe(1)
    expect(result.stdout).toMatch(/^docker-archive:\/nonexistent\/cut\.tar\s+podman\s+error\s+error/m)
  })
})
