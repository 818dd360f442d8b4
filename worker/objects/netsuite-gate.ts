import { DurableObject } from 'cloudflare:workers'
import {
  GATE_MIGRATIONS,
  Semaphore,
  type AcquireRequest,
  type AcquireResult,
  type GateState,
} from '../connectors/netsuite/gate.ts'
import { migrate } from '../lib/storage.ts'

/**
 * NetSuite's account-wide concurrency gate: the semaphore of `connectors/netsuite/gate.ts`,
 * one instance per NetSuite account (`netsuite:<account id>`). It needs no configuration.
 */
export class NetsuiteGate extends DurableObject<Env> {
  private readonly semaphore: Semaphore

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.semaphore = new Semaphore({
      sql: ctx.storage.sql,
      alarm: { get: () => ctx.storage.getAlarm(), set: (at) => ctx.storage.setAlarm(at) },
    })
    // The migration is synchronous SQL: the executor runs it now, before any call is let in, and
    // turns a throw into the rejection that resets the object.
    void ctx.blockConcurrencyWhile(
      () => new Promise<void>((resolve) => resolve(migrate(ctx.storage.sql, GATE_MIGRATIONS))),
    )
  }

  /** A permit now, or after waiting up to `waitMs` in line, or `busy`. */
  acquire(input: AcquireRequest): Promise<AcquireResult> {
    return this.semaphore.acquire(input)
  }

  /** Gives a permit back; a permit already reclaimed by its lease is a no-op. */
  release(permitId: string): { released: boolean } {
    return this.semaphore.release(permitId)
  }

  /** Wakes waiters when a crashed holder's lease runs out. */
  override alarm(): Promise<void> {
    return this.semaphore.alarm()
  }

  inspect(): GateState {
    return this.semaphore.inspect()
  }
}
