import {existsSync} from 'node:fs'
import {homedir} from 'node:os'

import {Args, Flags, type Interfaces} from '@oclif/core'

import {type AnalysisReport, type AnalysisRequest, reportAnalysis, runAnalysis} from '../src/analysis.js'
import {cacheDirectory, CONFIG_FILE, readConfig} from '../src/config.js'
import {compareDeployments, type ComparisonRow} from '../src/measure/comparison.js'
import {renderAnalysisTable} from '../src/render/analysis.js'
import {renderComparison} from '../src/render/comparison.js'
import type {UnitSystem as Units} from '../src/render/units.js'
import {DepgraphCommand} from '../src/cli/command.js'

export default class Analyze extends DepgraphCommand {
  static override summary = 'Measure what deploying applications costs, in bytes, per platform.'

  static override description = `Reads Podman images, Nix closures and OSv disk images into one dependency graph and prints, per artifact, its total, base, app+libs, hidden and unique bytes, then the bytes stored more than once across the artifacts.

APP names resolve through ${CONFIG_FILE} in the working directory (or --config) to one reference per platform; --podman, --nix and --osv add references of their own. Text output uses SI units (kB, MB) unless --units iec; --json prints every figure in bytes.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> nginx',
    '<%= config.bin %> <%= command.id %> nginx redis mariadb --out reports/',
    '<%= config.bin %> <%= command.id %> --podman docker-archive:nginx.tar --base docker-archive:slim.tar --host docker-archive:slim.tar',
    '<%= config.bin %> <%= command.id %> --podman oci-archive:redis.tar --host / --json',
    '<%= config.bin %> <%= command.id %> --podman localhost/depgraph/nginx:latest --engine unix:///run/podman/podman.sock',
  ]

  static override enableJsonFlag = true

  static override strict = false

  static override args = {
    app: Args.string({description: `application names from ${CONFIG_FILE}`}),
  }

  static override flags = {
    podman: Flags.string({description: 'Podman image: docker-archive:PATH[:NAME], oci-archive:PATH, oci:DIR, dir:DIR or an engine image name', multiple: true}),
    nix: Flags.string({description: 'Nix closure: store path, path-info JSON, export, NAR or db:PATH', multiple: true}),
    osv: Flags.string({description: 'OSv disk image (qcow2 or raw)', multiple: true}),
    base: Flags.string({description: 'base image of the Podman images, in any --podman form'}),
    host: Flags.string({description: 'what the target host has: an image store (Podman reference), a closure, or a root directory such as /', multiple: true}),
    engine: Flags.string({description: 'engine API address, unix:///path/podman.sock (default: CONTAINER_HOST, DOCKER_HOST, then /run/podman/podman.sock)'}),
    config: Flags.string({description: `config file that maps APP names to references (default: ./${CONFIG_FILE})`}),
    units: Flags.string({description: 'units of the text output: si (kB, MB) or iec (KiB, MiB)', options: ['si', 'iec'], default: 'si'}),
    out: Flags.directory({description: 'folder to write summary.md, one page per application, summary.json and SVG diagrams into'}),
  }

  async run(): Promise<AnalysisReport & {comparison: ComparisonRow[]}> {
    const {argv, flags} = await this.parse(Analyze)
    const apps = argv as string[]
    const request = this.buildRequest(apps, flags)
    const report = reportAnalysis(await this.tryAnalysis(request))
    const names = apps.length > 0 ? apps : [...new Set(report.artifacts.map((artifact) => artifact.name))]
    const rows = compareDeployments(report, names)
    const result = {...report, comparison: rows}

    const units = flags.units as Units
    if (!this.jsonEnabled()) this.log(renderAnalysisTable(report, units))
    if (!this.jsonEnabled() && rows.length > 0) this.log(renderComparison(rows, units))

    if (flags.out) {
      // The SVG renderers load d3 and jsdom, so they load only when reports are written.
      const {buildReports, writeReports} = await import('../src/render/reports.js')
      const abbreviations: Array<[string, string]> = [[cacheDirectory(), '${cache}'], [homedir(), '~']]
      const context = {command: ['depgraph', 'analyze', ...this.argv].join(' '), depgraphVersion: this.config.version, units, abbreviations}
      await writeReports(flags.out, buildReports(result, rows, context))
    }

    if (report.failures.length > 0) {
      const message = report.failures.map((failure) => failure.error).join('\n')
      if (!this.jsonEnabled()) this.error(message, {exit: 1})

      // Partial results are still a result: oclif prints them, and the exit status marks them as partial.
      // logToStderr is silent under --json, and the error belongs on stderr all the same.
      process.stderr.write(`Error: ${message}\n`)
      process.exitCode = 1
    }

    return result
  }

  /** Turn the flags and the application names, resolved through the config file, into one request. */
  private buildRequest(apps: string[], flags: Interfaces.InferredFlags<typeof Analyze.flags>): AnalysisRequest {
    const request: AnalysisRequest = {
      podman: (flags.podman ?? []).map((ref) => ({ref})),
      nix: (flags.nix ?? []).map((ref) => ({ref})),
      osv: (flags.osv ?? []).map((ref) => ({ref})),
      base: flags.base,
      hosts: flags.host ?? [],
      engine: flags.engine,
    }

    const configFile = flags.config ?? CONFIG_FILE
    if (apps.length > 0 || (flags.config && existsSync(configFile))) {
      const config = this.tryConfig(configFile)
      for (const app of apps) {
        const refs = config.apps[app]
        if (!refs) this.error(`${configFile}: no application "${app}"; known: ${Object.keys(config.apps).join(', ')}`, {exit: 2})
        if (refs.podman) request.podman.push({ref: refs.podman, name: app})
        if (refs.nix) request.nix.push({ref: refs.nix, name: app})
        if (refs.osv) request.osv.push({ref: refs.osv, name: app})
      }

      request.base ??= config.base
      if (request.hosts.length === 0) request.hosts = config.host ?? []
    }

    if (request.podman.length + request.nix.length + request.osv.length === 0) {
      this.error('nothing to analyse: name an application from the config, or give --podman, --nix or --osv', {exit: 2})
    }

    return request
  }

  private tryConfig(file: string): ReturnType<typeof readConfig> {
    try {
      return readConfig(file)
    } catch (error) {
      this.error((error as Error).message, {exit: 2})
    }
  }

  private async tryAnalysis(request: AnalysisRequest): Promise<Awaited<ReturnType<typeof runAnalysis>>> {
    try {
      return await runAnalysis(request)
    } catch (error) {
      this.error((error as Error).message, {exit: 1})
    }
  }
}
