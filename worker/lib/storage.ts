import { createLogger, type LogLevel, type Logger } from './log.ts'

/** Applies the migrations this storage has not seen yet, in order (numbered, append-only). */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec(
    'CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)',
  )
  const current = sql
    .exec<{ v: number }>('SELECT COALESCE(MAX(version), 0) AS v FROM _migrations')
    .one().v
  for (let version = current + 1; version <= migrations.length; version++) {
    sql.exec(migrations[version - 1] as string)
    sql.exec(
      'INSERT INTO _migrations (version, applied_at) VALUES (?, ?)',
      version,
      new Date().toISOString(),
    )
  }
}

/** The one alarm a Durable Object has: when it runs next (ms since epoch), or null. */
export interface AlarmClock {
  get(): Promise<number | null>
  set(at: number): Promise<void>
}

/** What a domain module gets of its Durable Object: its SQLite, its alarm, its logger. */
export interface ObjectStorage {
  sql: SqlStorage
  alarm: AlarmClock
}

/**
 * Base of the domain modules that live inside one Durable Object. They know its storage and
 * alarm through `ObjectStorage`, never the object or its bindings.
 */
export abstract class StoredModule {
  protected readonly sql: SqlStorage
  protected readonly clock: AlarmClock
  protected readonly log: Logger

  constructor(storage: ObjectStorage, opts: { component: string; logLevel: LogLevel }) {
    this.sql = storage.sql
    this.clock = storage.alarm
    this.log = createLogger({ component: opts.component }, opts.logLevel)
  }
}
