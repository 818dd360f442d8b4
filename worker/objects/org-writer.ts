import { WRITER_MIGRATIONS } from '../writer/migrations.ts'
import { WriterQueue, type WriterStatus } from '../writer/org-writer.ts'
import type { WriteRecord } from '../writer/types.ts'
import { metricBuffer } from './metric-port.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

/** Batched writes to one Salesforce org (`writer/org-writer.ts`): one instance, named `org`. */
export class OrgWriter extends SqlObject {
  private readonly queue: WriterQueue

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, WRITER_MIGRATIONS, wiring)
    this.queue = new WriterQueue(this.storage, {
      config: this.config,
      client: () => this.wiring.writerClient(env, this.config),
      metrics: metricBuffer(env, this.config, 'OrgWriter'),
    })
  }

  /** Takes updates; durable once this returns. Older-than-written updates are ignored. */
  enqueue(records: WriteRecord[]): Promise<{ accepted: number; stale: number }> {
    return this.queue.enqueue(records)
  }

  override alarm(): Promise<void> {
    return this.queue.alarm()
  }

  /** Puts a parked record back in line (an operator fixed the cause in Salesforce). */
  retryParked(object: string, externalId: string): Promise<boolean> {
    return this.queue.retryParked(object, externalId)
  }

  status(): WriterStatus {
    return this.queue.status()
  }

  /** Whether a flush is running or due now; for tests and operators. */
  flushState(): Promise<{ flushing: boolean; dueNow: boolean; alarmAt: number | null }> {
    return this.queue.flushState()
  }
}
