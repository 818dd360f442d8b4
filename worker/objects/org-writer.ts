import { WRITER_MIGRATIONS } from '../writer/migrations.ts'
import { WriterQueue, type WriterStatus } from '../writer/org-writer.ts'
import type { WriteRecord } from '../writer/types.ts'
import { writerItem } from '../ops/work-items.ts'
import { metricBuffer } from './metric-port.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'
import { workReporter } from './work-report.ts'

/** How many troubled records the work queue is told about at most. */
const REPORTED = 500

/** Batched writes to one Salesforce org (`writer/org-writer.ts`): one instance, named `org`. */
export class OrgWriter extends SqlObject {
  private readonly queue: WriterQueue
  private readonly report: ReturnType<typeof workReporter>

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, WRITER_MIGRATIONS, wiring)
    this.queue = new WriterQueue(this.storage, {
      config: this.config,
      client: () => this.wiring.writerClient(env, this.config),
      metrics: metricBuffer(env, this.config, 'OrgWriter'),
    })
    this.report = workReporter(env, this.config, 'writer_record')
  }

  private reportWork(): Promise<void> {
    return this.report(() => this.queue.troubled(REPORTED).map(writerItem))
  }

  /** Takes updates; durable once this returns. Older-than-written updates are ignored. */
  enqueue(records: WriteRecord[]): Promise<{ accepted: number; stale: number }> {
    return this.queue.enqueue(records)
  }

  override async alarm(): Promise<void> {
    await this.queue.alarm()
    await this.reportWork()
  }

  /** Puts a parked record back in line (an operator fixed the cause in Salesforce). */
  async retryParked(object: string, externalId: string): Promise<boolean> {
    const found = await this.queue.retryParked(object, externalId)
    await this.reportWork()
    return found
  }

  status(): WriterStatus {
    return this.queue.status()
  }

  /** Whether a flush is running or due now; for tests and operators. */
  flushState(): Promise<{ flushing: boolean; dueNow: boolean; alarmAt: number | null }> {
    return this.queue.flushState()
  }
}
