import {Args} from '@oclif/core'
import path from 'node:path'

import {writeReport, type BenchReport} from '../../src/bench/report.js'
import {DepgraphCommand} from '../../src/cli/command.js'

export default class BenchmarkReport extends DepgraphCommand {
  static summary = 'Summarize a benchmark results folder into report.md and SVG plots.'

  static description = `Computes the mean ± standard deviation, minimum and maximum over the iterations of each point, finds each platform's fastest parameters, and writes DIR/report.md and an SVG plot: nginx throughput against clients, Redis requests per second by operation, or MySQL transactions per second against threads.`

  static examples = ['<%= config.bin %> benchmark report results/nginx', '<%= config.bin %> benchmark report results/redis --json']

  static enableJsonFlag = true

  static args = {
    dir: Args.string({description: 'Results folder written by depgraph benchmark run', required: true}),
  }

  async run(): Promise<BenchReport & {files: string[]}> {
    const {args} = await this.parse(BenchmarkReport)
    const dir = path.resolve(args.dir)

    let report: BenchReport & {files: string[]}
    try {
      report = await writeReport(dir)
    } catch (error) {
      this.error((error as Error).message)
    }

    for (const row of report.fastest) {
      const operation = row.operation === null ? '' : ` ${row.operation}`
      const {mean, stddev, n} = row.requestsPerSecond
      this.log(`${row.platform}${operation}: ${mean.toFixed(1)} ± ${stddev.toFixed(1)} requests/s (n = ${n}) at threads ${row.parameters.threads}, clients ${row.parameters.clients ?? '-'}, requests ${row.parameters.requests ?? '-'}`)
    }

    this.log(`Wrote ${report.files.map((file) => path.join(dir, file)).join(', ')}`)
    return report
  }
}
