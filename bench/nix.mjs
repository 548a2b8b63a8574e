#!/usr/bin/env node
// Time depgraph on Nix closures against nix path-info, and on a generated
// 10,000-path closure. Prints one line per measurement and the ratios.
// Needs `npm run build` and the fixtures of fixtures/nix/build.sh.
//
//   node bench/nix.mjs [--runs N] [--json]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readlinkSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const cache = join(process.env.DEPGRAPH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'depgraph'), 'nix')
const nixFlags = ['--option', 'substituters', '', '--extra-experimental-features', 'nix-command']

/** Median wall time in milliseconds of `runs` runs of a command, which must succeed. */
function time(command, args, runs) {
  const samples = []
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(command, args, {encoding: 'utf8', maxBuffer: 1 << 28})
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error}`)
  }

  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]
}

/** The depgraph command that measures one Nix closure: analyze where it exists, else inspect closure. */
function depgraphArgs(ref) {
  const cli = join(repo, 'bin', 'run.js')
  if (existsSync(join(repo, 'dist', 'commands', 'analyze.js'))) return [cli, 'analyze', '--nix', ref, '--json']
  return [cli, 'inspect', 'closure', ref, '--json']
}

/** A path-info JSON array of `count` paths with a few references each, all reachable from the first. */
function writeSyntheticClosure(count) {
  const hash = (index) => index.toString(32).padStart(32, '0').replace(/[eotu]/g, 'a')
  const path = (index) => `/nix/store/${hash(index)}-package-${index}`
  const entries = []
  for (let index = 0; index < count; index++) {
    const references = new Set()
    if (index + 1 < count) references.add(path(index + 1))
    for (const step of [7, 131, 977]) if (index + step < count) references.add(path(index + step))
    entries.push({path: path(index), narHash: 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', narSize: 1000 + index, references: [...references]})
  }

  const file = join(mkdtempSync(join(tmpdir(), 'depgraph-bench-')), `closure-${count}.json`)
  writeFileSync(file, JSON.stringify(entries))
  return file
}

export function runNixBench({runs = 3} = {}) {
  const root = readlinkSync(join(cache, 'result-mariadb'))
  const results = {}
  results.nixPathInfo = time('nix', ['path-info', ...nixFlags, '-rS', root], runs)
  results.depgraphPathInfoJson = time('node', depgraphArgs(join(cache, 'mariadb', 'path-info.json')), runs)
  results.depgraphDatabase = time('node', depgraphArgs(`db:/nix/var/nix/db/db.sqlite:${root}`), runs)
  results.depgraphLive = time('node', depgraphArgs(root), runs)
  results.depgraphSynthetic10000 = time('node', depgraphArgs(writeSyntheticClosure(10_000)), runs)
  return {
    milliseconds: results,
    ratios: {
      pathInfoJsonVsNix: results.depgraphPathInfoJson / results.nixPathInfo,
      databaseVsNix: results.depgraphDatabase / results.nixPathInfo,
      liveVsNix: results.depgraphLive / results.nixPathInfo,
    },
    targets: {notSlowerThanNix: results.depgraphDatabase <= results.nixPathInfo, synthetic10000UnderOneSecond: results.depgraphSynthetic10000 < 1000},
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsIndex = process.argv.indexOf('--runs')
  const report = runNixBench({runs: runsIndex === -1 ? 3 : Number(process.argv[runsIndex + 1])})
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2))
  else {
    for (const [name, ms] of Object.entries(report.milliseconds)) console.log(`${name.padEnd(26)} ${ms.toFixed(0).padStart(6)} ms`)
    for (const [name, ratio] of Object.entries(report.ratios)) console.log(`${name.padEnd(26)} ${ratio.toFixed(2).padStart(6)} ×`)
    for (const [name, met] of Object.entries(report.targets)) console.log(`${name.padEnd(26)} ${met ? 'met' : 'NOT met'}`)
  }
}
