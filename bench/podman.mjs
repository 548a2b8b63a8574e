// Time `depgraph analyze` on the fixture images against reference commands
// that read the same bytes, and report the ratios and depgraph's peak memory.
// Needs the fixtures of `npm run setup`, hyperfine and GNU time.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

const repo = join(import.meta.dirname, '..')
const cache = process.env.DEPGRAPH_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME, '.cache'), 'depgraph')
const images = join(cache, 'podman', 'images')
const cli = join(repo, 'bin', 'run.js')
const work = mkdtempSync(join(tmpdir(), 'depgraph-bench-'))

/** Run hyperfine on named commands and return each one's mean and standard deviation in seconds. */
function hyperfine(commands) {
  const output = join(work, 'hyperfine.json')
  const args = ['--warmup', '1', '--runs', '5', '--style', 'none', '--export-json', output]
  for (const [name, command] of Object.entries(commands)) args.push('--command-name', name, command)
  execFileSync('hyperfine', args, {stdio: 'ignore'})
  const results = JSON.parse(readFileSync(output, 'utf8')).results
  return Object.fromEntries(results.map((result) => [result.command, {mean: result.mean, stddev: result.stddev}]))
}

/** Peak resident memory of one command in bytes, from GNU time. */
function peakMemoryBytes(command) {
  try {
    execFileSync('/usr/bin/time', ['-o', join(work, 'time.txt'), '-f', '%M', 'bash', '-c', `${command} >/dev/null`], {stdio: 'ignore'})
  } catch (error) {
    throw new Error(`${command} failed: ${error.message}`)
  }

  return Number(readFileSync(join(work, 'time.txt'), 'utf8').trim()) * 1024
}

const seconds = (value) => `${value.mean.toFixed(3)} s ± ${value.stddev.toFixed(3)}`
const rows = []

for (const app of ['nginx', 'mariadb']) {
  const archive = join(images, app, 'docker-archive.tar')
  const plain = hyperfine({
    depgraph: `${cli} analyze --json --podman docker-archive:${archive}`,
    sha256sum: `sha256sum ${archive}`,
  })
  rows.push([`${app} docker-archive`, seconds(plain.depgraph), `sha256sum ${seconds(plain.sha256sum)}`, (plain.depgraph.mean / plain.sha256sum.mean).toFixed(2)])

  const oci = join(images, app, 'oci-gzip')
  const manifestDigest = JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8')).manifests[0].digest.slice(7)
  const manifest = JSON.parse(readFileSync(join(oci, 'blobs', 'sha256', manifestDigest), 'utf8'))
  const layers = manifest.layers.map((layer) => join(oci, 'blobs', 'sha256', layer.digest.slice(7))).join(' ')
  const gzip = hyperfine({
    depgraph: `${cli} analyze --json --podman oci:${oci}`,
    'zcat | sha256sum': `zcat ${layers} | sha256sum`,
  })
  rows.push([`${app} oci gzip`, seconds(gzip.depgraph), `zcat | sha256sum ${seconds(gzip['zcat | sha256sum'])}`, (gzip.depgraph.mean / gzip['zcat | sha256sum'].mean).toFixed(2)])
}

const peak = peakMemoryBytes(`${cli} analyze --json --podman docker-archive:${join(images, 'mariadb', 'docker-archive.tar')}`)
console.log('input | depgraph | reference | ratio (depgraph / reference)')
for (const row of rows) console.log(row.join(' | '))
console.log(`peak memory, analyze mariadb docker-archive: ${(peak / 1e6).toFixed(1)} MB`)
