/**
 * Choose a loader from the form of a reference, so that commands working on
 * any artifact (why) take Podman and Nix references alike.
 */
import type {DepGraph} from '../graph/graph.js'
import type {LoadOptions, Loader} from './index.js'
import {loadNix} from './nix/index.js'

const PODMAN_TRANSPORTS = /^(docker-archive|oci-archive|oci|dir):/

export type PlatformChoice = 'nix' | 'podman' | 'auto'

/** Load `ref` with the Podman loader when it names a containers transport, else with the Nix loader. */
export async function loadAny(graph: DepGraph, ref: string, platform: PlatformChoice, options: LoadOptions = {}): Promise<string[]> {
  const podman = platform === 'podman' || (platform === 'auto' && PODMAN_TRANSPORTS.test(ref))
  if (!podman) return loadNix(graph, ref, options)

  // The Podman source lives in its own module; it is loaded only when a Podman reference is given.
  const module = './podman/index.js'
  const {loadPodman} = (await import(module)) as {loadPodman: Loader}
  return loadPodman(graph, ref, options)
}
