import {describe, expect, it} from 'vitest'

import {addArtifact, addHost, createGraph, ensureNode, hostKey, packageKey, storePathKey, type DepGraph} from '../../src/graph/graph.js'
import {graphInputFromDepGraph, storePathName} from '../../src/render/svg/from-graph.js'
import {renderGraph} from '../../src/render/svg/graph.js'
import {byClass, parseSvg} from './svg.js'

const path = (hash: string, name: string): string => `/nix/store/${hash.repeat(32).slice(0, 32)}-${name}`
const GLIBC = path('a', 'glibc-2.37')
const OPENSSL = path('b', 'openssl-3.0.9')
const NGINX = path('c', 'nginx-1.24.0')
const SYSTEM = path('d', 'nixos-system-host')

function addStorePath(graph: DepGraph, storePath: string, stored: number): string {
  return ensureNode(graph, storePathKey(storePath), {kind: 'storePath', path: storePath, stored})
}

/** Builds nginx → openssl → glibc, and a host system whose closure contains glibc. */
function nixGraph(): DepGraph {
  const graph = createGraph()
  const app = addArtifact(graph, {platform: 'nix', name: 'nginx', source: NGINX})
  const system = addArtifact(graph, {platform: 'nix', name: 'system', source: SYSTEM, hostOnly: true})
  const host = addHost(graph, 'testhost', '/run/current-system')
  for (const [storePath, bytes] of [[GLIBC, 30_000_000], [OPENSSL, 6_000_000], [NGINX, 1_500_000], [SYSTEM, 400_000]] as const) {
    addStorePath(graph, storePath, bytes)
  }

  graph.addDirectedEdge(app, storePathKey(NGINX), {kind: 'root'})
  graph.addDirectedEdge(storePathKey(NGINX), storePathKey(OPENSSL), {kind: 'references'})
  graph.addDirectedEdge(storePathKey(NGINX), storePathKey(GLIBC), {kind: 'references'})
  graph.addDirectedEdge(storePathKey(OPENSSL), storePathKey(GLIBC), {kind: 'references'})
  graph.addDirectedEdge(system, storePathKey(SYSTEM), {kind: 'root'})
  graph.addDirectedEdge(storePathKey(SYSTEM), storePathKey(GLIBC), {kind: 'references'})
  graph.addDirectedEdge(system, host, {kind: 'deployed-on'})
  return graph
}

/** Builds an image that installs nginx, libssl3 and libc6, on a host image that installs libc6. */
function podmanGraph(): DepGraph {
  const graph = createGraph()
  const app = addArtifact(graph, {platform: 'podman', name: 'nginx:test', source: 'oci-archive:nginx.tar'})
  const base = addArtifact(graph, {platform: 'podman', name: 'debian:bookworm', source: 'oci-archive:base.tar', hostOnly: true})
  const host = addHost(graph, 'testhost', 'image store')
  const packages = {
    libc6: ensureNode(graph, packageKey('libc6', '2.36-9', 'amd64'), {kind: 'package', name: 'libc6', version: '2.36-9', architecture: 'amd64', installed: 12_000_000}),
    libssl3: ensureNode(graph, packageKey('libssl3', '3.0.11', 'amd64'), {kind: 'package', name: 'libssl3', version: '3.0.11', architecture: 'amd64', installed: 6_000_000}),
    nginx: ensureNode(graph, packageKey('nginx', '1.22.1', 'amd64'), {kind: 'package', name: 'nginx', version: '1.22.1', architecture: 'amd64', installed: null}),
  }

  for (const key of Object.values(packages)) graph.addDirectedEdge(app, key, {kind: 'installs'})
  graph.addDirectedEdge(base, packages.libc6, {kind: 'installs'})
  graph.addDirectedEdge(base, host, {kind: 'deployed-on'})
  graph.addDirectedEdge(packages.nginx, packages.libssl3, {kind: 'depends', constraint: 'libssl3 (>= 3.0.0)'})
  graph.addDirectedEdge(packages.nginx, packages.libc6, {kind: 'depends', constraint: 'libc6 (>= 2.34)'})
  graph.addDirectedEdge(packages.libssl3, packages.libc6, {kind: 'depends', constraint: 'libc6 (>= 2.34)'})
  return graph
}

describe('graphInputFromDepGraph', () => {
  it('takes a Nix closure with its host', () => {
    const input = graphInputFromDepGraph(nixGraph(), 'artifact:nix:nginx', hostKey('testhost'))

    expect(input.title).toBe('Closure of nginx, compared with host testhost')
    expect(input.root).toBe(storePathKey(NGINX))
    expect(input.hostGiven).toBe(true)
    expect(input.nodes).toEqual([
      {id: storePathKey(NGINX), label: 'nginx-1.24.0', bytes: 1_500_000, onHost: false},
      {id: storePathKey(OPENSSL), label: 'openssl-3.0.9', bytes: 6_000_000, onHost: false},
      {id: storePathKey(GLIBC), label: 'glibc-2.37', bytes: 30_000_000, onHost: true},
    ])
    expect(input.edges).toHaveLength(3)
    expect(input.edges).toContainEqual({source: storePathKey(OPENSSL), target: storePathKey(GLIBC)})
  })

  it('marks nothing on the host without one', () => {
    const input = graphInputFromDepGraph(nixGraph(), 'artifact:nix:nginx')

    expect(input.nodes.every((node) => !node.onHost)).toBe(true)
    expect(input.hostGiven).toBe(false)
  })

  it('takes an image through its packages', () => {
    const input = graphInputFromDepGraph(podmanGraph(), 'artifact:podman:nginx:test', hostKey('testhost'))
    const byName = new Map(input.nodes.map((node) => [node.label, node]))

    expect(input.root).toBe('artifact:podman:nginx:test')
    expect(input.nodes).toHaveLength(4)
    expect(byName.get('libc6')).toEqual({id: packageKey('libc6', '2.36-9', 'amd64'), label: 'libc6', bytes: 12_000_000, onHost: true})
    expect(byName.get('libssl3')?.onHost).toBe(false)
    expect(byName.get('nginx (size not recorded)')?.bytes).toBe(0)
    expect(input.edges).toContainEqual({source: 'artifact:podman:nginx:test', target: packageKey('nginx', '1.22.1', 'amd64')})
    expect(input.edges.filter((edge) => edge.source === input.root)).toHaveLength(1)
    expect(input.edges).toHaveLength(4)
  })

  it('feeds renderGraph one node per package', () => {
    const input = graphInputFromDepGraph(podmanGraph(), 'artifact:podman:nginx:test', hostKey('testhost'))
    const document = parseSvg(renderGraph(input))

    expect(byClass(document, 'node').map((node) => node.getAttribute('data-id')).sort()).toEqual(input.nodes.map((node) => node.id).sort())
    expect(byClass(document, 'edge')).toHaveLength(4)
  })

  it('rejects a disk image artifact', () => {
    const graph = createGraph()
    addArtifact(graph, {platform: 'osv', name: 'nginx', source: 'nginx.qcow2'})

    expect(() => graphInputFromDepGraph(graph, 'artifact:osv:nginx')).toThrow(/osv disk image/)
  })

  it('rejects an unknown artifact', () => {
    expect(() => graphInputFromDepGraph(createGraph(), 'artifact:nix:none')).toThrow(/node "artifact:nix:none" not found/)
  })
})

describe('storePathName', () => {
  it('drops the store directory and hash', () => {
    expect(storePathName(NGINX)).toBe('nginx-1.24.0')
    expect(storePathName('/nix/store/short-name')).toBe('short-name')
  })
})
