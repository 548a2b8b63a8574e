import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {homedir, tmpdir} from 'node:os'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {runCli} from '../helpers/fixtures.js'
import {legendLabels, parseSvg, titleOf} from '../render/svg.js'

const APPS = ['nginx', 'redis', 'mariadb']

describe('reproduction of the storage comparison', () => {
  let out: string
  let result: {status: number; stdout: string; stderr: string}
  let report: {
    artifacts: Array<{platform: string; name: string; sizes: Record<string, number | null>}>
    comparison: Array<Record<string, number | null> & {app: string; shares: Record<string, number | null>}>
  }

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'depgraph-reports-'))
    result = runCli(['analyze', ...APPS, '--out', out, '--json'])
    report = JSON.parse(result.stdout)
  })

  it('measures every app on every platform', () => {
    expect(result.status).toBe(0)
    for (const app of APPS) {
      for (const platform of ['podman', 'nix', 'osv']) {
        const artifact = report.artifacts.find((item) => item.name === app && item.platform === platform)
        expect(artifact?.sizes.total).toBeGreaterThan(0)
      }
    }
  })

  it('builds each row from the artifacts', () => {
    for (const row of report.comparison) {
      const sizes = (platform: string): Record<string, number | null> =>
        report.artifacts.find((item) => item.name === row.app && item.platform === platform)?.sizes ?? {}
      expect(row.podmanTotal).toBe(sizes('podman').total)
      expect(row.podmanBase).toBe(sizes('podman').base)
      expect(row.osvImage).toBe(sizes('osv').total)
      expect(row.osvMounted).toBe(sizes('osv').mounted)
      expect(row.nixTotal).toBe(sizes('nix').total)
      expect(row.nixUnique).toBe(sizes('nix').unique)
      expect(row.shares.nixOfTotal).toBe((row.nixUnique as number) / (row.podmanTotal as number))
      expect(row.shares.osvOfAppLibs).toBe((row.osvImage as number) / ((row.podmanTotal as number) - (row.podmanBase as number)))
    }
  })

  it('writes the summary, a page per app and the diagrams', () => {
    const files = readdirSync(out).sort()
    expect(files).toContain('summary.md')
    expect(files).toContain('summary.json')
    expect(files).toContain('storage.svg')
    for (const app of APPS) {
      expect(files).toContain(`${app}.md`)
      expect(files).toContain(`${app}-podman-layers.svg`)
      expect(files).toContain(`${app}-nix-graph.svg`)
      expect(files).toContain(`${app}-podman-treemap.svg`)
    }
  })

  it('summary.json equals the printed JSON', () => {
    const saved = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))
    expect(saved.artifacts).toEqual(report.artifacts)
    expect(saved.comparison).toEqual(report.comparison)
  })

  it('summary.md has both tables with study figures', () => {
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(summary).toContain('## Storage')
    expect(summary).toContain('## Share of the Podman image')
    expect(summary).toMatch(/nginx\s+\d+ MB \(137 MB\)/)
    expect(summary).toMatch(/mariadb\s+[\d.]+% \(8\.1%\)/)
  })

  it('storage.svg has a title, a legend and every app', () => {
    const document = parseSvg(readFileSync(join(out, 'storage.svg'), 'utf8'))
    expect(titleOf(document)).toContain('Storage per application and platform')
    expect(legendLabels(document).slice(0, 6)).toEqual(['Podman total', 'Podman base', 'OSv image', 'OSv mounted', 'Nix total', 'Nix unique'])
    for (const app of APPS) expect(readFileSync(join(out, 'storage.svg'), 'utf8')).toContain(`>${app}<`)
  })
})

describe('reproduction with an unreadable input', () => {
  it('measures the other platforms and exits non-zero', () => {
    const dir = mkdtempSync(join(tmpdir(), 'depgraph-partial-'))
    const cache = process.env.DEPGRAPH_CACHE ?? join(homedir(), '.cache', 'depgraph')
    const config = join(dir, 'depgraph.config.json')
    writeFileSync(
      config,
      JSON.stringify({
        apps: {
          nginx: {
            podman: `docker-archive:${cache}/podman/images/nginx/docker-archive.tar`,
            nix: join(dir, 'missing-path-info.json'),
            osv: `${cache}/osv/nginx.qcow2`,
          },
        },
      }),
    )

    const partial = runCli(['analyze', 'nginx', '--config', config, '--json'])
    expect(partial.status).toBe(1)
    const output = JSON.parse(partial.stdout)
    expect(output.artifacts.map((artifact: {platform: string}) => artifact.platform).sort()).toEqual(['osv', 'podman'])
    expect(output.failures[0].platform).toBe('nix')
    expect(output.comparison[0].missing.nix).toContain('missing-path-info.json')
    expect(partial.stderr).toContain('missing-path-info.json')

    const text = runCli(['analyze', 'nginx', '--config', config])
    expect(text.stdout).toMatch(/nginx\s+\d+ MB \(137 MB\).*error \(728\.3 MB\)\s+error \(12\.6 MB\)/)
  })
})
