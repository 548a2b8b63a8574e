import {spawn} from 'node:child_process'
import {access, constants, mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

import {lastLine} from '../exec.js'
import {freePort, loopbackTarget} from '../target.js'
import {which} from '../tools/tool.js'
import type {Suite} from '../types.js'
import {waitForService} from './ready.js'
import type {PlatformOptions, RunningService} from './types.js'

/** Ports the OSv nginx, redis and mysql images listen on by default. */
const GUEST_PORTS: Record<Suite, number> = {nginx: 80, redis: 6379, mysql: 3306}

// NOTE: a fixed guest size; OSv's MySQL image may need more memory than this.
const GUEST_MEMORY = '2G'

export interface QemuPlan {
  disk: string
  hostPort: number
  guestPort: number
  console: string
  kvm: boolean
}

/**
 * Returns the QEMU arguments: one virtio disk in snapshot mode (the image is
 * never written), user-mode networking that forwards 127.0.0.1:hostPort to
 * the guest port, no display, and the serial console in a file.
 */
export function qemuArgs(plan: QemuPlan): string[] {
  return [
    '-m', GUEST_MEMORY, '-smp', '1',
    ...(plan.kvm ? ['-accel', 'kvm', '-cpu', 'host'] : ['-accel', 'tcg']),
    '-display', 'none', '-monitor', 'none', '-serial', `file:${plan.console}`,
    '-drive', `file=${plan.disk},if=virtio,snapshot=on`,
    '-netdev', `user,id=net0,hostfwd=tcp:127.0.0.1:${plan.hostPort}-:${plan.guestPort}`,
    '-device', 'virtio-net-pci,netdev=net0',
  ]
}

async function kvmUsable(): Promise<boolean> {
  try {
    await access('/dev/kvm', constants.R_OK | constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Boots an OSv disk image in QEMU with the service forwarded to a loopback
 * port, and waits until the server in the guest replies. The image's own
 * command line decides which server runs.
 */
export async function startQemu(options: PlatformOptions): Promise<RunningService> {
  if (options.disk === undefined) throw new Error('The qemu platform needs --disk PATH (an OSv qcow2 or raw image)')
  await stat(options.disk).catch(() => {
    throw new Error(`Disk image ${options.disk} not found`)
  })

  const qemu = await which(options.qemu ?? 'qemu-system-x86_64')
  if (qemu === null) throw new Error(`${options.qemu ?? 'qemu-system-x86_64'} not found: install the Debian package qemu-system-x86`)

  const dir = await mkdtemp(path.join(os.tmpdir(), 'depgraph-bench-qemu-'))
  const plan: QemuPlan = {disk: path.resolve(options.disk), hostPort: await freePort(), guestPort: options.guestPort ?? GUEST_PORTS[options.suite], console: path.join(dir, 'console.log'), kvm: await kvmUsable()}
  const child = spawn(qemu, qemuArgs(plan), {stdio: ['ignore', 'ignore', 'pipe']})
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)))
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    await rm(dir, {recursive: true, force: true})
  }

  const target = loopbackTarget(plan.hostPort)
  try {
    await waitForService(target, options.suite, options.startTimeout * 1000, () => child.exitCode === null && child.signalCode === null)
  } catch (error) {
    const consoleText = await readFile(plan.console, 'utf8').catch(() => '')
    const line = lastLine(stderr) || lastLine(consoleText)
    await stop()
    throw new Error(`OSv image ${options.disk} did not start its ${options.suite} server: ${(error as Error).message}${line === '' ? '' : `; last output: "${line}"`}`)
  }

  return {target, description: `OSv image ${plan.disk} in ${qemu}${plan.kvm ? ' (KVM)' : ' (TCG)'}`, stop}
}
