import {addArtifact, addContent, addHost, type DepGraph, ensureNode, storePathKey} from '../../graph/graph.js'
import type {StorePathNode} from '../../graph/types.js'

/** Facts that every Nix input form records about one store path. */
export interface PathInfo {
  path: string
  narSize: number
  narHash?: string
  /** Absolute store paths; a path may reference itself. */
  references: string[]
  deriver?: string | null
  /** Block usage on a live store, each inode once. */
  disk?: number
}

/** One regular file of a store path, from a NAR or a live store. */
export interface StoreFile {
  /** Path within the store path, such as `bin/nginx`. */
  path: string
  size: number
  sha256: string
  mode: number
  /** Identifies hard links to one inode; defaults to `path`. */
  inode?: string
}

export interface ClosureInput {
  /** The input as the user named it, for the artifact and for errors. */
  source: string
  name?: string
  infos: PathInfo[]
  files?: Map<string, StoreFile[]>
  hostOnly?: boolean
}

/** Store path base name without its hash: `/nix/store/abc…-nginx-1.24` → `nginx-1.24`. */
export function storePathName(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1)
  return /^[0-9a-z]{32}-/.test(base) ? base.slice(33) : base
}

/** Check that references stay inside the closure and form no cycle; return the roots. */
export function checkClosure(infos: PathInfo[], source: string): string[] {
  const byPath = new Map<string, PathInfo>()
  for (const info of infos) {
    if (byPath.has(info.path)) throw new Error(`${source}: store path ${info.path} is listed twice`)
    byPath.set(info.path, info)
  }

  const referrers = new Map<string, number>()
  for (const info of infos) {
    for (const reference of info.references) {
      if (!byPath.has(reference)) {
        throw new Error(
          `${source}: ${info.path} references ${reference}, which is outside the closure: ` +
            'give the whole closure (nix path-info --recursive, nix-store --export $(nix-store -qR PATH))',
        )
      }

      if (reference !== info.path) referrers.set(reference, (referrers.get(reference) ?? 0) + 1)
    }
  }

  const roots = infos.filter((info) => !referrers.has(info.path)).map((info) => info.path)
  checkAcyclic(infos, referrers, source)
  return roots
}

/** Kahn's algorithm over references between distinct paths; what it cannot remove lies on a cycle. */
function checkAcyclic(infos: PathInfo[], referrers: Map<string, number>, source: string): void {
  const remaining = new Map(referrers)
  const byPath = new Map(infos.map((info) => [info.path, info]))
  const queue = infos.filter((info) => !remaining.has(info.path)).map((info) => info.path)
  let removed = 0

  while (queue.length > 0) {
    const path = queue.pop() as string
    removed += 1
    for (const reference of new Set(byPath.get(path)?.references)) {
      if (reference === path) continue
      const count = (remaining.get(reference) as number) - 1
      remaining.set(reference, count)
      if (count === 0) queue.push(reference)
    }
  }

  if (removed === infos.length) return
  const onCycle = [...remaining].find(([, count]) => count > 0)?.[0]
  throw new Error(
    `${source}: reference cycle through ${onCycle}: Nix store paths may reference themselves but not each other in a cycle; ` +
      'the input is corrupt',
  )
}

/**
 * Add a closure to the graph: its store paths, their references, the files
 * where the input lists them, and an artifact with a `root` edge to each path
 * that no other path references. Returns the artifact key.
 */
export function addClosure(graph: DepGraph, input: ClosureInput): string {
  const roots = checkClosure(input.infos, input.source)
  if (roots.length === 0) throw new Error(`${input.source}: the closure is empty: give at least one store path`)

  const fresh: PathInfo[] = []
  for (const info of input.infos) {
    const key = storePathKey(info.path)
    if (graph.hasNode(key)) {
      completeKnownPath(graph, info, input.files?.get(info.path))
      continue
    }

    const node: StorePathNode = {kind: 'storePath', path: info.path, stored: info.narSize, deriver: info.deriver ?? null}
    if (info.narHash !== undefined) node.narHash = info.narHash
    if (info.disk !== undefined) node.disk = info.disk
    if (info.references.includes(info.path)) node.selfReference = true
    ensureNode(graph, key, node)
    fresh.push(info)
  }

  // A path's references are intrinsic, so a path already in the graph has them.
  for (const info of fresh) {
    for (const reference of new Set(info.references)) {
      if (reference !== info.path) graph.addDirectedEdge(storePathKey(info.path), storePathKey(reference), {kind: 'references'})
    }

    for (const file of input.files?.get(info.path) ?? []) {
      addContent(graph, storePathKey(info.path), file.sha256, file.size, {path: file.path, mode: file.mode, inode: file.inode ?? file.path})
    }
  }

  const name = input.name ?? (roots.length === 1 ? storePathName(roots[0]) : input.source)
  const artifact = addArtifact(graph, {platform: 'nix', name: input.hostOnly ? `host/${name}` : name, source: input.source, hostOnly: input.hostOnly})
  for (const root of roots) graph.addDirectedEdge(artifact, storePathKey(root), {kind: 'root'})
  return artifact
}

/**
 * Add what a richer form records to a path that a poorer form loaded first:
 * block usage from a live store, files from an export or a live store.
 */
function completeKnownPath(graph: DepGraph, info: PathInfo, files: StoreFile[] | undefined): void {
  const key = storePathKey(info.path)
  const node = graph.getNodeAttributes(key) as StorePathNode
  if (node.disk === undefined && info.disk !== undefined) graph.mergeNodeAttributes(key, {disk: info.disk})
  if (files === undefined || files.length === 0) return

  let listed = false
  graph.forEachOutEdge(key, (_edge, attributes) => {
    if (attributes.kind === 'contains') listed = true
  })
  if (listed) return
  for (const file of files) addContent(graph, key, file.sha256, file.size, {path: file.path, mode: file.mode, inode: file.inode ?? file.path})
}

/** Attach a closure artifact to a host node, creating the node when it is missing. */
export function deployOnHost(graph: DepGraph, artifact: string, host: string, source: string): void {
  if (!graph.hasNode(host)) addHost(graph, host.replace(/^host:/, ''), source)
  graph.addDirectedEdge(artifact, host, {kind: 'deployed-on'})
}
