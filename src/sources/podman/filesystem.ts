import {posix} from 'node:path'

import {LayerError, type LayerScan} from './layer.js'

/** Origin of an entry of the merged filesystem: its layer index and entry index. */
interface Origin {
  layer: number
  entry: number
}

/** The final filesystem of an image, as positions into its layers' entries. */
export interface MergedFilesystem {
  /** visible[layer][entry] is true when that entry is what the final filesystem shows at its path. */
  visible: boolean[][]
  /** inode[layer][entry] names the inode a file or hard link entry writes, unique within its layer. */
  inode: Array<Array<string | undefined>>
  /** The visible entry at each path. */
  paths: Map<string, Origin>
}

function isBelow(path: string, directory: string): boolean {
  return directory === '' || path.startsWith(`${directory}/`)
}

function removeBelow(tree: Map<string, Origin>, directory: string): void {
  for (const path of tree.keys()) {
    if (isBelow(path, directory)) tree.delete(path)
  }
}

/**
 * Apply one layer's whiteouts to the filesystem below it. The OCI image
 * spec has whiteouts act on lower layers only, so they run before the
 * layer's own entries are added.
 */
function applyWhiteouts(tree: Map<string, Origin>, layer: LayerScan, name: string): void {
  for (const entry of layer.entries) {
    const directory = posix.dirname(entry.path) === '.' ? '' : posix.dirname(entry.path)
    if (entry.type === 'opaque') {
      removeBelow(tree, directory)
      continue
    }

    if (entry.type !== 'whiteout') continue
    const target = posix.join(directory, posix.basename(entry.path).slice('.wh.'.length))
    if (!tree.has(target)) {
      throw new LayerError(`${name}: whiteout "${entry.path}" hides "${target}", which no lower layer has; the layer does not belong on this chain`)
    }

    tree.delete(target)
    removeBelow(tree, target)
  }
}

function addEntries(tree: Map<string, Origin>, layers: LayerScan[], index: number, inodes: Array<string | undefined>): void {
  const layer = layers[index]
  const local = new Map<string, string>()

  for (const [position, entry] of layer.entries.entries()) {
    if (entry.type === 'whiteout' || entry.type === 'opaque') continue

    const previous = tree.get(entry.path)
    if (previous && entry.type !== 'directory' && layers[previous.layer].entries[previous.entry].type === 'directory') {
      removeBelow(tree, entry.path)
    }

    tree.set(entry.path, {layer: index, entry: position})
    if (entry.type === 'file') {
      inodes[position] = entry.path
      local.set(entry.path, entry.path)
    } else if (entry.type === 'hardlink') {
      // NOTE: a hard link to a file of a lower layer gets an inode of its own
      // here, so its content counts again. No fixture has such a link.
      inodes[position] = local.get(entry.linkname ?? '') ?? entry.path
      local.set(entry.path, inodes[position] as string)
    }
  }
}

/** Merge an image's layers, bottom first, into its final filesystem. */
export function mergeLayers(layers: LayerScan[], names: string[]): MergedFilesystem {
  const tree = new Map<string, Origin>()
  const inode = layers.map((layer) => Array.from<string | undefined>({length: layer.entries.length}))

  for (const [index, layer] of layers.entries()) {
    applyWhiteouts(tree, layer, names[index])
    addEntries(tree, layers, index, inode[index])
  }

  const visible = layers.map((layer) => layer.entries.map(() => false))
  for (const origin of tree.values()) visible[origin.layer][origin.entry] = true
  return {visible, inode, paths: tree}
}
