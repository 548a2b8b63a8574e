import {Args, Flags} from '@oclif/core'

import {createGraph} from '../../src/graph/graph.js'
import {measureNixDisk, measureNixPaths} from '../../src/measure/nix.js'
import {measureArtifact} from '../../src/measure/sizes.js'
import {type ClosureReport, renderClosure, type Units} from '../../src/render/closure.js'
import {loadNix, loadNixHost} from '../../src/sources/nix/index.js'
import {DepgraphCommand} from '../../src/cli/command.js'

export default class InspectClosure extends DepgraphCommand {
  static override summary = 'List the store paths of a Nix closure by the size each one adds.'

  static override description = `Reads a closure in any Nix form (a store path or profile link, nix path-info --json output, a nix-store --export stream, a NAR, db:PATH[:STOREPATH], or closureInfo files) and lists its store paths, largest added size first. The added size of a path is what leaves the closure if that path goes: its own narSize plus that of every path reachable only through it.

With --host, base is the bytes of paths the host closure has too, and unique the bytes it does not; from a live store or an export, unique files counts file contents the host does not have.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> /run/current-system',
    '<%= config.bin %> <%= command.id %> closure.json --host host.json --limit 50',
    '<%= config.bin %> <%= command.id %> ./result --json',
  ]

  static override enableJsonFlag = true

  static override args = {
    ref: Args.string({description: 'the closure: store path, profile link, path-info JSON, export, NAR, db:PATH or closureInfo', required: true}),
  }

  static override flags = {
    host: Flags.string({description: 'the host closure, in any form the closure takes'}),
    name: Flags.string({description: 'artifact name (default: the root store path name)'}),
    limit: Flags.integer({description: 'number of paths the text output lists', default: 20, min: 0}),
    units: Flags.string({description: 'units of the text output: si (kB, MB) or iec (KiB, MiB)', options: ['si', 'iec'], default: 'si'}),
  }

  async run(): Promise<ClosureReport> {
    const {args, flags} = await this.parse(InspectClosure)
    const graph = createGraph()
    const host = flags.host === undefined ? undefined : 'host:host'

    try {
      if (flags.host !== undefined) await loadNixHost(graph, flags.host, host as string)
      const [artifact] = await loadNix(graph, args.ref, {name: flags.name})
      const measure = measureArtifact(graph, artifact, {host})
      const report: ClosureReport = {
        name: measure.name,
        source: measure.source,
        sizes: measure.sizes,
        reasons: measure.reasons,
        disk: measureNixDisk(graph, artifact),
        paths: measureNixPaths(graph, artifact, host),
      }
      if (!this.jsonEnabled()) this.log(renderClosure(report, flags.units as Units, flags.limit))
      return report
    } catch (error) {
      this.error((error as Error).message, {exit: 1})
    }
  }
}
