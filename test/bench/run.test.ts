import {spawn} from 'node:child_process'
import {existsSync} from 'node:fs'
import {chmod, readFile, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {RunRecord} from '../../src/bench/results.js'
import {depgraph, records, root, tempDir} from './cli.js'
import {startMariadb, startNginx, startRedis, startSilentServer, testPort, type TestServer} from './servers.js'

function expectConsistent(record: RunRecord): void {
  expect(record.status).toBe('ok')
  for (const figures of record.figures) {
    expect(figures.requestsPerSecond).toBeGreaterThan(0)
    expect(figures.errors).toBe(0)
    if (record.parameters.requests !== null && figures.completed !== null) {
      expect(figures.completed).toBe(record.parameters.requests)
    }
  }
}

describe('benchmark run against nginx', () => {
  let nginx: TestServer

  beforeAll(async () => {
    nginx = await startNginx()
  })

  afterAll(async () => {
    await nginx?.stop()
  })

  it('runs wrk for a fixed time', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'wrk', '--target', `127.0.0.1:${nginx.port}`, '--threads', '1,2', '--clients', '1,4', '--duration', '1', '--iterations', '2', '--out', out, '--json'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ran: 6, skipped: 1, resumed: 0, tool: 'wrk', platform: 'target'})

    const runs = await records(out)
    const ok = runs.filter((record) => record.status === 'ok')
    expect(ok).toHaveLength(6)
    for (const record of ok) {
      expectConsistent(record)
      expect(record.figures[0].completed).toBeGreaterThan(0)
      expect(record.figures[0].durationSeconds).toBeGreaterThanOrEqual(1)
      expect(record.figures[0].latencyMeanMs).toBeGreaterThan(0)
      expect((await stat(path.join(out, record.raw as string))).size).toBeGreaterThan(0)
    }

    const skipped = runs.filter((record) => record.status === 'skipped')
    expect(skipped).toHaveLength(1)
    expect(skipped[0].reason).toBe('wrk needs connections >= threads (threads 2, clients 1)')
    expect(runs[0].toolVersion).toMatch(/4\.1/)
  })

  it('runs ab with completed = requested', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--target', `http://127.0.0.1:${nginx.port}/`, '--threads', '1,2', '--clients', '2,4', '--requests', '100', '--iterations', '2', '--out', out])
    expect(result.code).toBe(0)
    const runs = await records(out)
    expect(runs.filter((record) => record.status === 'ok')).toHaveLength(4)
    for (const record of runs.filter((run) => run.status === 'ok')) expectConsistent(record)
    expect(runs.filter((record) => record.status === 'skipped').map((record) => record.reason)).toEqual(['ab is single-threaded (threads 2)', 'ab is single-threaded (threads 2)'])
  })

  it('runs h2load with completed = requested', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'h2load', '--target', `http://127.0.0.1:${nginx.port}/`, '--threads', '1,2', '--clients', '2,4', '--requests', '200', '--iterations', '1', '--out', out, '--json'])
    expect(result.code).toBe(0)
    const runs = await records(out)
    expect(runs.filter((record) => record.status === 'ok')).toHaveLength(4)
    for (const record of runs) expectConsistent(record)
    expect(runs[0].figures[0].completed).toBe(200)
  })

  it('writes machine.json with the tuned settings', async () => {
    const out = await tempDir()
    await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--target', `127.0.0.1:${nginx.port}`, '--threads', '1', '--clients', '1', '--requests', '10', '--iterations', '1', '--out', out])
    const machine = JSON.parse(await readFile(path.join(out, 'machine.json'), 'utf8'))
    expect(machine.cores).toBeGreaterThan(0)
    expect(machine.settings).toHaveLength(8)
    expect(machine.settings[0]).toMatchObject({name: 'fs.file-max', study: '20000'})
  })

  it('resumes after the finished points', async () => {
    const out = await tempDir()
    const common = ['benchmark', 'run', 'nginx', '--tool', 'ab', '--target', `127.0.0.1:${nginx.port}`, '--threads', '1', '--requests', '50', '--iterations', '1', '--out', out, '--json']
    expect((await depgraph([...common, '--clients', '2,4'])).code).toBe(0)

    const again = await depgraph([...common, '--clients', '2,4,8'])
    expect(again.code).not.toBe(0)
    expect(again.error).toMatch(/already has target runs with ab; pass --resume/)

    const resumed = await depgraph([...common, '--clients', '2,4,8', '--resume'])
    expect(resumed.code).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ran: 1, resumed: 2})
    const runs = await records(out)
    expect(runs.map((record) => record.parameters.clients)).toEqual([2, 4, 8])
  })

  it('keeps finished runs when the output cannot be parsed', async () => {
    const out = await tempDir()
    const fake = path.join(out, 'ab-garbled')
    const recorded = path.join(root, 'test/fixtures/bench/ab-2.3.txt')
    // Prints the recorded ab output for 2 clients and a broken line otherwise.
    await writeFile(fake, `#!/bin/sh\ncase "$*" in\n  -V) echo "This is ApacheBench, Version 2.3";;\n  *"-c 2 "*) cat ${recorded};;\n  *) echo "Benchmarking garbled"; echo "Requests per sec0nd: ???";;\nesac\n`)
    await chmod(fake, 0o755)

    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--tool-path', fake, '--target', `127.0.0.1:${nginx.port}`, '--threads', '1', '--clients', '2,4', '--requests', '200', '--iterations', '1', '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/Cannot parse ab output: "Complete requests:" not found \(last line 2: "Requests per sec0nd: \?\?\?"\)/)
    expect(result.error).toMatch(/clients 4/)
    const runs = await records(out)
    expect(runs.map((record) => record.status)).toEqual(['ok', 'failed'])
  })

  it('reports a tool that crashes', async () => {
    const out = await tempDir()
    const fake = path.join(out, 'ab-crash')
    await writeFile(fake, '#!/bin/sh\n[ "$1" = -V ] && { echo "Version 2.3"; exit 0; }\necho "Benchmarking"\nkill -SEGV $$\n')
    await chmod(fake, 0o755)
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--tool-path', fake, '--target', `127.0.0.1:${nginx.port}`, '--threads', '1', '--clients', '2', '--requests', '20', '--iterations', '1', '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/ab-crash crashed \(SIGSEGV\); last output: "Benchmarking"/)
  })
})

describe('benchmark run against redis', () => {
  let redis: TestServer

  beforeAll(async () => {
    redis = await startRedis()
  })

  afterAll(async () => {
    await redis?.stop()
  })

  it('runs redis-benchmark per operation', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'redis', '--target', `127.0.0.1:${redis.port}`, '--threads', '1,2', '--clients', '4', '--requests', '500', '--iterations', '2', '--redis-tests', 'set,get,lpush', '--out', out])
    expect(result.code).toBe(0)
    const runs = await records(out)
    expect(runs).toHaveLength(4)
    for (const record of runs) {
      expectConsistent(record)
      expect(record.figures.map((figures) => figures.operation)).toEqual(['SET', 'GET', 'LPUSH'])
      expect(record.figures[0].latencyP95Ms).toBeGreaterThan(0)
    }

    expect(runs[0].toolVersion).toMatch(/^7\./)
  })

  it('rejects a folder of the nginx suite', async () => {
    const out = await tempDir()
    await writeFile(path.join(out, 'runs.jsonl'), `${JSON.stringify({suite: 'nginx', platform: 'target', figures: []})}\n`)
    const result = await depgraph(['benchmark', 'run', 'redis', '--target', `127.0.0.1:${redis.port}`, '--quick', '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/contains results of the nginx suite, not redis; choose another --out folder/)
  })
})

describe('benchmark run against mariadb', () => {
  let mariadb: TestServer

  beforeAll(async () => {
    mariadb = await startMariadb()
  })

  afterAll(async () => {
    await mariadb?.stop()
  })

  it('runs sysbench OLTP with prepare and cleanup', async () => {
    const out = await tempDir()
    const result = await depgraph(['benchmark', 'run', 'mysql', '--target', `127.0.0.1:${mariadb.port}`, '--threads', '1,2', '--requests', '50', '--iterations', '2', '--table-size', '100', '--out', out])
    expect(result.code).toBe(0)
    const runs = await records(out)
    expect(runs).toHaveLength(4)
    for (const record of runs) {
      expect(record.status).toBe('ok')
      expect(record.figures[0].requestsPerSecond).toBeGreaterThan(0)
      expect(record.figures[0].completed).toBe(50)
      // sysbench retries a transaction that hit a deadlock and counts it as an ignored error.
      expect(record.figures[0].errors).toBeLessThan(50)
      expect(record.figures[0].queriesPerSecond).toBeGreaterThan(record.figures[0].requestsPerSecond)
    }
  })
})

describe('benchmark run bad input', () => {
  it('rejects a target that refuses connections', async () => {
    const out = await tempDir()
    const port = await testPort()
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--target', `127.0.0.1:${port}`, '--quick', '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.error).toContain(`Target 127.0.0.1:${port} refused the connection; start the service or check --target`)
  })

  it('stops a run that times out', async () => {
    const silent = await startSilentServer()
    try {
      const out = await tempDir()
      const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--target', `127.0.0.1:${silent.port}`, '--threads', '1', '--clients', '1', '--requests', '1', '--iterations', '1', '--timeout', '2', '--out', out])
      expect(result.code).not.toBe(0)
      expect(result.error).toMatch(/ab timed out after 2 s and was stopped/)
      expect((await records(out)).map((record) => record.status)).toEqual(['failed'])
    } finally {
      await silent.stop()
    }
  })

  it('rejects an invalid grid', async () => {
    const result = await depgraph(['benchmark', 'run', 'redis', '--target', '127.0.0.1:1', '--threads', '4,0', '--out', await tempDir()])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/Invalid --threads "4,0": "0" is not a positive integer/)
  })

  it('rejects a target outside loopback', async () => {
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'ab', '--target', 'http://192.0.2.1/', '--out', await tempDir()])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/Target host "192.0.2.1" is not on loopback/)
  })

  it('names the package of a missing tool', async () => {
    const result = await depgraph(['benchmark', 'run', 'nginx', '--tool', 'h2load', '--tool-path', '/nonexistent/h2load', '--target', '127.0.0.1:1', '--out', await tempDir()])
    expect(result.code).not.toBe(0)
    expect(result.error).toMatch(/\/nonexistent\/h2load not found: install the Debian package nghttp2-client/)
  })
})

describe('benchmark run interrupted', () => {
  let nginx: TestServer

  beforeAll(async () => {
    nginx = await startNginx()
  })

  afterAll(async () => {
    await nginx?.stop()
  })

  it('keeps finished runs after Ctrl-C', async () => {
    const out = await tempDir()
    const args = [path.join(root, 'bin/run.js'), 'benchmark', 'run', 'nginx', '--tool', 'ab', '--target', `127.0.0.1:${nginx.port}`, '--threads', '1', '--clients', '1,2,3,4,5,6,7,8', '--requests', '3000', '--iterations', '2', '--out', out, '--json']
    const child = spawn('node', args, {cwd: root, stdio: 'ignore'})
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

    const deadline = Date.now() + 60_000
    while (!existsSync(path.join(out, 'runs.jsonl'))) {
      if (Date.now() > deadline) throw new Error('no run finished within 60 s')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    process.kill(child.pid as number, 'SIGINT')
    expect(await exited).toBe(130)
    const kept = await records(out)
    expect(kept.length).toBeGreaterThan(0)
    expect(kept.length).toBeLessThan(16)
    for (const record of kept) expect(record.status).toBe('ok')

    const resumed = await depgraph(args.slice(1).concat('--resume'))
    expect(resumed.code).toBe(0)
    expect(JSON.parse(resumed.stdout)).toMatchObject({ran: 16 - kept.length, resumed: kept.length})
    expect(await records(out)).toHaveLength(16)
  })
})
