// Write oclif.manifest.json from the compiled commands, so that oclif reads
// command metadata from one file instead of importing every command (and
// their d3, jsdom and sqlite dependencies) on each start.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {Config} from '@oclif/core'

const root = join(import.meta.dirname, '..')
const config = await Config.load(root)
const commands = Object.fromEntries(
  config.commands.map((command) => {
    const {load: _load, ...cached} = command
    return [command.id, cached]
  }),
)

writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify({commands, version: config.version}, null, 2)}\n`)
