import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'
import {compress} from 'zstd-napi'

import {runCli} from '../../helpers/fixtures.js'
import {type ImageSpec, makeTar, writeDockerArchive} from '../../helpers/archives.js'

const goodLayer = [{name: 'etc/', type: 'directory' as const}, {name: 'etc/hello', content: 'hello\n'}]

describe('analyze on bad input', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'depgraph-bad-'))
  })

  /** Write an archive, analyse it, and return the one-line error. */
  async function analyzeBroken(name: string, spec: ImageSpec): Promise<{status: number; line: string; path: string}> {
    const path = await writeDockerArchive(join(dir, name), spec)
    const result = runCli(['analyze', '--podman', `docker-archive:${path}`])
    const lines = result.stderr.trim().split('\n').filter((line) => line.trim() !== '')
    return {status: result.status, line: lines.join(' | '), path}
  }

  it('accepts the well-formed archive the cases start from', async () => {
    const path = await writeDockerArchive(join(dir, 'good.tar'), {layers: [goodLayer]})
    const result = runCli(['analyze', '--podman', `docker-archive:${path}`, '--json'])
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout).artifacts[0].sizes.content).toBe(6)
  })

  it('rejects a truncated archive', async () => {
    const path = await writeDockerArchive(join(dir, 'whole.tar'), {layers: [goodLayer]})
    const bytes = readFileSync(path)
    writeFileSync(join(dir, 'truncated.tar'), bytes.subarray(0, 1536))
    const result = runCli(['analyze', '--podman', `docker-archive:${join(dir, 'truncated.tar')}`])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('truncated.tar')
    expect(result.stderr).toMatch(/truncated|missing/)
  })

  it('rejects corrupt gzip', async () => {
    const {status, line} = await analyzeBroken('gzip.tar', {
      layers: [goodLayer],
      compress: 'gzip',
      corruptLayer: (_index, blob) => Buffer.concat([blob.subarray(0, 10), Buffer.alloc(blob.length - 10, 0x55)]),
    })
    expect(status).toBe(1)
    expect(line.split(' | ')).toHaveLength(1)
    expect(line).toContain('gzip decompression failed')
    expect(line).toContain('gzip.tar')
  })

  it('rejects corrupt zstd', async () => {
    const {status, line} = await analyzeBroken('zstd.tar', {
      layers: [goodLayer],
      corruptLayer: (_index, blob) => {
        const packed = compress(blob)
        return Buffer.concat([packed.subarray(0, 8), Buffer.alloc(packed.length, 0xff)])
      },
    })
    expect(status).toBe(1)
    expect(line).toContain('zstd decompression failed')
  })

  it('rejects an archive without a manifest', async () => {
    const path = join(dir, 'no-manifest.tar')
    writeFileSync(path, await makeTar([{name: 'hello.txt', content: 'not an image'}]))
    const result = runCli(['analyze', '--podman', `docker-archive:${path}`])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('no manifest.json or index.json found')
  })

  it('rejects a malformed manifest', async () => {
    const {status, line} = await analyzeBroken('bad-manifest.tar', {layers: [goodLayer], manifest: [{Config: 'x.json', Layers: 'not-an-array'}]})
    expect(status).toBe(1)
    expect(line).toContain('manifest.json: field "[0].Layers" is missing or malformed')
  })

  it('rejects a layer whose diff ID does not match', async () => {
    const {status, line} = await analyzeBroken('diff-id.tar', {layers: [goodLayer], diffIds: [`sha256:${'0'.repeat(64)}`]})
    expect(status).toBe(1)
    expect(line).toContain('digest mismatch')
    expect(line).toContain(`sha256:${'0'.repeat(64)}`)
  })

  it('rejects an absolute entry path', async () => {
    const {status, line} = await analyzeBroken('absolute.tar', {layers: [[{name: '/etc/passwd', content: 'root'}]]})
    expect(status).toBe(1)
    expect(line).toContain('entry "/etc/passwd" has an absolute path')
  })

  it('rejects a dot-dot entry path', async () => {
    const {status, line} = await analyzeBroken('dotdot.tar', {layers: [[{name: 'etc/../../escape', content: 'x'}]]})
    expect(status).toBe(1)
    expect(line).toContain('entry "etc/../../escape" has a ".." component')
  })

  it('rejects a whiteout with no target', async () => {
    const {status, line} = await analyzeBroken('whiteout.tar', {layers: [goodLayer, [{name: 'etc/.wh.missing', content: ''}]]})
    expect(status).toBe(1)
    expect(line).toContain('whiteout "etc/.wh.missing" hides "etc/missing", which no lower layer has')
  })

  it('rejects an unreachable engine socket', () => {
    const socket = join(dir, 'no-such.sock')
    const result = runCli(['analyze', '--podman', 'localhost/depgraph/nginx:latest', '--engine', `unix://${socket}`])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`cannot reach the engine at unix://${socket} (ENOENT)`)
  })

  it('writes nothing beside the input', async () => {
    const before = new Set(readdir(dir))
    await analyzeBroken('absolute-again.tar', {layers: [[{name: '/etc/passwd', content: 'root'}]]})
    const after = readdir(dir).filter((name) => !before.has(name))
    expect(after).toEqual(['absolute-again.tar'])
  })
})

function readdir(path: string): string[] {
  return readdirSync(path)
}
