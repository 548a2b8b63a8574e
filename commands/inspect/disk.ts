import {Args, Flags} from '@oclif/core'

import {renderDiskReport} from '../../src/render/disk.js'
import {type DiskReport, inspectDisk} from '../../src/sources/osv/index.js'
import {DepgraphCommand} from '../../src/cli/command.js'

export default class InspectDisk extends DepgraphCommand {
  static summary = 'Show the sizes, partitions and files of a qcow2 or raw disk image.'

  static description = `Reads the image without QEMU and without mounting it. Reports the virtual size, the guest bytes the image holds data for (as qemu-img map counts them), the bytes the image file occupies (qemu-img info's disk size), the backing chain, the MBR partitions, and the files of an OSv ROFS filesystem with their content size. A ZFS partition is detected and reported by size only.`

  static examples = ['<%= config.bin %> inspect disk nginx.qcow2', '<%= config.bin %> inspect disk redis.qcow2 --json', '<%= config.bin %> inspect disk disk.img --units iec --top 20']

  static args = {
    path: Args.string({required: true, description: 'qcow2 or raw disk image'}),
  }

  static flags = {
    units: Flags.string({options: ['si', 'iec'], default: 'si', description: 'units of the text output: si (kB, MB) or iec (KiB, MiB)'}),
    top: Flags.integer({default: 10, min: 0, description: 'number of largest files listed in the text output'}),
  }

  static enableJsonFlag = true

  async run(): Promise<DiskReport> {
    const {args, flags} = await this.parse(InspectDisk)
    let report: DiskReport
    try {
      report = await inspectDisk(args.path)
    } catch (error) {
      this.error((error as Error).message, {exit: 1})
    }

    this.log(renderDiskReport(report, {units: flags.units as 'si' | 'iec', top: flags.top}))
    return report
  }
}
