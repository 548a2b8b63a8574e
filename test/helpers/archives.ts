import {createHash} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import {gzipSync} from 'node:zlib'

import {pack as createPack} from 'tar-stream'

export interface TarItem {
  name: string
  content?: string | Buffer
  type?: 'file' | 'directory' | 'symlink' | 'link'
  linkname?: string
}

/** Build a tar archive in memory from a list of entries. */
export async function makeTar(items: TarItem[]): Promise<Buffer> {
  const pack = createPack()
  const chunks: Buffer[] = []
  pack.on('data', (chunk: Buffer) => chunks.push(chunk))
  const done = new Promise((resolve) => pack.on('end', resolve))

  for (const item of items) {
    const content = typeof item.content === 'string' ? Buffer.from(item.content) : item.content
    const type = item.type ?? 'file'
    pack.entry({name: item.name, type, linkname: item.linkname, size: type === 'file' ? content?.length ?? 0 : 0, mode: type === 'directory' ? 0o755 : 0o644}, type === 'file' ? content ?? Buffer.alloc(0) : undefined)
  }

  pack.finalize()
  await done
  return Buffer.concat(chunks)
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex')

export interface ImageSpec {
  layers: TarItem[][]
  compress?: 'gzip'
  /** Replace a layer's blob after its digests were computed, to model corruption. */
  corruptLayer?: (index: number, blob: Buffer) => Buffer
  manifest?: unknown
  diffIds?: string[]
}

/** Write a small docker-archive (Podman's <digest>.tar layout) and return its path. */
export async function writeDockerArchive(path: string, spec: ImageSpec): Promise<string> {
  const tars = await Promise.all(spec.layers.map((items) => makeTar(items)))
  const diffIds = spec.diffIds ?? tars.map((tar) => `sha256:${sha256(tar)}`)
  const config = JSON.stringify({architecture: 'amd64', os: 'linux', rootfs: {type: 'layers', diff_ids: diffIds}, history: tars.map((_tar, index) => ({created_by: `step ${index}`}))})
  const configName = `${sha256(config)}.json`
  const blobs = tars.map((tar, index) => {
    const blob = spec.compress === 'gzip' ? gzipSync(tar) : tar
    return spec.corruptLayer ? spec.corruptLayer(index, blob) : blob
  })
  const layerNames = tars.map((tar) => `${sha256(tar)}.tar`)
  const manifest = spec.manifest ?? [{Config: configName, RepoTags: ['localhost/test:latest'], Layers: layerNames}]

  const outer = await makeTar([
    ...blobs.map((blob, index) => ({name: layerNames[index], content: blob})),
    {name: configName, content: config},
    {name: 'manifest.json', content: JSON.stringify(manifest)},
  ])
  writeFileSync(path, outer)
  return path
}
