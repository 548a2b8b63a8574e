import type {Readable} from 'node:stream'

import type Docker from 'dockerode'

import {LayerError} from './layer.js'
import {type ImageRecord, readImages} from './layouts.js'
import {readTarStore} from './store.js'

/** Podman's API socket when it runs as root and no address is given. */
export const DEFAULT_ENGINE = 'unix:///run/podman/podman.sock'

/** Pick the engine address: the flag, else CONTAINER_HOST, else DOCKER_HOST, else Podman's root socket. */
export function engineAddress(flag?: string): string {
  return flag ?? process.env.CONTAINER_HOST ?? process.env.DOCKER_HOST ?? DEFAULT_ENGINE
}

/**
 * Connect to a Docker-compatible engine API at `unix:///path` or
 * `tcp://host:port`. dockerode loads here, so reading archives never pays for it.
 */
export async function connectEngine(address: string): Promise<Docker> {
  const {default: Dockerode} = await import('dockerode')
  if (address.startsWith('unix://')) return new Dockerode({socketPath: address.slice('unix://'.length)})

  const match = /^(tcp|http):\/\/([^/:]+|\[[^\]]+\]):(\d+)\/?$/.exec(address)
  if (match) return new Dockerode({host: match[2].replace(/^\[|\]$/g, ''), port: Number(match[3]), protocol: 'http'})
  throw new LayerError(`engine address "${address}" is not supported; give unix:///path/to/podman.sock or tcp://host:port`)
}

/** Rewrite a failed engine call as a one-line error with the command that starts the engine. */
export function engineError(error: unknown, address: string, action: string): LayerError {
  const code = (error as {code?: string}).code
  const status = (error as {statusCode?: number}).statusCode
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES') {
    return new LayerError(`${action}: cannot reach the engine at ${address} (${code}); start it with "podman system service --time=0 ${address}" or give --engine`, {cause: error})
  }

  if (status === 404) return new LayerError(`${action}: not found in the engine at ${address}; list images with "podman images"`, {cause: error})
  const message = (error as Error).message ?? String(error)
  return new LayerError(`${action}: the engine at ${address} failed (${message.split('\n')[0]})`, {cause: error})
}

/** Export one image by name through the engine and scan it like a docker-archive. */
export async function readEngineImage(address: string, name: string): Promise<ImageRecord> {
  const docker = await connectEngine(address)
  const label = `${address} image ${name}`
  try {
    const stream = await docker.getImage(name).get()
    const [image] = await readImages(await readTarStore(stream as unknown as Readable, label), 'docker-archive')
    return image
  } catch (error) {
    if (error instanceof LayerError) throw error
    throw engineError(error, address, label)
  }
}

/** One image of the engine's store, by its layer chain only: nothing is exported. */
export interface EngineImage {
  name: string
  id: string
  diffIds: string[]
}

/** List the engine's images with their layer chains, for base detection and host stores. */
export async function listEngineImages(address: string): Promise<EngineImage[]> {
  const docker = await connectEngine(address)
  try {
    const summaries = await docker.listImages()
    const images: EngineImage[] = []
    for (const summary of summaries) {
      const inspect = await docker.getImage(summary.Id).inspect()
      images.push({name: summary.RepoTags?.[0] ?? summary.Id, id: summary.Id, diffIds: inspect.RootFS?.Layers ?? []})
    }

    return images
  } catch (error) {
    throw engineError(error, address, 'listing images')
  }
}

/**
 * Read an image's layer sizes from the engine's history, bottom first.
 * Entries that created no layer (size 0 from a `#(nop)` step) are left out.
 */
export async function readEngineHistory(address: string, name: string): Promise<Array<{size: number; createdBy: string}>> {
  const docker = await connectEngine(address)
  try {
    const history = (await docker.getImage(name).history()) as Array<{Size: number; CreatedBy?: string}>
    return history
      .reverse()
      .filter((entry) => entry.Size > 0 || !(entry.CreatedBy ?? '').includes('#(nop)'))
      .map((entry) => ({size: entry.Size, createdBy: entry.CreatedBy ?? ''}))
  } catch (error) {
    throw engineError(error, address, `${address} image ${name}`)
  }
}
