import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {lstat, readdir} from 'node:fs/promises'
import {join, relative} from 'node:path'

import {addHost, blobKey, type DepGraph} from '../../graph/graph.js'
import {nodesOfKind} from '../../graph/graph.js'
import type {HostNode} from '../../graph/types.js'

/** Directories of a live system whose files are not deployed content. */
const SKIPPED = new Set(['proc', 'sys', 'dev', 'run', 'tmp'])

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * Walk a host's root directory and add a `contains` edge from the host to
 * every blob of the graph whose content a host file has. Only files whose
 * size matches some blob are hashed, so a large root costs little beyond
 * the walk. Other filesystems mounted below the root are not entered.
 */
export async function loadRootDirectory(graph: DepGraph, root: string, host: string): Promise<void> {
  const rootInfo = await lstat(root).catch(() => null)
  if (!rootInfo?.isDirectory()) throw new Error(`--host ${root}: not a directory; give the root of the host's filesystem, such as /`)

  addHost(graph, host.replace(/^host:/, ''), root)
  const sizes = new Set(nodesOfKind(graph, 'blob').map(([, blob]) => blob.content))
  const stack = [root]
  let filesRead = 0

  while (stack.length > 0) {
    const directory = stack.pop() as string
    const entries = await readdir(directory, {withFileTypes: true}).catch(() => [])
    for (const entry of entries) {
      const path = join(directory, entry.name)
      if (entry.isDirectory()) {
        const info = await lstat(path)
        if (info.dev === rootInfo.dev && !(directory === root && SKIPPED.has(entry.name))) stack.push(path)
        continue
      }

      if (!entry.isFile()) continue
      filesRead += 1
      const info = await lstat(path)
      if (!sizes.has(info.size)) continue

      const key = blobKey(await hashFile(path).catch(() => ''))
      if (graph.hasNode(key)) graph.addDirectedEdge(host, key, {kind: 'contains', path: relative(root, path), mode: info.mode, inode: `${info.dev}:${info.ino}`})
    }
  }

  const node = graph.getNodeAttributes(host) as HostNode
  node.filesRead = (node.filesRead ?? 0) + filesRead
}
