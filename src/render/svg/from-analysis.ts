import {ADDED_LABEL, ON_HOST_LABEL} from './document.js'
import {storePathName} from './from-graph.js'
import type {BarsInput, BarsRow, GraphInput, GraphNodeInput, LayerInput, LayersInput, TreemapInput} from './types.js'

/**
 * Reading of `depgraph analyze --json` output for the render command. Only
 * the keys listed in docs/render.md are read; others are ignored. Every
 * error names the file and the JSON path of the bad value.
 */

export type AnalysisPlatform = 'podman' | 'nix' | 'osv'

export interface AnalysisLayer {
  digest: string
  stored: number
  hidden: number | null
  createdBy?: string
  base?: boolean
}

export interface AnalysisPath {
  path: string
  narSize: number
  references: string[]
  onHost?: boolean
}

export interface AnalysisPackage {
  name: string
  version: string
  architecture?: string
  installed: number | null
  /** Bytes of the files the package owns in the image, when the report gives them. */
  content?: number
  depends: string[]
  onHost?: boolean
}

export interface AnalysisArtifact {
  platform: AnalysisPlatform
  name: string
  sizes: Record<string, number | null | undefined>
  layers?: AnalysisLayer[]
  paths?: AnalysisPath[]
  packages?: AnalysisPackage[]
}

export interface Analysis {
  file: string
  artifacts: AnalysisArtifact[]
}

type Json = unknown

class Reader {
  constructor(private readonly file: string) {}

  fail(where: string, problem: string): never {
    throw new Error(`${this.file}: ${where}: ${problem}; write the file with depgraph analyze --json`)
  }

  object(value: Json, where: string): Record<string, Json> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(where, 'expected an object')
    return value as Record<string, Json>
  }

  array(value: Json, where: string): Json[] {
    if (!Array.isArray(value)) this.fail(where, 'expected an array')
    return value
  }

  string(value: Json, where: string): string {
    if (typeof value !== 'string') this.fail(where, `expected a string, got ${JSON.stringify(value)}`)
    return value
  }

  bytes(value: Json, where: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail(where, `expected a whole number of bytes, 0 or more, got ${JSON.stringify(value)}`)
    }

    return value
  }

  bytesOrNull(value: Json, where: string): number | null {
    return value === null || value === undefined ? null : this.bytes(value, where)
  }

  optionalBoolean(value: Json, where: string): boolean | undefined {
    if (value !== undefined && typeof value !== 'boolean') this.fail(where, `expected true or false, got ${JSON.stringify(value)}`)
    return value as boolean | undefined
  }

  strings(value: Json, where: string): string[] {
    if (value === undefined) return []
    return this.array(value, where).map((item, index) => this.string(item, `${where}[${index}]`))
  }
}

/** Parses and checks `depgraph analyze --json` output read from `file`. */
export function parseAnalysis(text: string, file: string): Analysis {
  let data: Json
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(`${file}: invalid JSON (${(error as Error).message}); write the file with depgraph analyze --json`)
  }

  const reader = new Reader(file)
  const root = reader.object(data, 'top level')
  const artifacts = reader.array(root.artifacts, 'artifacts').map((item, index) => readArtifact(reader, item, `artifacts[${index}]`))
  return {file, artifacts}
}

function readArtifact(reader: Reader, value: Json, where: string): AnalysisArtifact {
  const entry = reader.object(value, where)
  const platform = reader.string(entry.platform, `${where}.platform`)
  if (platform !== 'podman' && platform !== 'nix' && platform !== 'osv') {
    reader.fail(`${where}.platform`, `expected podman, nix or osv, got ${JSON.stringify(platform)}`)
  }

  const sizesObject = reader.object(entry.sizes, `${where}.sizes`)
  const sizes: Record<string, number | null> = {}
  for (const [key, size] of Object.entries(sizesObject)) sizes[key] = reader.bytesOrNull(size, `${where}.sizes.${key}`)

  const artifact: AnalysisArtifact = {platform, name: reader.string(entry.name, `${where}.name`), sizes}
  if (entry.layers !== undefined) artifact.layers = reader.array(entry.layers, `${where}.layers`).map((item, index) => readLayer(reader, item, `${where}.layers[${index}]`))
  if (entry.paths !== undefined) artifact.paths = reader.array(entry.paths, `${where}.paths`).map((item, index) => readPath(reader, item, `${where}.paths[${index}]`))
  if (entry.packages !== undefined) {
    artifact.packages = reader.array(entry.packages, `${where}.packages`).map((item, index) => readPackage(reader, item, `${where}.packages[${index}]`))
  }

  return artifact
}

function readLayer(reader: Reader, value: Json, where: string): AnalysisLayer {
  const entry = reader.object(value, where)
  return {
    digest: reader.string(entry.digest, `${where}.digest`),
    stored: reader.bytes(entry.stored, `${where}.stored`),
    hidden: reader.bytesOrNull(entry.hidden, `${where}.hidden`),
    createdBy: entry.createdBy === undefined || entry.createdBy === null ? undefined : reader.string(entry.createdBy, `${where}.createdBy`),
    base: reader.optionalBoolean(entry.base, `${where}.base`),
  }
}

function readPath(reader: Reader, value: Json, where: string): AnalysisPath {
  const entry = reader.object(value, where)
  return {
    path: reader.string(entry.path, `${where}.path`),
    narSize: reader.bytes(entry.narSize, `${where}.narSize`),
    references: reader.strings(entry.references, `${where}.references`),
    onHost: reader.optionalBoolean(entry.onHost, `${where}.onHost`),
  }
}

function readPackage(reader: Reader, value: Json, where: string): AnalysisPackage {
  const entry = reader.object(value, where)
  return {
    name: reader.string(entry.name, `${where}.name`),
    version: reader.string(entry.version, `${where}.version`),
    architecture: entry.architecture === undefined ? undefined : reader.string(entry.architecture, `${where}.architecture`),
    installed: reader.bytesOrNull(entry.installed, `${where}.installed`),
    content: entry.content === undefined ? undefined : (reader.bytesOrNull(entry.content, `${where}.content`) ?? undefined),
    depends: reader.strings(entry.depends, `${where}.depends`),
    onHost: reader.optionalBoolean(entry.onHost, `${where}.onHost`),
  }
}

/**
 * Builds one bar row per application name, in the order names first appear:
 * Podman `total` and `base`, OSv `total` and `mounted`, Nix `total` and
 * `unique`. A missing artifact or size key gives null.
 */
export function barsInputFromAnalysis(analysis: Analysis, title?: string): BarsInput {
  const rows = new Map<string, BarsRow>()
  for (const artifact of analysis.artifacts) {
    const row = rows.get(artifact.name) ?? {
      app: artifact.name, podmanTotal: null, podmanBase: null, osvImage: null, osvMounted: null, nixTotal: null, nixUnique: null,
    }
    const size = (key: string): number | null => artifact.sizes[key] ?? null
    if (artifact.platform === 'podman') Object.assign(row, {podmanTotal: size('total'), podmanBase: size('base')})
    if (artifact.platform === 'osv') Object.assign(row, {osvImage: size('total'), osvMounted: size('mounted')})
    if (artifact.platform === 'nix') Object.assign(row, {nixTotal: size('total'), nixUnique: size('unique')})
    rows.set(artifact.name, row)
  }

  if (rows.size === 0) throw new Error(`${analysis.file}: no artifacts to draw; analyze at least one artifact`)
  return {title, rows: [...rows.values()]}
}

/**
 * Picks the one artifact named `name` (and of `platform`, when given) that
 * passes `usable`. Without a name, picks the only usable artifact.
 */
export function selectArtifact(
  analysis: Analysis, usable: (artifact: AnalysisArtifact) => boolean, needs: string,
  name?: string, platform?: AnalysisPlatform,
): AnalysisArtifact {
  const matches = analysis.artifacts.filter((artifact) => (name === undefined || artifact.name === name)
    && (platform === undefined || artifact.platform === platform) && usable(artifact))
  const description = `${name === undefined ? 'artifact' : `artifact "${name}"`}${platform === undefined ? '' : ` on ${platform}`}`

  if (matches.length === 0) throw new Error(`${analysis.file}: no ${description} with ${needs}; check --artifact and --platform`)
  if (matches.length > 1) {
    const names = matches.map((artifact) => `${artifact.name} (${artifact.platform})`).join(', ')
    throw new Error(`${analysis.file}: ${matches.length} artifacts with ${needs} match: ${names}; choose one with --artifact and --platform`)
  }

  return matches[0]
}

/**
 * Builds the layer stack of a Podman artifact. A layer is base when its
 * entry has `base: true`; without `base` keys, the bottom layers whose
 * stored bytes add up exactly to `sizes.base` are the base.
 */
export function layersInputFromAnalysis(artifact: AnalysisArtifact): LayersInput {
  const layers = artifact.layers ?? []
  const explicit = layers.some((layer) => layer.base !== undefined)
  const baseCount = explicit ? 0 : basePrefixLength(layers, artifact.sizes.base ?? null)

  const drawn: LayerInput[] = layers.map((layer, index) => ({
    digest: layer.digest,
    stored: layer.stored,
    hidden: layer.hidden,
    createdBy: layer.createdBy,
    base: explicit ? layer.base === true : index < baseCount,
  }))
  return {image: artifact.name, layers: drawn}
}

/** Number of bottom layers whose stored bytes sum to `base` exactly, or 0 when none do. */
function basePrefixLength(layers: AnalysisLayer[], base: number | null): number {
  if (base === null || base === 0) return 0

  let sum = 0
  for (let index = 0; index < layers.length; index += 1) {
    sum += layers[index].stored
    if (sum === base) return index + 1
    if (sum > base) return 0
  }

  return 0
}

/** Builds the dependency graph of an artifact from its `paths` (Nix) or `packages` (Podman). */
export function graphInputFromAnalysis(artifact: AnalysisArtifact): GraphInput {
  if (artifact.paths) return closureGraph(artifact, artifact.paths)
  if (artifact.packages) return packageGraph(artifact, artifact.packages)
  throw new Error(`artifact "${artifact.name}" (${artifact.platform}) has neither paths nor packages`)
}

function closureGraph(artifact: AnalysisArtifact, paths: AnalysisPath[]): GraphInput {
  const known = new Set(paths.map((entry) => entry.path))
  const nodes: GraphNodeInput[] = paths.map((entry) => ({
    id: entry.path, label: storePathName(entry.path), bytes: entry.narSize, onHost: entry.onHost === true,
  }))

  // A store path may reference itself; references outside the list are dropped.
  const edges = paths.flatMap((entry) => [...new Set(entry.references)]
    .filter((target) => target !== entry.path && known.has(target))
    .map((target) => ({source: entry.path, target})))
  const hostGiven = paths.some((entry) => entry.onHost !== undefined)
  return withRoot({title: `Closure of ${artifact.name}`, root: '', nodes, edges, hostGiven}, artifact)
}

function packageGraph(artifact: AnalysisArtifact, packages: AnalysisPackage[]): GraphInput {
  const idOf = (entry: AnalysisPackage): string => `${entry.name}@${entry.version}${entry.architecture ? `:${entry.architecture}` : ''}`
  const byName = new Map<string, AnalysisPackage>()
  for (const entry of packages) if (!byName.has(entry.name)) byName.set(entry.name, entry)

  const nodes: GraphNodeInput[] = packages.map((entry) => ({
    id: idOf(entry),
    label: entry.installed === null ? `${entry.name} (size not recorded)` : entry.name,
    bytes: entry.installed ?? 0,
    onHost: entry.onHost === true,
  }))
  const seen = new Set<string>()
  const edges = packages.flatMap((entry) => entry.depends.flatMap((name) => {
    const target = byName.get(name)
    const key = target ? `${idOf(entry)} ${idOf(target)}` : ''
    if (!target || target === entry || seen.has(key)) return []
    seen.add(key)
    return [{source: idOf(entry), target: idOf(target)}]
  }))

  const hostGiven = packages.some((entry) => entry.onHost !== undefined)
  return withRoot({title: `Packages of ${artifact.name}`, root: '', nodes, edges, hostGiven}, artifact, true)
}

/**
 * Sets the root: the only node nothing points at, or else (and always for
 * an image) a node for the artifact itself, of 0 bytes, pointing at every
 * node nothing else points at.
 */
function withRoot(input: GraphInput, artifact: AnalysisArtifact, alwaysArtifact = false): GraphInput {
  const targets = new Set(input.edges.map((edge) => edge.target))
  const tops = input.nodes.filter((node) => !targets.has(node.id)).map((node) => node.id)
  if (tops.length === 1 && !alwaysArtifact) return {...input, root: tops[0]}

  const id = `artifact:${artifact.platform}:${artifact.name}`
  const starts = tops.length > 0 ? tops : input.nodes.map((node) => node.id)
  return {
    ...input,
    root: id,
    nodes: [{id, label: artifact.name, bytes: 0, onHost: false, artifact: true}, ...input.nodes],
    edges: [...starts.map((target) => ({source: id, target})), ...input.edges],
  }
}

/**
 * Builds the treemap of an artifact: one item per store path (narSize) or
 * package (the content of its files when the report gives it, else its
 * installed size).
 */
export function treemapInputFromAnalysis(artifact: AnalysisArtifact): TreemapInput {
  const group = (onHost: boolean | undefined, hostGiven: boolean): string | undefined => {
    if (!hostGiven) return undefined
    return onHost ? ON_HOST_LABEL : ADDED_LABEL
  }

  if (artifact.paths) {
    const hostGiven = artifact.paths.some((entry) => entry.onHost !== undefined)
    const items = artifact.paths.map((entry) => ({label: storePathName(entry.path), bytes: entry.narSize, group: group(entry.onHost, hostGiven)}))
    return {title: `Store paths of ${artifact.name} by NAR size`, unit: 'store path', items}
  }

  if (artifact.packages) {
    const hostGiven = artifact.packages.some((entry) => entry.onHost !== undefined)
    // NOTE: packages without Installed-Size get an empty rectangle, so the map undercounts them.
    const byContent = artifact.packages.every((entry) => entry.content !== undefined)
    const items = artifact.packages.map((entry) => ({
      label: entry.name,
      bytes: (byContent ? entry.content : entry.installed) ?? 0,
      group: group(entry.onHost, hostGiven),
    }))
    return {title: `Packages of ${artifact.name} by ${byContent ? 'file content' : 'installed size'}`, unit: 'package', items}
  }

  throw new Error(`artifact "${artifact.name}" (${artifact.platform}) has neither paths nor packages`)
}
