import { DurableObject } from 'cloudflare:workers'
import type { Config } from '../config/types.ts'
import { migrate, type ObjectStorage } from '../lib/storage.ts'
import { PRODUCTION, type Wiring } from './wiring.ts'

/**
 * A Durable Object on SQLite storage, as a thin shell: its migrations run in
 * `blockConcurrencyWhile` before any call is let in; its domain module gets the storage, the
 * alarm and the parsed config, never the object or its bindings.
 */
export abstract class SqlObject extends DurableObject<Env> {
  protected readonly config: Config
  protected readonly storage: ObjectStorage
  protected readonly wiring: Wiring

  constructor(
    ctx: DurableObjectState,
    env: Env,
    migrations: readonly string[],
    wiring: Wiring = PRODUCTION,
  ) {
    super(ctx, env)
    this.wiring = wiring
    this.config = wiring.config(env)
    this.storage = {
      sql: ctx.storage.sql,
      alarm: { get: () => ctx.storage.getAlarm(), set: (at) => ctx.storage.setAlarm(at) },
    }
    // The migration is synchronous SQL: the executor runs it now, before any call is let in, and
    // turns a throw into the rejection that resets the object.
    void ctx.blockConcurrencyWhile(
      () => new Promise<void>((resolve) => resolve(migrate(ctx.storage.sql, migrations))),
    )
  }
}
