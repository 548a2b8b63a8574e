/**
 * Nix's store database (db.sqlite), opened read-only: ValidPaths holds each
 * path's narHash, narSize and deriver, Refs the references between them.
 */
import {existsSync} from 'node:fs'

import Database from 'better-sqlite3'

import type {PathInfo} from './closure.js'

interface PathRow {
  id: number
  path: string
  hash: string
  narSize: number | null
  deriver: string | null
}

export class StoreDatabase {
  private readonly db: Database.Database

  constructor(readonly file: string) {
    if (!existsSync(file)) {
      throw new Error(`${file}: Nix database not found: give the db.sqlite of a Nix store (usually /nix/var/nix/db/db.sqlite)`)
    }

    try {
      this.db = new Database(file, {readonly: true, fileMustExist: true})
      this.db.prepare('SELECT id, path, hash, narSize, deriver FROM ValidPaths LIMIT 1').get()
      this.db.prepare('SELECT referrer, reference FROM Refs LIMIT 1').get()
    } catch (error) {
      throw new Error(`${file}: not a Nix database (${(error as Error).message}): give the db.sqlite of a Nix store`)
    }
  }

  close(): void {
    this.db.close()
  }

  /** Return every valid path of the store. */
  all(): PathInfo[] {
    const rows = this.db.prepare('SELECT id, path, hash, narSize, deriver FROM ValidPaths').all() as PathRow[]
    return this.withReferences(rows)
  }

  /** Return the closure of `roots`: every path they reference, directly or not. */
  closure(roots: string[]): PathInfo[] {
    const lookup = this.db.prepare('SELECT id, path, hash, narSize, deriver FROM ValidPaths WHERE path = ?')
    const references = this.db.prepare('SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = ?')
    const rows = new Map<string, PathRow>()
    const queue = [...roots]

    while (queue.length > 0) {
      const path = queue.pop() as string
      if (rows.has(path)) continue
      const row = lookup.get(path) as PathRow | undefined
      if (row === undefined) throw new Error(`${this.file}: store path ${path} is not valid in this database: build or copy it first`)
      rows.set(path, row)
      for (const {path: reference} of references.all(row.id) as Array<{path: string}>) queue.push(reference)
    }

    return this.withReferences([...rows.values()])
  }

  private withReferences(rows: PathRow[]): PathInfo[] {
    const byId = new Map(rows.map((row) => [row.id, {row, references: [] as string[]}]))
    const edges = this.db.prepare('SELECT referrer, reference FROM Refs').iterate() as IterableIterator<{referrer: number; reference: number}>
    const paths = new Map(rows.map((row) => [row.id, row.path]))
    for (const {referrer, reference} of edges) {
      const entry = byId.get(referrer)
      const target = paths.get(reference)
      if (entry && target !== undefined) entry.references.push(target)
    }

    return [...byId.values()].map(({row, references}) => {
      if (row.narSize === null) throw new Error(`${this.file}: store path ${row.path} has no narSize: the database is from a Nix older than 1.8`)
      return {path: row.path, narSize: row.narSize, narHash: row.hash, references, deriver: row.deriver}
    })
  }
}
