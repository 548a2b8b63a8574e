import type {PlatformOptions, RunningService} from './types.js'

export const PLATFORMS = ['podman', 'process', 'qemu'] as const
export type PlatformName = (typeof PLATFORMS)[number]

/** Starts the service on a loopback port with the given platform. */
export async function startPlatform(name: PlatformName, options: PlatformOptions): Promise<RunningService> {
  switch (name) {
    case 'podman': {
      const {startPodman} = await import('./podman.js')
      return startPodman(options)
    }

    case 'process': {
      const {startProcess} = await import('./process.js')
      return startProcess(options)
    }

    case 'qemu': {
      const {startQemu} = await import('./qemu.js')
      return startQemu(options)
    }
  }
}
