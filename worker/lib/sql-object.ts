import { DurableObject } from 'cloudflare:workers'
import { loadConfig, type Env } from '../env.ts'
import { createLogger, type Logger } from './log.ts'

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

/**
 * A Durable Object on SQLite storage: its migrations run in `blockConcurrencyWhile` before any
 * call is let in, and it logs as `component`.
 */
export abstract class SqlObject extends DurableObject<Env> {
  protected readonly sql: SqlStorage
  protected readonly log: Logger

  constructor(
    ctx: DurableObjectState,
    env: Env,
    opts: { component: string; migrations: readonly string[] },
  ) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.log = createLogger({ component: opts.component }, loadConfig(env).logLevel)
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql, opts.migrations))
  }
}
