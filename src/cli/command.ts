import {Command, ux} from '@oclif/core'

/** The base of every depgraph command: oclif's Command with plain JSON output when piped. */
export abstract class DepgraphCommand extends Command {
  /** Print JSON uncoloured when piped: on large reports oclif's colouring takes longer than the analysis. */
  override logJson(json: unknown): void {
    if (process.stdout.isTTY) super.logJson(json)
    else ux.stdout(JSON.stringify(json, null, 2))
  }
}
