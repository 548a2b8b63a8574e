import type {PlatformOptions, RunningService} from './types.js'

// TODO: start the service.
export async function startProcess(_options: PlatformOptions): Promise<RunningService> {
  throw new Error('The process platform is not implemented yet; start the service yourself and pass --target')
}
