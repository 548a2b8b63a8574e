#!/usr/bin/env node
// Compare `depgraph inspect disk` with `qemu-img map` on two qcow2 images:
// a 2 GiB fully allocated one (preallocation=falloc) and a 1 TiB sparse one
// with a few written clusters. Prints each median and the ratio
// depgraph / qemu-img (below 1 means depgraph is faster). Uses hyperfine when
// it is installed, else times the runs itself. Needs `npm run build` first.
//
// Usage: node bench/osv.mjs [--runs N] [--json]
// Also importable: `import {benchOsv} from './osv.mjs'` returns the rows.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const cacheDir = process.env.DEPGRAPH_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'depgraph')
const benchDir = path.join(cacheDir, 'bench-osv')

/** Create the two images once; they stay in the cache for later runs. */
function prepareImages() {
  mkdirSync(benchDir, {recursive: true})
  const allocated = path.join(benchDir, 'allocated-2g.qcow2')
  const sparse = path.join(benchDir, 'sparse-1t.qcow2')

  if (!existsSync(allocated)) {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-o', 'preallocation=falloc', allocated, '2G'])
  }

  if (!existsSync(sparse)) {
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', sparse, '1T'])
    execFileSync('qemu-io', ['-c', 'write -P 0x5a 0 1M', '-c', 'write -P 0x5b 512G 1M', '-c', 'write -P 0x5c 1023G 64k', sparse])
  }

  return [
    {name: '2 GiB fully allocated', file: allocated},
    {name: '1 TiB sparse', file: sparse},
  ]
}

const hasHyperfine = () => spawnSync('hyperfine', ['--version']).status === 0

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median wall time in seconds of each command, by hyperfine or by timing runs here. */
function timeCommands(commands, runs) {
  if (hasHyperfine()) {
    const report = path.join(tmpdir(), `depgraph-bench-osv-${process.pid}.json`)
    execFileSync('hyperfine', ['--shell=none', '--style', 'none', '--warmup', '2', '--runs', String(runs), '--export-json', report, ...commands.map((argv) => argv.map(quote).join(' '))], {stdio: ['ignore', 'ignore', 'inherit']})
    const results = JSON.parse(readFileSync(report, 'utf8')).results
    rmSync(report)
    return results.map((result) => result.median)
  }

  return commands.map((argv) => {
    const times = []
    for (let run = 0; run < runs + 2; run++) {
      const start = process.hrtime.bigint()
      const result = spawnSync(argv[0], argv.slice(1), {stdio: 'ignore'})
      if (result.status !== 0) throw new Error(`${argv.join(' ')} exited with ${result.status}`)
      if (run >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e9)
    }

    return median(times)
  })
}

const quote = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`)

/** Median seconds of the library call alone, in this process, without Node and oclif start-up. */
async function timeLibrary(file, runs) {
  const {inspectDisk} = await import(pathToFileURL(path.join(repoDir, 'dist/src/sources/osv/index.js')).href)
  const times = []
  for (let run = 0; run < runs + 2; run++) {
    const start = process.hrtime.bigint()
    await inspectDisk(file)
    if (run >= 2) times.push(Number(process.hrtime.bigint() - start) / 1e9)
  }

  return median(times)
}

export async function benchOsv({runs = 10} = {}) {
  if (!existsSync(path.join(repoDir, 'dist/commands/inspect/disk.js'))) throw new Error('dist/ is missing: run npm run build first')
  const rows = []

  for (const {name, file} of prepareImages()) {
    const [depgraph, qemu] = timeCommands(
      [
        ['node', path.join(repoDir, 'bin/run.js'), 'inspect', 'disk', file, '--json'],
        ['qemu-img', 'map', '--output=json', file],
      ],
      runs,
    )
    const library = await timeLibrary(file, runs)
    rows.push({image: name, file, depgraphSeconds: depgraph, qemuImgMapSeconds: qemu, ratio: depgraph / qemu, librarySeconds: library, libraryRatio: library / qemu})
  }

  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runsIndex = process.argv.indexOf('--runs')
  const runs = runsIndex === -1 ? 10 : Number(process.argv[runsIndex + 1])
  const rows = await benchOsv({runs})

  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(rows, null, 2))
  } else {
    console.log(`timer: ${hasHyperfine() ? 'hyperfine' : 'in-script'}, ${runs} runs, medians`)
    for (const row of rows) {
      console.log(
        `${row.image.padEnd(22)} depgraph inspect disk ${(row.depgraphSeconds * 1000).toFixed(1)} ms, qemu-img map ${(row.qemuImgMapSeconds * 1000).toFixed(1)} ms, ratio ${row.ratio.toFixed(2)}; ` +
          `inspectDisk() alone ${(row.librarySeconds * 1000).toFixed(1)} ms, ratio ${row.libraryRatio.toFixed(2)}`,
      )
    }
  }
}
