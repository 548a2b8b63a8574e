import {spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, describe, expect, it} from 'vitest'

import {formFile, nixClosureSize, nixRequisites, nixUnique, rootOf} from '../sources/nix/helpers.js'

const scratch = mkdtempSync(join(tmpdir(), 'depgraph-cli-'))

afterAll(() => rmSync(scratch, {recursive: true, force: true}))

/** Run the built command line; `npm test` builds it first. */
function depgraph(...args: string[]): {status: number | null; stdout: string; stderr: string} {
  const result = spawnSync('node', [join(import.meta.dirname, '../../bin/run.js'), ...args], {encoding: 'utf8', maxBuffer: 1 << 28})
  // oclif wraps error messages to the terminal width behind a "›" margin; join them back.
  const stderr = result.stderr
    .split('\n')
    .map((line) => line.replace(/^\s*›\s*/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim()
  return {status: result.status, stdout: result.stdout, stderr}
}

describe('depgraph inspect closure', () => {
  it('prints the figures of nix path-info as JSON', () => {
    const result = depgraph('inspect', 'closure', formFile('mariadb', 'path-info.json'), '--host', formFile('host', 'path-info.json'), '--json')
    expect(result.stderr).toBe('')
    const report = JSON.parse(result.stdout)
    expect(report.sizes.total).toBe(nixClosureSize(rootOf('mariadb')))
    expect(report.sizes.unique).toBe(nixUnique(rootOf('mariadb'), rootOf('host')))
    expect(report.paths.length).toBe(nixRequisites(rootOf('mariadb')).length)
    expect(report.paths[0].addedSize).toBe(report.sizes.total)
    expect(report.disk).toBeNull()
  })

  it('lists paths by added size in text', () => {
    const result = depgraph('inspect', 'closure', formFile('nginx', 'path-info.json'), '--limit', '3')
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe(`nginx-closure (${formFile('nginx', 'path-info.json')})`)
    expect(lines[3]).toMatch(/^\s+ADDED\s+NAR\s+REFS\s+PATH$/)
    expect(lines[4]).toContain(rootOf('nginx'))
    expect(lines.at(-1)).toBe(`… ${nixRequisites(rootOf('nginx')).length - 3} more paths (--limit, or --json for all)`)
  })

  it('exits non-zero with one line on a truncated export', () => {
    const file = join(scratch, 'cut.nixexport')
    writeFileSync(file, Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([13, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('nix-archive-1\0\0\0')]))
    const result = depgraph('inspect', 'closure', file)
    expect(result.status).toBe(1)
    expect(result.stderr).toContain(`${file}: offset 32: truncated input: expected 8 more bytes of length of "(" opening the root node`)
  })
})

describe('depgraph why', () => {
  it('prints the shortest chain', () => {
    const libc = nixRequisites(rootOf('nginx')).find((path) => path.includes('-libc6-')) as string
    const result = depgraph('why', formFile('nginx', 'path-info.json'), libc, '--json')
    const report = JSON.parse(result.stdout)
    expect(report.chains.length).toBe(1)
    expect(report.chains[0][0]).toBe('nginx-closure')
    expect(report.chains[0][1]).toBe(rootOf('nginx'))
    expect(report.chains[0].at(-1)).toBe(libc)
  })

  it('fails on a path the closure does not need', () => {
    const result = depgraph('why', formFile('nginx', 'path-info.json'), 'mariadb-server')
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('nothing named "mariadb-server" is reachable from artifact:nix:nginx-closure')
  })
})
