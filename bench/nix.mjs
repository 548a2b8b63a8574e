#!/usr/bin/env node
// Time depgraph on Nix closures against nix path-info, and on a generated
// 10,000-path closure. Prints one line per measurement and the ratios.
// Needs `npm run build` and the fixtures of fixtures/nix/build.sh.
//
//   node bench/nix.mjs [--runs N] [--json]
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readlinkSync, rmSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
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

/** Build the depgraph command that measures one Nix closure: analyze where it exists, else inspect closure. */
function depgraphArgs(ref) {
  const cli = join(repo, 'bin', 'run.js')
  if (existsSync(join(repo, 'dist', 'commands', 'analyze.js'))) return [cli, 'analyze', '--nix', ref, '--json']
  return [cli, 'inspect', 'closure', ref, '--json']
}

/** Write a path-info JSON array of `count` paths with a few references each, all reachable from the first. */
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

  const file = join(mkdtempSync(join(tmpdir(), 'depgraph-nix-bench-')), `closure-${count}.json`)
  writeFileSync(file, JSON.stringify(entries))
  return file
}

/**
 * Median milliseconds of loading and measuring `ref` inside this process,
 * without Node's and oclif's start-up: what the Nix source itself costs.
 */
async function timeInProcess(ref, runs) {
  const dist = (module) => import(new URL(`../dist/src/${module}`, import.meta.url).href)
  const {createGraph} = await dist('graph/graph.js')
  const {loadNix} = await dist('sources/nix/index.js')
  const {measureArtifact} = await dist('measure/sizes.js')
  const {measureNixPaths} = await dist('measure/nix.js')
  const samples = []
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint()
    const graph = createGraph()
    const [artifact] = await loadNix(graph, ref, {})
    measureArtifact(graph, artifact)
    measureNixPaths(graph, artifact)
    samples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }

  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]
}

export async function runNixBench({runs = 3} = {}) {
  const root = readlinkSync(join(cache, 'result-mariadb'))
  const synthetic = writeSyntheticClosure(10_000)
  const forms = {
    PathInfoJson: join(cache, 'mariadb', 'path-info.json'),
    Database: `db:/nix/var/nix/db/db.sqlite:${root}`,
    Live: root,
    Synthetic10000: synthetic,
  }

  const command = {nixPathInfo: time('nix', ['path-info', ...nixFlags, '-rS', root], runs)}
  const inProcess = {}
  for (const [form, ref] of Object.entries(forms)) {
    command[`depgraph${form}`] = time('node', depgraphArgs(ref), runs)
    inProcess[`load${form}`] = await timeInProcess(ref, runs)
  }

  rmSync(dirname(synthetic), {recursive: true, force: true})
  return {
    milliseconds: {...command, ...inProcess},
    ratios: {
      pathInfoJsonVsNix: command.depgraphPathInfoJson / command.nixPathInfo,
      databaseVsNix: command.depgraphDatabase / command.nixPathInfo,
      liveVsNix: command.depgraphLive / command.nixPathInfo,
      databaseInProcessVsNix: inProcess.loadDatabase / command.nixPathInfo,
    },
    targets: {
      notSlowerThanNix: command.depgraphDatabase <= command.nixPathInfo,
      synthetic10000UnderOneSecond: command.depgraphSynthetic10000 < 1000,
    },
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runsIndex = process.argv.indexOf('--runs')
  const report = await runNixBench({runs: runsIndex === -1 ? 3 : Number(process.argv[runsIndex + 1])})
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2))
  else {
    for (const [name, ms] of Object.entries(report.milliseconds)) console.log(`${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms`)
    for (const [name, ratio] of Object.entries(report.ratios)) console.log(`${name.padEnd(30)} ${ratio.toFixed(2).padStart(6)} ×`)
    for (const [name, met] of Object.entries(report.targets)) console.log(`${name.padEnd(30)} ${met ? 'met' : 'NOT met'}`)
  }
}
