import {hostArtifacts} from '../graph/closure.js'
import {type DepGraph, nodeOfKind, successorsByEdge} from '../graph/graph.js'

/** One installed package of an image, as the JSON report lists it. */
export interface PackageReport {
  name: string
  version: string
  architecture: string
  /** Installed-Size from the dpkg database, in bytes; null when the field is absent. */
  installed: number | null
  /** Bytes of the package's files in the final filesystem, each content once, from its dpkg file list. */
  content: number
  /** Names of the installed packages this one depends on. */
  depends: string[]
  /** True when an image of the host's store installs the same package version; absent without a host. */
  onHost?: boolean
}

/** List an artifact's installed packages with their dependencies, largest first. */
export function measurePackages(graph: DepGraph, artifact: string, host?: string): PackageReport[] {
  const onHost = new Set<string>()
  for (const hostArtifact of host ? hostArtifacts(graph, host) : []) {
    for (const pkg of successorsByEdge(graph, hostArtifact, 'installs')) onHost.add(pkg)
  }

  const packages = successorsByEdge(graph, artifact, 'installs').map((key) => {
    const node = nodeOfKind(graph, key, 'package')
    const depends = successorsByEdge(graph, key, 'depends').map((target) => nodeOfKind(graph, target, 'package').name)
    const content = successorsByEdge(graph, key, 'owns').reduce((sum, blob) => sum + nodeOfKind(graph, blob, 'blob').content, 0)
    const report: PackageReport = {name: node.name, version: node.version, architecture: node.architecture, installed: node.installed, content, depends}
    if (host) report.onHost = onHost.has(key)
    return report
  })

  return packages.sort((a, b) => (b.installed ?? 0) - (a.installed ?? 0) || a.name.localeCompare(b.name))
}
