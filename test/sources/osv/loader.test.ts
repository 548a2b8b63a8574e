import {execFileSync, spawnSync} from 'node:child_process'
import {copyFileSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {afterAll, beforeAll, describe, expect, test} from 'vitest'

import {createGraph} from '../../../src/graph/graph.js'
import {measureOsv} from '../../../src/measure/osv.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {loadDisk} from '../../../src/sources/osv/index.js'
import {apps, buildOsvFixtures, osvDir, repoDir} from './fixtures.js'
import {qemuInfo, qemuMap, run, scratchDir, sumExtents} from './qemu.js'

let images: Record<string, string>
let dir: string

beforeAll(() => {
  images = buildOsvFixtures()
  dir = scratchDir('osv-loader')
})

afterAll(() => {
  rmSync(dir, {recursive: true, force: true})
})

const stagedBytes = (app: string): number =>
  run('find', [path.join(osvDir, `${app}.root`), '-type', 'f', '-printf', '%s\\n'])
    .trim()
    .split('\n')
    .reduce((sum, size) => sum + Number(size), 0)

const depgraph = (...args: string[]) => spawnSync('node', [path.join(repoDir, 'bin/run.js'), ...args], {encoding: 'utf8'})

describe.each(apps)('loadDisk on %s', (app) => {
  test('total is qemu-img disk size and content the files', async () => {
    const graph = createGraph()
    const [artifact] = await loadDisk(graph, images[app], {})
    const measure = measureArtifact(graph, artifact)

    expect(artifact).toBe(`artifact:osv:${app}`)
    expect(measure.sizes.total).toBe(qemuInfo(images[app])['actual-size'])
    expect(measure.sizes.content).toBe(stagedBytes(app))
  })

  test('OSv figures match qemu-img and the files', async () => {
    const graph = createGraph()
    const [artifact] = await loadDisk(graph, images[app], {name: `${app}-osv`})
    const sizes = measureOsv(graph, artifact)

    expect(sizes.virtual).toBe(qemuInfo(images[app])['virtual-size'])
    expect(sizes.allocated).toBe(sumExtents(qemuMap(images[app]), (entry) => entry.data && entry.depth === 0))
    expect(sizes.mounted).toBe(stagedBytes(app))
    expect(sizes.reasons).toEqual({})
  })
})

describe('loadDisk on a backing chain', () => {
  test('total counts every image of the chain', async () => {
    const base = path.join(dir, 'chain-base.qcow2')
    const top = path.join(dir, 'chain-top.qcow2')
    run('qemu-img', ['create', '-q', '-f', 'qcow2', base, '4M'])
    run('qemu-io', ['-c', 'write -P 0x61 0 1M', base])
    run('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', 'chain-base.qcow2', '-F', 'qcow2', top, '4M'])
    run('qemu-io', ['-c', 'write -P 0x62 2M 256k', top])

    const graph = createGraph()
    const [artifact] = await loadDisk(graph, top, {})
    const measure = measureArtifact(graph, artifact)
    const sizes = measureOsv(graph, artifact)

    expect(measure.sizes.total).toBe(qemuInfo(top)['actual-size'] + qemuInfo(base)['actual-size'])
    expect(sizes.allocated).toBe(256 * 1024)
    expect(sizes.mounted).toBeNull()
    expect(sizes.reasons.mounted).toMatch(/no ROFS or ZFS filesystem found/)
  })
})

describe('inspect disk command', () => {
  test('JSON output matches qemu-img', () => {
    const result = depgraph('inspect', 'disk', images.redis, '--json')
    const report = JSON.parse(result.stdout)
    const info = qemuInfo(images.redis)

    expect(result.status).toBe(0)
    expect(report.format).toBe('qcow2')
    expect(report.virtual).toBe(info['virtual-size'])
    expect(report.stored).toBe(info['actual-size'])
    expect(report.clusterSize).toBe(info['cluster-size'])
    expect(report.allocated).toBe(sumExtents(qemuMap(images.redis), (entry) => entry.data && entry.depth === 0))
    expect(report.backing).toBeNull()
    expect(report.filesystem.type).toBe('rofs')
    expect(report.filesystem.content).toBe(stagedBytes('redis'))
  })

  test('text output lists partitions and largest files', () => {
    const result = depgraph('inspect', 'disk', images.nginx, '--top', '2')
    const largest = execFileSync('bash', ['-c', 'cd "$0" && find . -type f -printf "%s /%P\\n" | sort -rn | head -2 | cut -d" " -f2', path.join(osvDir, 'nginx.root')], {encoding: 'utf8'})

    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/^partition 2 +type 0x83, [\d.]+ MB at byte \d+$/m)
    expect(result.stdout).toMatch(/^mounted +[\d.]+ MB of file content$/m)
    for (const file of largest.trim().split('\n')) expect(result.stdout).toContain(`  ${file}\n`.trimEnd())
  })

  test('corrupt image exits non-zero with one line', () => {
    const file = path.join(dir, 'corrupt.qcow2')
    copyFileSync(images.nginx, file)
    const bytes = readFileSync(file)
    bytes.writeUInt32BE(7, 4)
    writeFileSync(file, bytes)
    const result = depgraph('inspect', 'disk', file)

    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain(`${file}: header field version at offset 4: qcow2 version 7 is not supported`)
  })

  test('missing image exits non-zero', () => {
    const result = depgraph('inspect', 'disk', path.join(dir, 'absent.qcow2'))
    expect(result.status).not.toBe(0)
    expect(result.stderr).toContain('absent.qcow2: image not found')
  })
})
