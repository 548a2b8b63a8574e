import {type DepGraph, nodeOfKind, successorsByEdge} from '../graph/graph.js'

/** The disk figures of one OSv artifact, in bytes; null where a figure could not be measured. */
export interface OsvSizes {
  /** The guest disk size. */
  virtual: number
  /** Regular-file bytes of the filesystem inside the image. */
  mounted: number | null
  /** Guest bytes with data in the image itself. */
  allocated: number | null
  /** The reason for each null figure. */
  reasons: {mounted?: string; allocated?: string}
}

/** Read the disk figures of an OSv artifact from its disk node. */
export function measureOsv(graph: DepGraph, artifact: string): OsvSizes {
  const node = nodeOfKind(graph, artifact, 'artifact')
  if (node.platform !== 'osv') throw new Error(`artifact "${artifact}" is a ${node.platform} artifact, expected an OSv disk image`)

  const [disk] = successorsByEdge(graph, artifact, 'root')
  if (disk === undefined) throw new Error(`artifact "${artifact}" has no disk: load it with the OSv loader`)
  const attributes = nodeOfKind(graph, disk, 'disk')
  const reasons: OsvSizes['reasons'] = {}

  const mounted = attributes.mounted ?? null
  if (mounted === null) reasons.mounted = attributes.reasons?.mounted ?? 'the filesystem inside the image was not read'
  const allocated = attributes.allocated ?? null
  if (allocated === null) reasons.allocated = attributes.reasons?.allocated ?? 'the image map was not read'

  return {virtual: attributes.virtual, mounted, allocated, reasons}
}
