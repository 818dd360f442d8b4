import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'

/**
 * A Durable Object's `SqlStorage` over Node's built-in SQLite (`node:sqlite`, Node 22), for the
 * simulation: the same SQLite dialect, `exec(query, ...bindings)` returning a cursor with
 * `toArray()`, `one()`, `rowsWritten`, iteration and `raw()`. Every statement commits as it runs.
 * A Durable Object commits each run of synchronous code between two awaits atomically; the
 * simulation crashes an object only at an await, where both agree on what is committed.
 */
export function sqlStorage(db: DatabaseSync = new DatabaseSync(':memory:')): SqlStorage {
  return storageOver({ db, prepared: new Map() })
}

type Database = { db: DatabaseSync; prepared: Map<string, Prepared> }

function storageOver(d: Database): SqlStorage {
  const storage = {
    exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]) {
      return cursor<T>(d.db, d.prepared, query, bindings as SQLInputValue[])
    },
    get databaseSize() {
      const row = d.db
        .prepare('SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()')
        .get()
      return Number(row?.n ?? 0)
    },
    Cursor: undefined as never,
    Statement: undefined as never,
  }
  return storage as unknown as SqlStorage
}

/**
 * Databases of finished schedules, emptied, by the migrations they carry: a fresh in-memory
 * database and its migrations cost more than most schedules' queries, so they are reused. An
 * emptied database with its migrations applied is what a new object's migrations would make.
 */
const POOL = new Map<string, Database[]>()
const OPEN = new WeakMap<SqlStorage, { schema: string; d: Database }>()

/** A database for a new object whose migrations are `schema` (any stable name for them). */
export function pooledStorage(schema: string): SqlStorage {
  const d = POOL.get(schema)?.pop() ?? { db: new DatabaseSync(':memory:'), prepared: new Map() }
  const storage = storageOver(d)
  OPEN.set(storage, { schema, d })
  return storage
}

/** Empties a pooled database (every row, and AUTOINCREMENT counters) and puts it back. */
export function releaseStorage(storage: SqlStorage): void {
  const open = OPEN.get(storage)
  if (!open) return
  OPEN.delete(storage)
  const tables = open.d.db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('_migrations', 'sqlite_sequence')",
    )
    .all() as Array<{ name: string }>
  for (const t of tables) open.d.db.exec(`DELETE FROM "${t.name}"`)
  if (open.d.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get())
    open.d.db.exec('DELETE FROM sqlite_sequence')
  const list = POOL.get(open.schema) ?? []
  list.push(open.d)
  POOL.set(open.schema, list)
}

/** A query with no bindings may hold several statements (a migration), as Durable Objects allow. */
const SEVERAL = /;\s*\S/

type Prepared = { statement: StatementSync; columns: string[]; writes: boolean }

function cursor<T extends Record<string, SqlStorageValue>>(
  db: DatabaseSync,
  cache: Map<string, Prepared>,
  query: string,
  bindings: SQLInputValue[],
) {
  if (bindings.length === 0 && SEVERAL.test(query)) {
    db.exec(query)
    cache.clear()
    return rows<T>([], [], 0)
  }
  let p = cache.get(query)
  if (!p) {
    const statement = db.prepare(query)
    const columns = statement.columns().map((c) => c.name)
    p = { statement, columns, writes: /^\s*(INSERT|UPDATE|DELETE|REPLACE)/i.test(query) }
    cache.set(query, p)
  }
  if (p.columns.length === 0) {
    const { changes } = p.statement.run(...bindings)
    return rows<T>([], p.columns, Number(changes))
  }
  const all = p.statement.all(...bindings) as unknown as T[]
  // RETURNING reports the rows it wrote; plain SELECTs write nothing.
  return rows<T>(all, p.columns, p.writes ? all.length : 0)
}

function rows<T extends Record<string, SqlStorageValue>>(
  list: T[],
  columnNames: string[],
  rowsWritten: number,
) {
  let at = 0
  return {
    columnNames,
    rowsRead: list.length,
    rowsWritten,
    toArray: () => list.slice(at),
    one(): T {
      if (list.length !== 1)
        throw new Error(`Expected exactly one result from SQL query, but got ${list.length}.`)
      return list[0] as T
    },
    raw: () => list.map((r) => columnNames.map((c) => r[c])),
    next(): IteratorResult<T> {
      return at < list.length
        ? { done: false, value: list[at++] as T }
        : { done: true, value: undefined }
    },
    [Symbol.iterator]() {
      return this
    },
  }
}
