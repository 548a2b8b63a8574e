import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {containedFiles} from '../../../src/graph/closure.js'
import {createGraph, storePathKey, successorsByEdge} from '../../../src/graph/graph.js'
import {measureArtifact} from '../../../src/measure/sizes.js'
import {readExport} from '../../../src/sources/nix/export.js'
import {loadNix, loadNixHost} from '../../../src/sources/nix/index.js'
import {readNarFile} from '../../../src/sources/nix/nar.js'
import {formFile, nixClosureSize, nixNarSizes, nixReferences, nixRequisites, nixUnique, rootOf, run} from './helpers.js'

const scratch = mkdtempSync(join(tmpdir(), 'depgraph-nar-'))

afterAll(() => rmSync(scratch, {recursive: true, force: true}))

function dump(path: string, name: string): string {
  const file = join(scratch, name)
  writeFileSync(file, execFileSync('nix-store', ['--dump', path], {maxBuffer: 1 << 30}))
  return file
}

function corrupt(source: string, name: string, change: (bytes: Buffer) => Buffer): string {
  const file = join(scratch, name)
  writeFileSync(file, change(Buffer.from(readFileSync(source))))
  return file
}

/** The files under a store path as `find` and `sha256sum` see them, keyed by relative path. */
function filesOnDisk(path: string): Map<string, {size: number; sha256: string}> {
  const files = new Map<string, {size: number; sha256: string}>()
  for (const line of run('find', [path, '-type', 'f', '-printf', '%P\\t%s\\n']).trim().split('\n')) {
    const [relative, size] = line.split('\t')
    const sha256 = createHash('sha256').update(readFileSync(join(path, relative))).digest('hex')
    files.set(relative, {size: Number(size), sha256})
  }

  return files
}

describe('NAR files', () => {
  let nginxLight: string
  let narFile: string

  beforeAll(() => {
    nginxLight = nixRequisites(rootOf('nginx')).find((path) => /-nginx-light-/.test(path)) as string
    narFile = dump(nginxLight, 'nginx-light.nar')
  })

  it('narSize and narHash equal the store database', async () => {
    const nar = await readNarFile(narFile)
    expect(nar.narSize).toBe(nixNarSizes([nginxLight]).get(nginxLight))
    const nix32 = run('nix-store', ['-q', '--hash', nginxLight]).trim()
    expect(nar.narHash).toBe(run('nix-hash', ['--type', 'sha256', '--to-base16', nix32.slice('sha256:'.length)]).trim())
  })

  it('lists every regular file with size and sha256', async () => {
    const nar = await readNarFile(narFile)
    const listed = new Map(nar.files.map((file) => [file.path, {size: file.size, sha256: file.sha256}]))
    expect(listed).toEqual(filesOnDisk(nginxLight))
  })

  it('loads as a root named after the file', async () => {
    const graph = createGraph()
    const [artifact] = await loadNix(graph, narFile, {})
    expect(artifact).toBe('artifact:nix:nginx-light')
    const [root] = successorsByEdge(graph, artifact, 'root')
    expect(root).toBe(storePathKey('nginx-light'))
    expect(successorsByEdge(graph, root, 'references')).toEqual([])
    expect(containedFiles(graph, root).length).toBe(filesOnDisk(nginxLight).size)
  })

  it('rejects a wrong magic', async () => {
    const file = corrupt(narFile, 'magic.nar', (bytes) => {
      bytes[8] = 'x'.charCodeAt(0)
      return bytes
    })
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(/unknown input \(first bytes 0d00000000000000786978/)
    await expect(readNarFile(file)).rejects.toThrow(
      `${file}: offset 0: expected "nix-archive-1" at the start of a NAR (wrong magic: this is not a NAR), found "xix-archive-1"`,
    )
  })

  it('rejects non-zero padding', async () => {
    const file = corrupt(narFile, 'padding.nar', (bytes) => {
      bytes[21] = 1
      return bytes
    })
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(/unknown input/)
    await expect(readNarFile(file)).rejects.toThrow(
      `${file}: offset 21: non-zero padding after "nix-archive-1" at the start of a NAR (wrong magic: this is not a NAR): expected 3 zero bytes`,
    )
  })

  it('rejects a truncated NAR', async () => {
    const size = readFileSync(narFile).length
    const file = corrupt(narFile, 'truncated.nar', (bytes) => bytes.subarray(0, size - 100))
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(new RegExp(`^${file}: offset ${size - 100}: truncated input: expected \\d+ more bytes of`))
  })

  it('rejects bytes after the end', async () => {
    const file = corrupt(narFile, 'trailing.nar', (bytes) => Buffer.concat([bytes, Buffer.alloc(8)]))
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: offset ${readFileSync(narFile).length}: unexpected bytes after the end of the NAR`,
    )
  })

  it('rejects a hostile string length', async () => {
    const length = Buffer.alloc(8)
    length.writeBigUInt64LE(1n << 40n)
    const file = corrupt(narFile, 'huge.nar', (bytes) => Buffer.concat([bytes.subarray(0, 24), length, bytes.subarray(32)]))
    await expect(readNarFile(file)).rejects.toThrow(
      `${file}: offset 24: "(" opening the root node is 1099511627776 bytes long, expected at most 65536: the input is corrupt`,
    )
  })

  it('rejects an unsorted directory', async () => {
    const bytes = readFileSync(narFile)
    const first = bytes.indexOf(Buffer.from('\x04\x00\x00\x00\x00\x00\x00\x00name\x00\x00\x00\x00', 'latin1'))
    const nameOffset = first + 16
    const nameLength = Number(bytes.readBigUInt64LE(nameOffset))
    expect(nameLength).toBeGreaterThan(0)
    const file = corrupt(narFile, 'unsorted.nar', (copy) => {
      copy.fill('~'.charCodeAt(0), nameOffset + 8, nameOffset + 8 + nameLength)
      return copy
    })
    await expect(readNarFile(file)).rejects.toThrow(/is not after "~+": NAR entries are sorted and unique/)
  })
})

describe('export streams', () => {
  const exportFile = formFile('nginx', 'closure.nixexport')

  it('reads paths, references and deriver of every exported path', async () => {
    const paths = await readExport(exportFile)
    const requisites = nixRequisites(rootOf('nginx'))
    expect(paths.map((path) => path.path).sort()).toEqual([...requisites].sort())
    const sizes = nixNarSizes(requisites)
    for (const path of paths) {
      expect(path.narSize).toBe(sizes.get(path.path))
      expect([...path.references].sort()).toEqual(nixReferences(path.path).sort())
      expect(path.deriver).toBe(run('nix-store', ['-q', '--deriver', path.path]).trim())
    }
  })

  it('gives the figures of nix path-info', async () => {
    const graph = createGraph()
    await loadNixHost(graph, formFile('host', 'closure.nixexport'), 'host:slim')
    const [artifact] = await loadNix(graph, exportFile, {})
    const sizes = measureArtifact(graph, artifact, {host: 'host:slim'}).sizes
    expect(sizes.total).toBe(nixClosureSize(rootOf('nginx')))
    expect(sizes.unique).toBe(nixUnique(rootOf('nginx'), rootOf('host')))
    expect(sizes.uniqueFiles).toBeGreaterThan(0)
    expect(sizes.uniqueFiles).toBeLessThanOrEqual(sizes.unique as number)
  })

  it('rejects a truncated export', async () => {
    const size = readFileSync(exportFile).length
    const file = corrupt(exportFile, 'truncated.nixexport', (bytes) => bytes.subarray(0, size - 30))
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(new RegExp(`^${file}: offset ${size - 30}: truncated input`))
  })

  it('rejects a wrong trailer magic', async () => {
    const bytes = readFileSync(exportFile)
    const trailer = bytes.indexOf(Buffer.from('NIXE', 'latin1'))
    const file = corrupt(exportFile, 'trailer.nixexport', (copy) => {
      copy.write('NIXF', trailer, 'latin1')
      return copy
    })
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(
      `${file}: offset ${trailer}: expected the trailer magic 0x4558494e ("NIXE") after a NAR, found 0x4658494e`,
    )
  })

  it('rejects a wrong next-path marker', async () => {
    const file = corrupt(exportFile, 'marker.nixexport', (copy) => {
      copy[0] = 2
      return copy
    })
    await expect(loadNix(createGraph(), file, {})).rejects.toThrow(/unknown input/)
    await expect(readExport(file)).rejects.toThrow(`${file}: offset 0: expected the next-path marker 1 or the end marker 0, found 2`)
  })
})
