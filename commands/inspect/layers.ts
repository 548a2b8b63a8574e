import {Args, Flags} from '@oclif/core'

import {createGraph} from '../../src/graph/graph.js'
import {type LayerReport, measureLayers} from '../../src/measure/layers.js'
import {renderLayers} from '../../src/render/analysis.js'
import type {UnitSystem as Units} from '../../src/render/units.js'
import {loadPodman} from '../../src/sources/podman/index.js'
import {DepgraphCommand} from '../../src/cli/command.js'

export default class InspectLayers extends DepgraphCommand {
  static override summary = 'Show one image layer by layer.'

  static override description =
    'For each layer, bottom first: its digest, stored (uncompressed tar) and compressed bytes, the command that created it, the bytes of its file versions that later layers hide, and its largest files.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> docker-archive:nginx.tar',
    '<%= config.bin %> <%= command.id %> oci:./nginx-oci --json',
    '<%= config.bin %> <%= command.id %> localhost/depgraph/nginx:latest --engine unix:///tmp/podman.sock',
  ]

  static override enableJsonFlag = true

  static override args = {
    ref: Args.string({description: 'image reference: docker-archive:PATH[:NAME], oci-archive:PATH, oci:DIR, dir:DIR or an engine image name', required: true}),
  }

  static override flags = {
    engine: Flags.string({description: 'engine API address, unix:///path/podman.sock'}),
    largest: Flags.integer({description: 'largest files to list per layer', default: 10, min: 0}),
    units: Flags.string({description: 'units of the text output: si (kB, MB) or iec (KiB, MiB)', options: ['si', 'iec'], default: 'si'}),
  }

  async run(): Promise<{images: Array<{name: string; layers: LayerReport[]}>}> {
    const {args, flags} = await this.parse(InspectLayers)
    const graph = createGraph()
    let artifacts: string[] = []
    try {
      artifacts = await loadPodman(graph, args.ref, {engine: flags.engine})
    } catch (error) {
      this.error((error as Error).message, {exit: 1})
    }

    const images = artifacts.map((artifact) => ({
      name: artifact.replace(/^artifact:podman:/, ''),
      layers: measureLayers(graph, artifact, flags.largest),
    }))
    if (!this.jsonEnabled()) {
      this.log(images.map((image) => renderLayers(image.name, image.layers, flags.units as Units)).join('\n\n'))
    }

    return {images}
  }
}
