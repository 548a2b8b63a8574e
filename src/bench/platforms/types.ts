import type {Suite, Target} from '../types.js'

/** A service that depgraph started for a benchmark and stops afterwards. */
export interface RunningService {
  target: Target
  /** Description of the service for the records: image ID, binary path and version, or disk image. */
  description: string
  stop(): Promise<void>
}

export interface PlatformOptions {
  suite: Suite
  /** podman: image name; the engine socket comes from `engine`. */
  image?: string
  engine?: string
  /** process: server binary. */
  exec?: string
  /** qemu: OSv disk image, qemu binary and the port the service listens on in the guest. */
  disk?: string
  qemu?: string
  guestPort?: number
  /** Seconds to wait for the service to accept connections. */
  startTimeout: number
}
