import {describe, expect, it} from 'vitest'

import {createGraph} from '../../src/graph/graph.js'
import {measureNixDisk, measureNixPaths} from '../../src/measure/nix.js'
import {loadNix, loadNixHost} from '../../src/sources/nix/index.js'
import {formFile, nixClosureSize, nixNarSizes, nixReferences, nixRequisites, rootOf} from '../sources/nix/helpers.js'

/** Added size by definition: the closure's narSize sum minus what stays reachable without the path. */
function bruteForceAddedSizes(root: string): Map<string, number> {
  const paths = nixRequisites(root)
  const sizes = nixNarSizes(paths)
  const references = new Map(paths.map((path) => [path, nixReferences(path).filter((reference) => reference !== path)]))
  const total = [...sizes.values()].reduce((sum, size) => sum + size, 0)

  const added = new Map<string, number>()
  for (const removed of paths) {
    const seen = new Set<string>()
    const queue = removed === root ? [] : [root]
    for (const path of queue) {
      if (seen.has(path)) continue
      seen.add(path)
      for (const reference of references.get(path) as string[]) if (reference !== removed) queue.push(reference)
    }

    let kept = 0
    for (const path of seen) kept += sizes.get(path) as number
    added.set(removed, total - kept)
  }

  return added
}

describe('measureNixPaths', () => {
  it('added size equals removal by brute force', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('redis', 'path-info.json'), {})
    const rows = measureNixPaths(graph, artifact)
    const expected = bruteForceAddedSizes(rootOf('redis'))
    expect(new Map(rows.map((row) => [row.path, row.addedSize]))).toEqual(expected)
  })

  it('lists paths largest added size first', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('nginx', 'path-info.json'), {})
    const rows = measureNixPaths(graph, artifact)
    expect(rows[0]).toEqual({
      path: rootOf('nginx'),
      narSize: nixNarSizes([rootOf('nginx')]).get(rootOf('nginx')),
      addedSize: nixClosureSize(rootOf('nginx')),
      references: nixReferences(rootOf('nginx')),
      onHost: false,
    })
    for (let index = 1; index < rows.length; index++) expect(rows[index - 1].addedSize).toBeGreaterThanOrEqual(rows[index].addedSize)
  })

  it('marks paths the host closure has', async () => {
    const graph = createGraph()
    await loadNixHost(graph, formFile('host', 'path-info.json'), 'host:slim')
    const [artifact] = await loadNix(graph, formFile('nginx', 'path-info.json'), {})
    const onHost = new Set(nixRequisites(rootOf('host')))
    for (const row of measureNixPaths(graph, artifact, 'host:slim')) expect(row.onHost).toBe(onHost.has(row.path))
  })

  it('disk is null without a live store', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('nginx', 'path-info.json'), {})
    expect(measureNixDisk(graph, artifact)).toBeNull()
  })

  it('a live read completes paths a JSON host loaded first', async () => {
    const graph = createGraph()
    await loadNixHost(graph, formFile('host', 'path-info.json'), 'host:slim')
    const [artifact] = await loadNix(graph, rootOf('nginx'), {})
    expect(measureNixDisk(graph, artifact)).not.toBeNull()
  })
})
