import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createGraph} from '../../../src/graph/graph.js'
import {measureLayers} from '../../../src/measure/layers.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {listEngineImages, readEngineHistory} from '../../../src/sources/podman/engine.js'
import {loadPodman} from '../../../src/sources/podman/index.js'
import {imageForm, repoDir, runCli} from '../../helpers/fixtures.js'

describe('podman engine API', () => {
  let service: ChildProcess
  let address: string

  beforeAll(async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'depgraph-engine-')), 'podman.sock')
    address = `unix://${socket}`
    service = spawn('podman', ['system', 'service', '--time=0', address], {
      env: {...process.env, CONTAINERS_CONF: join(repoDir, 'fixtures', 'podman', 'containers.conf')},
      stdio: 'ignore',
    })
    for (let attempt = 0; attempt < 100 && !existsSync(socket); attempt++) await sleep(100)
    if (!existsSync(socket)) throw new Error(`podman system service did not create ${socket}`)
  })

  afterAll(() => {
    if (service.pid) process.kill(service.pid)
  })

  it('lists the fixture images with their layer chains', async () => {
    const images = await listEngineImages(address)
    const nginx = images.find((image) => image.name === 'localhost/depgraph/nginx:latest')
    expect(nginx?.diffIds).toHaveLength(2)
  })

  it('gives the same figures as the archive', async () => {
    const fromEngine = createGraph()
    const [engineArtifact] = await loadPodman(fromEngine, 'localhost/depgraph/nginx:latest', {engine: address})
    const fromArchive = createGraph()
    const [archiveArtifact] = await loadPodman(fromArchive, imageForm('nginx', 'docker-archive.tar'))

    const {sizes: engineSizes} = measureArtifact(fromEngine, engineArtifact)
    const {sizes: archiveSizes} = measureArtifact(fromArchive, archiveArtifact)
    expect(engineSizes).toEqual(archiveSizes)
    expect(measureLayers(fromEngine, engineArtifact)).toEqual(measureLayers(fromArchive, archiveArtifact))
  })

  it('history sizes equal the scanned layers', async () => {
    const graph = createGraph()
    const [artifact] = await loadPodman(graph, 'localhost/depgraph/mariadb:latest', {engine: address})
    const history = await readEngineHistory(address, 'localhost/depgraph/mariadb:latest')
    expect(measureLayers(graph, artifact).map((layer) => layer.stored)).toEqual(history.map((entry) => entry.size))
  })

  it('finds the base image among the engine images', () => {
    const result = runCli(['analyze', '--podman', 'localhost/depgraph/redis:latest', '--engine', address, '--json'])
    expect(result.status).toBe(0)
    const [redis] = JSON.parse(result.stdout).artifacts
    expect(redis.sizes.base).toBe(redis.layers[0].stored)
    expect(redis.sizes.appLibs).toBe(redis.sizes.total - redis.layers[0].stored)
  })

  it('reports an image the engine does not have', () => {
    const result = runCli(['analyze', '--podman', 'localhost/depgraph/absent:latest', '--engine', address])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('localhost/depgraph/absent:latest: not found in the engine')
  })
})
