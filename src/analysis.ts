import {realpathSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {createGraph, type DepGraph, hostKey, nodeOfKind, successorsByEdge} from './graph/graph.js'
import type {Platform} from './graph/types.js'
import {type DuplicatedReport, measureDuplicated, measureDuplicatedWithHost} from './measure/duplicated.js'
import {type LayerReport, measureLayers} from './measure/layers.js'
import {measureNixDisk, measureNixPaths, type NixPathRow} from './measure/nix.js'
import {measureOsv} from './measure/osv.js'
import {measurePackages, type PackageReport} from './measure/packages.js'
import {type ArtifactMeasure, measureArtifact} from './measure/sizes.js'
import {attachBase, attachEngineBase, loadPodman, loadPodmanHost, parseImageReference} from './sources/podman/index.js'
import type {Loader} from './sources/index.js'
import {loadRootDirectory} from './sources/rootfs/index.js'

/** References to analyse per platform, as the user typed them. */
export interface AnalysisRequest {
  podman: Array<{ref: string; name?: string}>
  nix: Array<{ref: string; name?: string}>
  osv: Array<{ref: string; name?: string}>
  /** Base image for every Podman artifact. */
  base?: string
  /** Host references: image stores, closures or a root directory. */
  hosts: string[]
  engine?: string
}

/** One artifact in the JSON report. */
export interface ArtifactReport extends Omit<ArtifactMeasure, 'key'> {
  /** Content bytes of the artifact that the host already has. */
  duplicatedWithHost?: number | null
  layers?: Array<LayerReport & {base: boolean}>
  packages?: PackageReport[]
  /** Nix only: the closure's store paths with their added size. */
  paths?: NixPathRow[]
  /** OSv only: the disk image's figures in bytes. */
  disk?: {path: string; virtual: number; stored: number; allocated: number | null; mounted: number | null}
}

export interface AnalysisReport {
  artifacts: ArtifactReport[]
  duplicated: DuplicatedReport
  /** Inputs that could not be read, with the reason; their platforms are missing from `artifacts`. */
  failures: Array<{platform: string; ref: string; app?: string; error: string}>
}

export interface Analysis {
  graph: DepGraph
  artifacts: string[]
  host?: string
  failures: AnalysisReport['failures']
}

export type HostKind = 'root' | 'podman' | 'nix'

/** Tell what a --host reference names: a root directory, an image store or a Nix closure. */
export function classifyHost(ref: string): HostKind {
  if (/^(docker-archive|oci-archive|oci|dir):/.test(ref)) return 'podman'
  if (ref.startsWith('db:') || ref.startsWith('/nix/store/') || ref.endsWith('.json') || ref === '/run/current-system') return 'nix'

  const info = statSync(ref, {throwIfNoEntry: false})
  if (info?.isFile()) return /\.(tar|tar\.gz|tgz)$/.test(ref) ? 'podman' : 'nix'
  const real = info ? realpathSync(ref) : ref
  if (real.startsWith('/nix/store/')) return 'nix'
  if (info?.isDirectory()) {
    const isImage = ['index.json', 'manifest.json'].some((name) => statSync(join(ref, name), {throwIfNoEntry: false}))
    return isImage ? 'podman' : 'root'
  }

  return 'podman'
}

/**
 * Read every input into one graph. A platform whose input fails is recorded
 * in `failures` and the others go on; base and host inputs must load.
 */
export async function runAnalysis(request: AnalysisRequest): Promise<Analysis> {
  const graph = createGraph()
  const artifacts: string[] = []
  const failures: Analysis['failures'] = []

  // Each platform's reader loads only when an input needs it, which keeps start-up short.
  const loaders: Array<[Platform, Array<{ref: string; name?: string}>, () => Promise<Loader>]> = [
    ['podman', request.podman, async () => (graph, ref, options) => loadPodman(graph, ref, {...options, engine: request.engine})],
    ['nix', request.nix, async () => (await import('./sources/nix/index.js')).loadNix],
    ['osv', request.osv, async () => (await import('./sources/osv/index.js')).loadDisk],
  ]

  for (const [platform, inputs, loadLoader] of loaders) {
    const load = inputs.length > 0 ? await loadLoader() : undefined
    for (const {ref, name} of inputs) {
      try {
        artifacts.push(...(await (load as Loader)(graph, ref, {name})))
      } catch (error) {
        failures.push({platform, ref, app: name, error: (error as Error).message})
      }
    }
  }

  const podmanArtifacts = artifacts.filter((artifact) => nodeOfKind(graph, artifact, 'artifact').platform === 'podman')
  if (request.base && podmanArtifacts.length > 0) await attachBase(graph, podmanArtifacts, request.base, {engine: request.engine})
  for (const artifact of request.base ? [] : podmanArtifacts) {
    if (graph.outEdges(artifact).every((edge) => graph.getEdgeAttribute(edge, 'kind') !== 'based-on')) {
      // Images read through the engine find their base among the engine's images.
      const source = nodeOfKind(graph, artifact, 'artifact').source
      if (parseImageReference(source).transport === 'engine') await attachEngineBase(graph, artifact, request.engine)
    }
  }

  let host: string | undefined
  if (request.hosts.length > 0) {
    host = hostKey('target')
    for (const ref of request.hosts) {
      const kind = classifyHost(ref)
      if (kind === 'root') await loadRootDirectory(graph, ref, host)
      else if (kind === 'podman') await loadPodmanHost(graph, ref, host)
      else await (await import('./sources/nix/index.js')).loadNixHost(graph, ref, host)
    }
  }

  return {graph, artifacts, host, failures}
}

/** Add the disk figures of an OSv artifact: its virtual size, the mounted file content and the allocated guest bytes. */
function addOsvFigures(graph: DepGraph, artifact: string, report: ArtifactReport): void {
  const osv = measureOsv(graph, artifact)
  report.sizes.virtual = osv.virtual
  report.sizes.mounted = osv.mounted
  if (osv.reasons.mounted) report.reasons.mounted = osv.reasons.mounted

  const [disk] = successorsByEdge(graph, artifact, 'root')
  const node = nodeOfKind(graph, disk, 'disk')
  report.disk = {path: node.path, virtual: node.virtual, stored: node.stored, allocated: osv.allocated, mounted: osv.mounted}
}

/** Mark the bottom layers whose stored bytes make up the base. */
function markBaseLayers(layers: LayerReport[], base: number | null): Array<LayerReport & {base: boolean}> {
  let remaining = base ?? 0
  return layers.map((layer) => {
    const isBase = remaining > 0 && layer.stored <= remaining
    if (isBase) remaining -= layer.stored
    return {...layer, base: isBase}
  })
}

/** Measure every analysed artifact and the duplication across them. */
export function reportAnalysis(analysis: Analysis): AnalysisReport {
  const {graph, artifacts, host} = analysis
  const reports = artifacts.map((artifact): ArtifactReport => {
    const {key: _key, ...measure} = measureArtifact(graph, artifact, {host})
    const report: ArtifactReport = {...measure}
    if (host) report.duplicatedWithHost = measureDuplicatedWithHost(graph, artifact, host)
    if (measure.platform === 'osv') addOsvFigures(graph, artifact, report)
    if (measure.platform === 'nix') {
      report.paths = measureNixPaths(graph, artifact, host)
      report.sizes.disk = measureNixDisk(graph, artifact)
      if (report.sizes.disk === null) report.reasons.disk = 'the closure was not read from a live store'
    }

    if (measure.platform === 'podman') {
      report.layers = markBaseLayers(measureLayers(graph, artifact), measure.sizes.base ?? null)
      report.packages = measurePackages(graph, artifact, host)
    }

    return report
  })

  return {artifacts: reports, duplicated: measureDuplicated(graph, artifacts), failures: analysis.failures}
}
