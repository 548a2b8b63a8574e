import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createGraph, storePathKey, successorsByEdge} from '../../../src/graph/graph.js'
import {measureNixPaths} from '../../../src/measure/nix.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {loadNix, loadNixHost} from '../../../src/sources/nix/index.js'
import {parsePathInfo} from '../../../src/sources/nix/pathinfo.js'
import {
  closures,
  formFile,
  nixClosureSize,
  nixPathInfoJson,
  nixReferences,
  nixUnique,
  rootOf,
  run,
} from './helpers.js'

const scratch = mkdtempSync(join(tmpdir(), 'depgraph-pathinfo-'))

afterAll(() => rmSync(scratch, {recursive: true, force: true}))

function writeJson(name: string, value: unknown): string {
  const file = join(scratch, name)
  writeFileSync(file, JSON.stringify(value))
  return file
}

interface ArrayEntry {
  path: string
  narHash: string
  narSize: number
  references: string[]
  deriver?: string
  [key: string]: unknown
}

describe('path-info JSON from nix 2.8', () => {
  for (const closure of closures) {
    it(`total of ${closure} equals nix path-info -S`, async () => {
      const graph = createGraph()
      const [artifact] = await loadNix(graph, formFile(closure, 'path-info.json'), {})
      expect(measureArtifact(graph, artifact).sizes.total).toBe(nixClosureSize(rootOf(closure)))
    })
  }

  it('references equal nix-store -q --references', async () => {
    const graph = createGraph()
    await loadNix(graph, formFile('mariadb', 'path-info.json'), {})
    for (const path of run('nix-store', ['-qR', rootOf('mariadb')]).trim().split('\n')) {
      const expected = nixReferences(path).filter((reference) => reference !== path).map(storePathKey).sort()
      expect(successorsByEdge(graph, storePathKey(path), 'references').sort()).toEqual(expected)
    }
  })

  for (const app of ['nginx', 'redis', 'mariadb'] as const) {
    it(`unique of ${app} versus host equals the nix-store -qR difference`, async () => {
      const graph = createGraph()
      await loadNixHost(graph, formFile('host', 'path-info.json'), 'host:slim')
      const [artifact] = await loadNix(graph, formFile(app, 'path-info.json'), {})
      const sizes = measureArtifact(graph, artifact, {host: 'host:slim'}).sizes
      const unique = nixUnique(rootOf(app), rootOf('host'))
      expect(sizes.unique).toBe(unique)
      expect(sizes.appLibs).toBe(unique)
      expect(sizes.base).toBe(nixClosureSize(rootOf(app)) - unique)
    })
  }

  it('names the artifact after the root path', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, formFile('nginx', 'path-info.json'), {})
    expect(artifact).toBe('artifact:nix:nginx-closure')
  })
})

describe('path-info JSON shapes', () => {
  let entries: ArrayEntry[]
  let expectedTotal: number

  beforeAll(() => {
    entries = JSON.parse(nixPathInfoJson([rootOf('nginx')], true)) as ArrayEntry[]
    expectedTotal = nixClosureSize(rootOf('nginx'))
  })

  async function totalOf(file: string): Promise<number | null> {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, file, {})
    return measureArtifact(graph, artifact).sizes.total
  }

  it('reads the Nix 2.3 array with nix32 hashes', async () => {
    const old = entries.map((entry) => ({...entry, narHash: run('nix-store', ['-q', '--hash', entry.path]).trim()}))
    expect(old[0].narHash).toMatch(/^sha256:[0-9a-z]{52}$/)
    const file = writeJson('nix-2.3.json', old)
    expect(parsePathInfo(JSON.stringify(old), file).shape).toBe('array')
    expect(await totalOf(file)).toBe(expectedTotal)
  })

  it('reads the Nix 2.19 object keyed by store path', async () => {
    const object = Object.fromEntries(entries.map(({path, ...rest}) => [path, rest]))
    const file = writeJson('nix-2.19.json', object)
    expect(parsePathInfo(JSON.stringify(object), file).shape).toBe('object')
    expect(await totalOf(file)).toBe(expectedTotal)
  })

  it('reads the Nix 2.23 object with explicit nulls', async () => {
    const object = Object.fromEntries(
      entries.map(({path, ...rest}) => [path, {ca: null, signatures: [], ...rest, deriver: null, closureSize: null}]),
    )
    expect(await totalOf(writeJson('nix-2.23.json', object))).toBe(expectedTotal)
  })

  it('reads the --json-format 2 envelope with base names', async () => {
    const base = (path: string): string => path.slice('/nix/store/'.length)
    const info = Object.fromEntries(
      entries.map((entry) => [
        base(entry.path),
        {
          version: 2,
          narHash: {algorithm: 'sha256', format: 'base64', hash: entry.narHash.slice('sha256-'.length)},
          narSize: entry.narSize,
          references: entry.references.map(base),
          deriver: entry.deriver === undefined ? null : base(entry.deriver),
          ca: null,
        },
      ]),
    )
    const file = writeJson('nix-2.33.json', {version: 2, storeDir: '/nix/store', info})
    expect(await totalOf(file)).toBe(expectedTotal)

    const graph = createGraph()
    await loadNix(graph, file, {})
    const root = rootOf('nginx')
    expect(successorsByEdge(graph, storePathKey(root), 'references').sort()).toEqual(
      nixReferences(root).map(storePathKey).sort(),
    )
  })

  it('rejects an unknown shape and lists the known ones', async () => {
    const file = writeJson('unknown.json', {paths: []})
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: unknown path-info JSON shape: expected an array of entries with "path" (Nix 2.3–2.18), ` +
        'an object keyed by store path (Nix 2.19+, --json-format 1), or {"version": 2, "storeDir", "info"} (--json-format 2)',
    )
  })

  it('rejects an envelope of another version', async () => {
    const file = writeJson('version-3.json', {version: 3, storeDir: '/nix/store', info: {}})
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(`${file} field "version": expected 2, got 3`)
  })

  it('rejects a narSize that is not an integer', async () => {
    const broken = entries.map((entry, index) => (index === 0 ? {...entry, narSize: '12'} : entry))
    const file = writeJson('bad-size.json', broken)
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: entry 0 field "narSize": expected a non-negative integer, got "12"`,
    )
  })

  it('rejects a reference outside the closure', async () => {
    const root = rootOf('nginx')
    const file = writeJson('not-closed.json', entries.filter((entry) => entry.path === root))
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: ${root} references ${entries.find((entry) => entry.path === root)?.references[0]}, which is outside the closure`,
    )
  })

  it('rejects a reference cycle', async () => {
    const root = rootOf('nginx')
    const child = entries.find((entry) => entry.path === root)?.references[0] as string
    const cyclic = entries.map((entry) => (entry.path === child ? {...entry, references: [...entry.references, root]} : entry))
    const file = writeJson('cycle.json', cyclic)
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(/reference cycle through \/nix\/store\//)
  })

  it('accepts a self-reference', async () => {
    const selfReferencing = entries.map((entry) => ({...entry, references: [...entry.references, entry.path]}))
    const file = writeJson('self.json', selfReferencing)
    expect(await totalOf(file)).toBe(expectedTotal)

    const graph = createGraph()
    const [artifact] = await loadNix(graph, file, {})
    for (const row of measureNixPaths(graph, artifact)) {
      const entry = selfReferencing.find((candidate) => candidate.path === row.path) as ArrayEntry
      expect([...row.references].sort()).toEqual([...entry.references].sort())
    }
  })
})
