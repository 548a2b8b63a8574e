import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, describe, expect, it} from 'vitest'

import {referenceClosure} from '../../../src/graph/closure.js'
import {containedFiles} from '../../../src/graph/closure.js'
import {createGraph, type DepGraph, successorsByEdge} from '../../../src/graph/graph.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {detectForm, loadNix, loadNixHost} from '../../../src/sources/nix/index.js'
import {formFile, nixCache, nixClosureSize, nixRequisites, nixUnique, rootOf, run} from './helpers.js'

const database = '/nix/var/nix/db/db.sqlite'
const scratch = mkdtempSync(join(tmpdir(), 'depgraph-forms-'))

afterAll(() => rmSync(scratch, {recursive: true, force: true}))

/** Every form of one fixture closure, as a user would name it. */
function formsOf(closure: 'host' | 'nginx' | 'mariadb'): Record<string, string> {
  return {
    'path-info': formFile(closure, 'path-info.json'),
    export: formFile(closure, 'closure.nixexport'),
    'closure-info': formFile(closure, 'closure-info'),
    registration: formFile(closure, 'closure-info/registration'),
    'store-paths': formFile(closure, 'closure-info/store-paths'),
    database: `db:${database}:${rootOf(closure)}`,
    live: join(nixCache, `result-${closure}`),
  }
}

/** Store paths of an artifact with their sorted references, for comparing forms. */
function shape(graph: DepGraph, artifact: string): Record<string, string[]> {
  const paths: Record<string, string[]> = {}
  for (const path of referenceClosure(graph, artifact)) paths[path] = successorsByEdge(graph, path, 'references').sort()
  return paths
}

/** Regular files of a store path as `find` and `sha256sum` report them. */
function sha256sums(paths: string[]): Map<string, number> {
  const sizes = new Map<string, number>()
  const listing = run('find', [...paths, '-type', 'f', '-printf', '%s %p\\n']).trim().split('\n')
  const sizeOf = new Map(listing.map((line) => [line.slice(line.indexOf(' ') + 1), Number(line.slice(0, line.indexOf(' ')))]))
  const sums = run('xargs', ['-0', '-a', writeList([...sizeOf.keys()]), 'sha256sum']).trim().split('\n')
  for (const line of sums) {
    const [hash, file] = [line.slice(0, 64), line.slice(66)]
    sizes.set(hash, sizeOf.get(file) as number)
  }

  return sizes
}

function writeList(files: string[]): string {
  const file = join(scratch, 'files')
  writeFileSync(file, files.join('\0'))
  return file
}

describe('every Nix input form', () => {
  for (const app of ['nginx', 'mariadb'] as const) {
    it(`gives the same figures for ${app}`, async () => {
      const expectedTotal = nixClosureSize(rootOf(app))
      const expectedUnique = nixUnique(rootOf(app), rootOf('host'))
      const hostForms = formsOf('host')
      let reference: Record<string, string[]> | undefined

      for (const [form, ref] of Object.entries(formsOf(app))) {
        expect(await detectForm(ref)).toBe(form)
        const graph = createGraph()
        await loadNixHost(graph, hostForms[form], 'host:slim')
        const [artifact] = await loadNix(graph, ref, {})
        const sizes = measureArtifact(graph, artifact, {host: 'host:slim'}).sizes
        expect({form, total: sizes.total, unique: sizes.unique}).toEqual({form, total: expectedTotal, unique: expectedUnique})
        reference ??= shape(graph, artifact)
        expect(shape(graph, artifact)).toEqual(reference)
      }
    })
  }

  it('lists the same files from the export and the live store', async () => {
    const fromExport = createGraph()
    await loadNix(fromExport, formFile('nginx', 'closure.nixexport'), {})
    const live = createGraph()
    await loadNix(live, rootOf('nginx'), {})
    for (const path of nixRequisites(rootOf('nginx')).map((p) => `nix:${p}`)) {
      const files = (graph: DepGraph): string[] =>
        containedFiles(graph, path).map(([blob, file]) => `${file.path} ${blob} ${file.mode.toString(8)}`).sort()
      expect(files(live)).toEqual(files(fromExport))
    }
  })

  it('uniqueFiles equals the sha256sum difference', async () => {
    const onHost = sha256sums(nixRequisites(rootOf('host')))
    let expected = 0
    for (const [hash, size] of sha256sums(nixRequisites(rootOf('redis')))) if (!onHost.has(hash)) expected += size

    const graph = createGraph()
    await loadNixHost(graph, rootOf('host'), 'host:slim')
    const [artifact] = await loadNix(graph, rootOf('redis'), {})
    expect(measureArtifact(graph, artifact, {host: 'host:slim'}).sizes.uniqueFiles).toBe(expected)
  })
})

describe('closureInfo and database input', () => {
  it('rejects a truncated registration', async () => {
    const file = join(scratch, 'registration')
    writeFileSync(file, `${rootOf('nginx')}\nabc\n608\n\n2\n`)
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: line 6: truncated registration: expected the reference 1 of entry 1`,
    )
  })

  it('rejects a registration size that is not a number', async () => {
    const file = join(scratch, 'bad-size')
    writeFileSync(file, `${rootOf('nginx')}\nabc\nlarge\n\n0\n`)
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: line 3: expected the narSize as a decimal integer, got "large"`,
    )
  })

  it('reads a closureInfo output in the store', async () => {
    const copy = join(scratch, 'nginx-closure-info')
    run('cp', ['-r', formFile('nginx', 'closure-info'), copy])
    const inStore = run('nix-store', ['--add', copy]).trim()
    expect(await detectForm(inStore)).toBe('closure-info')

    const graph = createGraph()
    const [artifact] = await loadNix(graph, inStore, {})
    expect(measureArtifact(graph, artifact).sizes.total).toBe(nixClosureSize(rootOf('nginx')))
  })

  it('reads a whole database as sqlite3 sums it', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, `db:${database}`, {name: 'store'})
    const sum = run('sqlite3', ['-readonly', database, 'SELECT sum(narSize) FROM ValidPaths']).trim()
    expect(measureArtifact(graph, artifact).sizes.total).toBe(Number(sum))
  })
})

describe('live store', () => {
  const saved = {...process.env}
  afterEach(() => {
    process.env = {...saved}
  })

  it('reads a profile link', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, join(nixCache, 'result-nginx'), {})
    expect(artifact).toBe('artifact:nix:nginx-closure')
  })

  it('reads through nix path-info without the database', async () => {
    process.env.DEPGRAPH_NIX_DATABASE = join(tmpdir(), 'no-such-db.sqlite')
    const graph = createGraph()
    const [artifact] = await loadNix(graph, rootOf('nginx'), {})
    expect(measureArtifact(graph, artifact).sizes.total).toBe(nixClosureSize(rootOf('nginx')))
  })

  it('rejects a live path when nix is absent', async () => {
    process.env.DEPGRAPH_NIX_DATABASE = join(tmpdir(), 'no-such-db.sqlite')
    process.env.PATH = join(tmpdir(), 'no-such-bin')
    const root = rootOf('nginx')
    await expect(loadNix(createGraph(), root, {})).rejects.toThrow(
      `${root}: the Nix database ${process.env.DEPGRAPH_NIX_DATABASE} is not readable and the nix command is not installed: ` +
        `on a machine with Nix run "nix path-info --json --recursive ${root} > closure.json" and give closure.json`,
    )
  })

  it('rejects a missing database', async () => {
    const missing = join(tmpdir(), 'missing', 'db.sqlite')
    await expect(loadNix(createGraph(), `db:${missing}`, {})).rejects.toThrow(
      `${missing}: Nix database not found: give the db.sqlite of a Nix store (usually /nix/var/nix/db/db.sqlite)`,
    )
  })

  it('rejects a file that is not a database', async () => {
    const file = formFile('nginx', 'path-info.json')
    await expect(loadNix(createGraph(), `db:${file}`, {})).rejects.toThrow(`${file}: not a Nix database (`)
  })

  it('disk usage counts hard links once, as du does', async () => {
    const requisites = nixRequisites(rootOf('mariadb'))
    expect(run('find', [...requisites, '-type', 'f', '-links', '+1']).trim()).not.toBe('')
    const graph = createGraph()
    const [artifact] = await loadNix(graph, rootOf('mariadb'), {})
    let disk = 0
    for (const path of referenceClosure(graph, artifact)) disk += (graph.getNodeAttributes(path) as {disk: number}).disk
    const du = run('du', ['-s', '-c', '-B1', ...requisites]).trim().split('\n').at(-1) as string
    expect(disk).toBe(Number(du.split('\t')[0]))
  })
})
