import {mkdir, readFile, writeFile} from 'node:fs/promises'
import {dirname} from 'node:path'

import {Args, Flags} from '@oclif/core'

import {renderBars} from '../src/render/svg/bars.js'
import {
  barsInputFromAnalysis, graphInputFromAnalysis, layersInputFromAnalysis, parseAnalysis, selectArtifact,
  treemapInputFromAnalysis, type Analysis, type AnalysisPlatform,
} from '../src/render/svg/from-analysis.js'
import {renderGraph} from '../src/render/svg/graph.js'
import {renderLayers} from '../src/render/svg/layers.js'
import {renderTreemap} from '../src/render/svg/treemap.js'
import type {UnitSystem} from '../src/render/units.js'
import {DepgraphCommand} from '../src/cli/command.js'

export interface RenderResult {
  out: string
  kind: string
  /** Name and platform of the artifact drawn; absent for bars, which draw every artifact. */
  artifact?: {name: string; platform: string}
  bytes: number
}

export default class Render extends DepgraphCommand {
  static summary = 'Draw an SVG diagram from the output of depgraph analyze --json.'

  static description = `Kinds:
  bars     storage per application: Podman total and base, OSv image and mounted, Nix total and unique
  layers   one Podman image as a stack of layers sized by stored bytes, hidden bytes hatched
  graph    a Nix closure's store paths or an image's packages, sized by bytes, host and added in two colours
  treemap  a Nix closure by store path, or an image by package

layers, graph and treemap draw one artifact: name it with --artifact (and --platform when
several platforms share the name). The keys read from INPUT are listed in docs/render.md.`

  static examples = [
    '<%= config.bin %> analyze nginx redis --json > analysis.json',
    '<%= config.bin %> render analysis.json --kind bars --log --out storage.svg',
    '<%= config.bin %> render analysis.json --kind layers --artifact nginx --out nginx-layers.svg',
    '<%= config.bin %> render analysis.json --kind graph --artifact nginx --platform nix --out nginx-closure.svg',
  ]

  static args = {
    input: Args.string({description: 'JSON file written by depgraph analyze --json', required: true}),
  }

  static flags = {
    kind: Flags.option({options: ['bars', 'layers', 'graph', 'treemap'] as const, description: 'Diagram to draw', required: true})(),
    out: Flags.string({description: 'SVG file to write', required: true}),
    artifact: Flags.string({description: 'Artifact name to draw (layers, graph, treemap)'}),
    platform: Flags.option({options: ['podman', 'nix', 'osv'] as const, description: 'Platform of the artifact, when several share its name'})(),
    log: Flags.boolean({description: 'Log scale for the bars', default: false}),
    units: Flags.option({options: ['si', 'iec'] as const, description: 'Units of sizes in the drawing: si (kB, MB) or iec (KiB, MiB)', default: 'si' as const})(),
    title: Flags.string({description: 'Title of the bars diagram'}),
    'max-nodes': Flags.integer({description: 'Graph nodes drawn one by one; smaller ones are aggregated', default: 60, min: 2}),
    'max-labels': Flags.integer({description: 'Graph nodes with a visible label', default: 25, min: 0}),
  }

  static enableJsonFlag = true

  async run(): Promise<RenderResult> {
    const {args, flags} = await this.parse(Render)

    let text: string
    try {
      text = await readFile(args.input, 'utf8')
    } catch (error) {
      this.error(`failed to read ${args.input}: ${(error as Error).message}; pass the file written by depgraph analyze --json`)
    }

    try {
      const analysis = parseAnalysis(text, args.input)
      const drawing = draw(analysis, flags)
      await mkdir(dirname(flags.out), {recursive: true})
      await writeFile(flags.out, drawing.svg)
      return {out: flags.out, kind: flags.kind, artifact: drawing.artifact, bytes: Buffer.byteLength(drawing.svg)}
    } catch (error) {
      this.error((error as Error).message)
    }
  }
}

interface DrawFlags {
  kind: 'bars' | 'layers' | 'graph' | 'treemap'
  artifact?: string
  platform?: AnalysisPlatform
  log: boolean
  units: UnitSystem
  title?: string
  'max-nodes': number
  'max-labels': number
}

function draw(analysis: Analysis, flags: DrawFlags): {svg: string; artifact?: {name: string; platform: string}} {
  const options = {units: flags.units}
  if (flags.kind === 'bars') return {svg: renderBars(barsInputFromAnalysis(analysis, flags.title), {...options, log: flags.log})}

  if (flags.kind === 'layers') {
    const artifact = selectArtifact(analysis, (entry) => entry.platform === 'podman' && entry.layers !== undefined,
      'a layers array', flags.artifact, flags.platform)
    return {svg: renderLayers(layersInputFromAnalysis(artifact), options), artifact: {name: artifact.name, platform: artifact.platform}}
  }

  const artifact = selectArtifact(analysis, (entry) => entry.paths !== undefined || entry.packages !== undefined,
    'a paths or packages array', flags.artifact, flags.platform)
  const svg = flags.kind === 'graph'
    ? renderGraph(graphInputFromAnalysis(artifact), {...options, maxNodes: flags['max-nodes'], maxLabels: flags['max-labels']})
    : renderTreemap(treemapInputFromAnalysis(artifact), options)
  return {svg, artifact: {name: artifact.name, platform: artifact.platform}}
}
