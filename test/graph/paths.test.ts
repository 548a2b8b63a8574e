import {describe, expect, it} from 'vitest'

import {addArtifact, addContent, createGraph, ensureNode, layerKey} from '../../src/graph/graph.js'
import {allChains, describeStep, resolveTarget, shortestChain} from '../../src/graph/paths.js'
import {loadNix} from '../../src/sources/nix/index.js'
import {formFile, nixRequisites, rootOf, run} from '../sources/nix/helpers.js'

const nixFlags = ['--option', 'substituters', '', '--extra-experimental-features', 'nix-command']

/** Store paths nix why-depends prints, in order, without its tree drawing. */
function whyDepends(root: string, target: string, all: boolean): string[] {
  const output = run('nix', ['why-depends', ...nixFlags, ...(all ? ['--all'] : []), root, target])
  return [...output.matchAll(/\/nix\/store\/[0-9a-z]{32}-[^\s\u001b]+/g)].map((match) => match[0])
}

describe('why over a Nix closure', () => {
  it('shortest chain equals nix why-depends', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('mariadb', 'path-info.json'), {})
    for (const name of ['libc6', 'libssl3', 'zlib1g']) {
      const target = nixRequisites(rootOf('mariadb')).find((path) => path.includes(`-${name}-`)) as string
      const chain = shortestChain(graph, artifact, resolveTarget(graph, artifact, name)) ?? []
      const printed = chain.slice(1).map((step) => describeStep(graph, step))
      expect(printed.length).toBe(whyDepends(rootOf('mariadb'), target, false).length)
      expect(printed.at(-1)).toBe(target)
    }
  })

  it('--all covers the paths nix why-depends --all prints', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('nginx', 'path-info.json'), {})
    const target = nixRequisites(rootOf('nginx')).find((path) => path.includes('-libssl3-')) as string
    const {chains, truncated} = allChains(graph, artifact, resolveTarget(graph, artifact, target), 1000)
    expect(truncated).toBe(false)
    const onChains = new Set(chains.flatMap((chain) => chain.slice(1).map((step) => describeStep(graph, step))))
    expect([...onChains].sort()).toEqual([...new Set(whyDepends(rootOf('nginx'), target, true))].sort())
  })

  it('reaches a file inside a store path', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('nginx', 'closure.nixexport'), {})
    const chain = shortestChain(graph, artifact, resolveTarget(graph, artifact, 'usr/sbin/nginx')) ?? []
    expect(chain.slice(1).map((step) => describeStep(graph, step)).at(-1)).toBe('usr/sbin/nginx')
    expect(describeStep(graph, chain.at(-2) as (typeof chain)[number])).toMatch(/-nginx-1\.22/)
  })

  it('rejects an ambiguous name', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('mariadb', 'path-info.json'), {})
    expect(() => resolveTarget(graph, artifact, 'lib')).toThrow(/^"lib" matches \d+ nodes \(/)
  })
})

describe('why over an image graph', () => {
  it('follows layers to a file', () => {
    const graph = createGraph()
    const image = addArtifact(graph, {platform: 'podman', name: 'web', source: 'test'})
    for (const [index, diffId] of ['sha256:aa', 'sha256:bb'].entries()) {
      const layer = ensureNode(graph, layerKey(diffId), {kind: 'layer', diffId, digest: diffId, stored: 10, compressed: null, compression: 'none'})
      graph.addDirectedEdge(image, layer, {kind: 'layer-of', index})
    }

    addContent(graph, layerKey('sha256:bb'), 'cd', 5, {path: 'usr/sbin/nginx', mode: 0o755, inode: 'usr/sbin/nginx'})
    const chain = shortestChain(graph, image, resolveTarget(graph, image, '/usr/sbin/nginx')) ?? []
    expect(chain.map((step) => describeStep(graph, step))).toEqual(['web', 'layer sha256:bb', 'usr/sbin/nginx'])
  })
})
