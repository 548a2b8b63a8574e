import {beforeAll, describe, expect, it} from 'vitest'

import {createGraph, type DepGraph} from '../../../src/graph/graph.js'
import {artifactInodes} from '../../../src/measure/files.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {loadPodman} from '../../../src/sources/podman/index.js'
import {imageForm} from '../../helpers/fixtures.js'

describe('layer rules on the layers fixture image', () => {
  let graph: DepGraph
  let artifact: string
  const versions = (path: string): Array<{size: number; visible: boolean}> =>
    artifactInodes(graph, artifact)
      .filter((inode) => inode.paths.includes(path))
      .map((inode) => ({size: inode.size, visible: inode.visible}))

  beforeAll(async () => {
    graph = createGraph()
    ;[artifact] = await loadPodman(graph, imageForm('layers', 'oci-archive.tar'))
  })

  it('hides the first two of three writes', () => {
    expect(versions('data/rewritten')).toEqual([
      {size: 300_000, visible: false},
      {size: 200_000, visible: false},
      {size: 100_000, visible: true},
    ])
  })

  it('hides a deleted file', () => {
    expect(versions('data/deleted')).toEqual([{size: 120_000, visible: false}])
  })

  it('hides everything below a replaced directory', () => {
    expect(versions('data/replaced/sub/old')).toEqual([{size: 50_000, visible: false}])
    expect(versions('data/replaced/keep')).toEqual([{size: 70_000, visible: false}])
    expect(versions('data/replaced/new')).toEqual([{size: 10_000, visible: true}])
  })

  it('copies a file whose mode alone changed', () => {
    expect(versions('data/mode-only')).toEqual([
      {size: 40_000, visible: false},
      {size: 40_000, visible: true},
    ])
  })

  it('counts hard links once', () => {
    const linked = artifactInodes(graph, artifact).filter((inode) => inode.paths.includes('data/linked-again'))
    expect(linked).toHaveLength(1)
    expect([...linked[0].paths].sort()).toEqual(['data/linked', 'data/linked-again'])
  })

  it('keeps names with spaces and non-ASCII characters', () => {
    expect(versions('data/name with spaces')).toEqual([{size: 1000, visible: true}])
    expect(versions('data/naïve-ünïcode-名前')).toEqual([{size: 2000, visible: true}])
  })

  it('adds the hidden versions up', () => {
    const hiddenOwn = 300_000 + 200_000 + 120_000 + 50_000 + 70_000 + 40_000
    expect(measureArtifact(graph, artifact).sizes.hidden).toBeGreaterThanOrEqual(hiddenOwn)
  })
})
