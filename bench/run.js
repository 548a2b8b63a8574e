// Run every benchmark script of bench/ in turn; each prints its own table.
import {execFileSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import {join} from 'node:path'

const scripts = readdirSync(import.meta.dirname).filter((name) => name.endsWith('.mjs')).sort()
for (const script of scripts) {
  console.log(`\n## ${script.replace(/\.mjs$/, '')}\n`)
  execFileSync(process.execPath, [join(import.meta.dirname, script)], {stdio: 'inherit'})
}
