import {Args, Flags} from '@oclif/core'
import path from 'node:path'

import {parseCounts, QUICK_GRIDS, STUDY_GRIDS, type GridSpec} from '../../src/bench/grid.js'
import {readMachine} from '../../src/bench/machine.js'
import {PLATFORMS, startPlatform, type PlatformName} from '../../src/bench/platforms/index.js'
import type {RunningService} from '../../src/bench/platforms/types.js'
import {stopRunningTools} from '../../src/bench/exec.js'
import {progressLine} from '../../src/bench/progress.js'
import {runSuite, type RunSummary} from '../../src/bench/runner.js'
import {parseTarget} from '../../src/bench/target.js'
import {toolByName} from '../../src/bench/tools/index.js'
import {detectTool, which, type Tool} from '../../src/bench/tools/tool.js'
import {SUITES, type Suite, type Target} from '../../src/bench/types.js'
import {DepgraphCommand} from '../../src/cli/command.js'

export default class BenchmarkRun extends DepgraphCommand {
  static summary = 'Run the throughput suite against nginx, redis or mysql.'

  static description = `Runs every combination of threads, clients and requests (four iterations each by default, as in the study's grid) with the suite's load tool, and appends one JSON line per run to DIR/runs.jsonl, with the raw tool output under DIR/raw/. DIR/machine.json records the hardware and the network settings. Aim it at a running service with --target (loopback only unless --allow-remote), or let depgraph start one with --platform.`

  static examples = [
    '<%= config.bin %> benchmark run nginx --target http://127.0.0.1:8080/ --label nix --out results/nginx',
    '<%= config.bin %> benchmark run redis --platform process --exec /usr/bin/redis-server --quick --out results/redis',
    '<%= config.bin %> benchmark run nginx --platform podman --image localhost/depgraph/nginx:latest --engine unix:///run/podman/podman.sock --out results/nginx',
    '<%= config.bin %> benchmark run mysql --target 127.0.0.1:3306 --mysql-user sbtest --mysql-password secret --threads 1,2,4 --out results/mysql',
  ]

  static enableJsonFlag = true

  static args = {
    suite: Args.string({description: 'Suite to run', options: [...SUITES], required: true}),
  }

  static flags = {
    out: Flags.string({description: 'Results folder (created if missing)', required: true}),
    target: Flags.string({description: 'Running service: a URL (http://127.0.0.1:8080/) or host:port', exclusive: ['platform']}),
    platform: Flags.string({description: 'Start the service: from a Podman image, a server binary, or an OSv disk image in QEMU', options: [...PLATFORMS]}),
    label: Flags.string({description: 'Platform name recorded with each run (default: the --platform value, or "target")'}),
    image: Flags.string({description: 'podman: image to start'}),
    engine: Flags.string({description: 'podman: engine API socket, such as unix:///run/podman/podman.sock (default: CONTAINER_HOST, DOCKER_HOST, then the default socket)'}),
    exec: Flags.string({description: 'process: server binary (nginx, redis-server or mariadbd/mysqld), from Debian or a Nix closure'}),
    disk: Flags.string({description: 'qemu: OSv disk image'}),
    qemu: Flags.string({description: 'qemu: emulator binary', default: 'qemu-system-x86_64'}),
    'guest-port': Flags.integer({description: 'qemu: port the service listens on inside the guest (default: 80, 6379 or 3306)'}),
    'allow-remote': Flags.boolean({description: 'Allow a --target outside loopback (a benchmark floods its target)', default: false}),
    tool: Flags.string({description: 'Load tool: weighttp, wrk, ab or h2load for nginx (default: weighttp if installed, else wrk); redis-benchmark; sysbench'}),
    'tool-path': Flags.string({description: 'Path of the tool binary (default: looked up on PATH)'}),
    threads: Flags.string({description: 'Thread counts, comma-separated'}),
    clients: Flags.string({description: 'Client (connection) counts, comma-separated; not used by sysbench'}),
    requests: Flags.string({description: 'Request counts, comma-separated (sysbench: events)'}),
    iterations: Flags.integer({description: 'Runs of each point', min: 1}),
    duration: Flags.integer({description: 'Seconds each wrk run lasts (wrk sends for a time, not a request count)', min: 1}),
    quick: Flags.boolean({description: 'Run a small grid as a smoke test', default: false}),
    resume: Flags.boolean({description: 'Skip the points already recorded in runs.jsonl (failed runs are retried)', default: false}),
    timeout: Flags.integer({description: 'Seconds one run may take before it is stopped', default: 3600, min: 1}),
    'start-timeout': Flags.integer({description: 'Seconds to wait for a started service to accept connections', default: 60, min: 1}),
    'redis-tests': Flags.string({description: 'redis-benchmark tests (its -t list), comma-separated; default: its own list'}),
    'mysql-user': Flags.string({description: 'sysbench: MySQL user', default: 'root'}),
    'mysql-password': Flags.string({description: 'sysbench: MySQL password', default: ''}),
    'mysql-db': Flags.string({description: 'sysbench: database (must exist)', default: 'sbtest'}),
    'table-size': Flags.integer({description: 'sysbench: rows in the test table', default: 10_000, min: 1}),
  }

  async run(): Promise<RunSummary & {platform: string; tool: string; toolVersion: string; warnings: string[]}> {
    const {args, flags} = await this.parse(BenchmarkRun)
    const suite = args.suite as Suite
    const grid = this.grid(suite, flags)
    const tool = await this.chooseTool(suite, flags.tool)
    const version = await detectTool(tool, flags['tool-path']).catch((error: Error) => this.error(error.message))

    const service = await this.startService(suite, flags)
    const platform = flags.label ?? flags.platform ?? 'target'
    const showProgress = process.stderr.isTTY === true && !this.jsonEnabled()
    // Every finished run is already in runs.jsonl, so an interrupt only has to stop the tool and the service.
    const stopOnSignal = async (): Promise<void> => {
      stopRunningTools()
      await service?.stop()
      process.exit(130)
    }
    process.once('SIGINT', stopOnSignal)
    process.once('SIGTERM', stopOnSignal)

    let summary: RunSummary
    try {
      summary = await runSuite({
        suite, platform, tool, version, grid, service: service?.description,
        target: service?.target ?? this.target(suite, flags),
        options: {
          redisTests: flags['redis-tests'] ? flags['redis-tests'].split(',').map((test) => test.trim()) : [],
          mysqlUser: flags['mysql-user'], mysqlPassword: flags['mysql-password'], mysqlDatabase: flags['mysql-db'], tableSize: flags['table-size'],
        },
        out: path.resolve(flags.out), resume: flags.resume, timeoutSeconds: flags.timeout,
        onProgress: showProgress ? (progress) => process.stderr.write(`\r\u001B[K${progressLine(progress)}`) : undefined,
      })
    } catch (error) {
      this.error((error as Error).message)
    } finally {
      if (showProgress) process.stderr.write('\n')
      process.off('SIGINT', stopOnSignal)
      process.off('SIGTERM', stopOnSignal)
      await service?.stop()
    }

    const warnings = (await readMachine()).settings.filter((setting) => setting.warning !== null).map((setting) => `${setting.name}: ${setting.warning}`)
    for (const warning of warnings) this.warn(warning)
    this.log(`${summary.ran} runs, ${summary.skipped} points skipped, ${summary.resumed} already done; results in ${path.join(summary.out, 'runs.jsonl')}`)
    return {...summary, platform, tool: tool.name, toolVersion: version.version, warnings}
  }

  private grid(suite: Suite, flags: {threads?: string; clients?: string; requests?: string; iterations?: number; duration?: number; quick: boolean}): GridSpec {
    const base = flags.quick ? QUICK_GRIDS[suite] : STUDY_GRIDS[suite]
    try {
      return {
        threads: flags.threads ? parseCounts('--threads', flags.threads) : base.threads,
        clients: this.clients(suite, flags.clients, base),
        requests: flags.requests ? parseCounts('--requests', flags.requests) : base.requests,
        iterations: flags.iterations ?? base.iterations,
        duration: flags.duration ?? base.duration,
      }
    } catch (error) {
      this.error((error as Error).message)
    }
  }

  private clients(suite: Suite, value: string | undefined, base: GridSpec): number[] | null {
    if (suite === 'mysql') return null
    if (value === undefined) return base.clients
    return parseCounts('--clients', value)
  }

  private async chooseTool(suite: Suite, name: string | undefined): Promise<Tool> {
    const fallback = {nginx: 'wrk', redis: 'redis-benchmark', mysql: 'sysbench'}[suite]
    let chosen = name ?? fallback
    if (name === undefined && suite === 'nginx' && (await which('weighttp')) !== null) chosen = 'weighttp'

    try {
      return toolByName(chosen, suite)
    } catch (error) {
      this.error((error as Error).message)
    }
  }

  private target(suite: Suite, flags: {target?: string; 'allow-remote': boolean}): Target {
    if (flags.target === undefined) this.error('Give --target for a running service, or --platform to start one')
    try {
      return parseTarget(flags.target, suite, flags['allow-remote'])
    } catch (error) {
      this.error((error as Error).message)
    }
  }

  private async startService(suite: Suite, flags: {platform?: string; image?: string; engine?: string; exec?: string; disk?: string; qemu: string; 'guest-port'?: number; 'start-timeout': number}): Promise<RunningService | null> {
    if (flags.platform === undefined) return null
    try {
      return await startPlatform(flags.platform as PlatformName, {
        suite, image: flags.image, engine: flags.engine, exec: flags.exec, disk: flags.disk, qemu: flags.qemu,
        guestPort: flags['guest-port'], startTimeout: flags['start-timeout'],
      })
    } catch (error) {
      this.error((error as Error).message)
    }
  }
}
