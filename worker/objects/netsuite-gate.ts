import { DurableObject } from 'cloudflare:workers'
import {
  GATE_MIGRATIONS,
  Semaphore,
  type AcquireRequest,
  type AcquireResult,
  type GateState,
} from '../connectors/netsuite/gate.ts'
import { loadConfig } from '../config/load.ts'
import { METRICS } from '../lib/metric-catalog.ts'
import type { MetricBuffer } from '../lib/metrics.ts'
import { migrate } from '../lib/storage.ts'
import { metricBuffer } from './metric-port.ts'

/**
 * NetSuite's account-wide concurrency gate: the semaphore of `connectors/netsuite/gate.ts`,
 * one instance per NetSuite account (`netsuite:<account id>`). It needs no configuration.
 */
export class NetsuiteGate extends DurableObject<Env> {
  private readonly semaphore: Semaphore
  private readonly metrics: MetricBuffer
  private readonly subject: string

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.metrics = metricBuffer(env, loadConfig(env), 'NetsuiteGate')
    this.subject = ctx.id.name ?? ctx.id.toString()
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
  async acquire(input: AcquireRequest): Promise<AcquireResult> {
    const result = await this.semaphore.acquire(input)
    this.reportInUse()
    return result
  }

  /** Gives a permit back; a permit already reclaimed by its lease is a no-op. */
  release(permitId: string): { released: boolean } {
    const result = this.semaphore.release(permitId)
    this.reportInUse()
    return result
  }

  /** Wakes waiters when a crashed holder's lease runs out. */
  override async alarm(): Promise<void> {
    await this.semaphore.alarm()
    this.reportInUse()
  }

  /** Permits in use, as a gauge (batched; never a call per permit). */
  private reportInUse(): void {
    this.metrics.gauge(METRICS.permits.name, this.subject, this.semaphore.inspect().inUse)
  }

  inspect(): GateState {
    return this.semaphore.inspect()
  }
}
