#!/usr/bin/env node
// oclif wraps errors to the terminal width; when stderr is not a terminal
// an error stays on one line, so scripts can read it.
if (!process.stderr.isTTY && process.env.OCLIF_COLUMNS === undefined) process.env.OCLIF_COLUMNS = '100000'

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
