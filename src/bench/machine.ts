import {readFile, writeFile} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

/** A network setting that the study tuned, with its value here. */
export interface Setting {
  name: string
  value: string | null
  study: string
  /** Set when the value here is less tuned than the study's: lower limits, a narrower port range, longer keepalive timers. */
  warning: string | null
}

export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryBytes: number
  kernel: string
  settings: Setting[]
}

/**
 * The kernel settings of the NixOS containerization study (its table 4.2),
 * and how a value here compares: `min` means lower is less tuned, `max`
 * means higher is less tuned.
 */
const STUDY_SETTINGS: Array<{name: string; file: string | null; study: string; compare: 'min' | 'max' | 'equal' | 'range'}> = [
  {name: 'fs.file-max', file: '/proc/sys/fs/file-max', study: '20000', compare: 'min'},
  {name: 'net.core.somaxconn', file: '/proc/sys/net/core/somaxconn', study: '1024', compare: 'min'},
  {name: 'net.ipv4.ip_local_port_range', file: '/proc/sys/net/ipv4/ip_local_port_range', study: '1024 65535', compare: 'range'},
  {name: 'net.ipv4.tcp_tw_reuse', file: '/proc/sys/net/ipv4/tcp_tw_reuse', study: '1', compare: 'equal'},
  {name: 'net.ipv4.tcp_keepalive_time', file: '/proc/sys/net/ipv4/tcp_keepalive_time', study: '60', compare: 'max'},
  {name: 'net.ipv4.tcp_keepalive_intvl', file: '/proc/sys/net/ipv4/tcp_keepalive_intvl', study: '60', compare: 'max'},
  {name: 'nofile soft', file: null, study: '20000', compare: 'min'},
  {name: 'nofile hard', file: null, study: '20000', compare: 'min'},
]

async function readSetting(file: string): Promise<string | null> {
  try {
    return (await readFile(file, 'utf8')).trim().split(/\s+/).join(' ')
  } catch {
    return null
  }
}

/** Reads the open-files limits of this process from /proc/self/limits ("unlimited" stays a word). */
async function nofileLimits(): Promise<{soft: string | null; hard: string | null}> {
  const limits = await readSetting('/proc/self/limits')
  const match = limits === null ? null : /Max open files (\S+) (\S+)/.exec(limits)
  return {soft: match?.[1] ?? null, hard: match?.[2] ?? null}
}

function compareSetting(value: string | null, study: string, compare: 'min' | 'max' | 'equal' | 'range'): string | null {
  if (value === null) return 'could not be read'
  if (value === 'unlimited') return null
  const numbers = value.split(' ').map(Number)
  const wanted = study.split(' ').map(Number)

  const lessTuned = {
    min: numbers[0] < wanted[0],
    max: numbers[0] > wanted[0],
    equal: numbers[0] !== wanted[0],
    range: numbers[0] > wanted[0] || numbers[1] < wanted[1],
  }[compare]
  return lessTuned ? `is ${value}; the study tuned it to ${study}` : null
}

/** Reads the CPU, memory, kernel and the network settings the study tuned. */
export async function readMachine(): Promise<MachineInfo> {
  const cpus = os.cpus()
  const nofile = await nofileLimits()
  const settings: Setting[] = []

  for (const entry of STUDY_SETTINGS) {
    let value: string | null
    if (entry.file !== null) value = await readSetting(entry.file)
    else value = entry.name === 'nofile soft' ? nofile.soft : nofile.hard

    settings.push({name: entry.name, value, study: entry.study, warning: compareSetting(value, entry.study, entry.compare)})
  }

  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    kernel: `${os.type()} ${os.release()}`,
    settings,
  }
}

/** Writes machine.json into the results folder. */
export async function writeMachine(dir: string, machine: MachineInfo): Promise<void> {
  await writeFile(path.join(dir, 'machine.json'), `${JSON.stringify(machine, null, 2)}\n`)
}
