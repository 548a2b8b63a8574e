import {Args, Flags} from '@oclif/core'

import {createGraph} from '../src/graph/graph.js'
import {allChains, describeStep, resolveTarget, shortestChain} from '../src/graph/paths.js'
import {renderChains} from '../src/render/closure.js'
import {loadAny, type PlatformChoice} from '../src/sources/any.js'
import {DepgraphCommand} from '../src/cli/command.js'

export interface WhyReport {
  artifact: string
  target: string
  /** Each chain from the artifact to the target, as printed steps. */
  chains: string[][]
  /** True when --all stopped at --limit chains. */
  truncated: boolean
}

export default class Why extends DepgraphCommand {
  static override summary = 'Show why an artifact needs a store path, package or file.'

  static override description = `Prints the shortest chain of dependencies from the artifact to the target, as nix why-depends does: for a Nix closure from the root through references to a store path (or to a file inside one); for an image from the image through its layers to a file. --all prints every chain, shortest first.

The target is a store path, a file path (/usr/sbin/nginx or /nix/store/…-nginx/usr/sbin/nginx), a graph node key, or a name that matches one store path or package.`

  static override examples = [
    '<%= config.bin %> <%= command.id %> ./result libssl3',
    '<%= config.bin %> <%= command.id %> closure.json /nix/store/…-libc6-2.36 --all',
    '<%= config.bin %> <%= command.id %> docker-archive:nginx.tar /usr/sbin/nginx',
  ]

  static override enableJsonFlag = true

  static override args = {
    ref: Args.string({description: 'the artifact: any Nix form, or a Podman reference such as docker-archive:PATH', required: true}),
    target: Args.string({description: 'store path, file path, node key or name to explain', required: true}),
  }

  static override flags = {
    all: Flags.boolean({description: 'print every chain, not only the shortest'}),
    limit: Flags.integer({description: 'maximum number of chains --all prints', default: 1000, min: 1}),
    platform: Flags.string({description: 'loader to read REF with (default: from the reference)', options: ['auto', 'nix', 'podman'], default: 'auto'}),
  }

  async run(): Promise<WhyReport> {
    const {args, flags} = await this.parse(Why)
    const graph = createGraph()

    try {
      const [artifact] = await loadAny(graph, args.ref, flags.platform as PlatformChoice)
      const isTarget = resolveTarget(graph, artifact, args.target)
      const found = flags.all
        ? allChains(graph, artifact, isTarget, flags.limit)
        : {chains: [shortestChain(graph, artifact, isTarget)].filter((chain) => chain !== null), truncated: false}
      if (found.chains.length === 0) this.error(`${args.ref} does not depend on ${args.target}`, {exit: 1})

      const chains = found.chains.map((chain) => chain.map((step) => describeStep(graph, step)))
      if (!this.jsonEnabled()) {
        this.log(renderChains(chains))
        if (found.truncated) this.log(`… stopped at ${flags.limit} chains (--limit)`)
      }

      return {artifact, target: args.target, chains, truncated: found.truncated}
    } catch (error) {
      if (error instanceof Error && 'oclif' in error) throw error
      this.error((error as Error).message, {exit: 1})
    }
  }
}
