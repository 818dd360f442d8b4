import type { ExceptionEntry, TraceIndexEntry } from '../ledger/journal.ts'
import {
  OPS_MIGRATIONS,
  type Backlog,
  OpsStore,
  type QuarantineEntry,
  type QuarantineInput,
  type WebhookOutcome,
} from '../ops/ops-registry.ts'
import { AmendmentIndex, type IndexedAmendment } from '../ops/amendment-index.ts'
import { ReplayMemory, type RememberResult } from '../ops/replay-memory.ts'
import { METRICS } from '../lib/metric-catalog.ts'
import type { MetricBuffer } from '../lib/metrics.ts'
import { metricBuffer } from './metric-port.ts'
import { TraceIndex, type TraceMatch } from '../ops/trace-index.ts'
import { ExceptionQueue } from '../ops/exception-queue.ts'
import type { WorkItem, WorkKind, WorkQueueFilter, WorkQueuePage } from '../ops/work-queue.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

type Store = OpsStore

/**
 * The cross-account registry (`ops/ops-registry.ts`) and the replay memory of signed requests
 * (`ops/replay-memory.ts`): one instance, named `global`.
 */
export class OpsRegistry extends SqlObject {
  private readonly store: OpsStore
  private readonly replays: ReplayMemory
  private readonly metrics: MetricBuffer
  private readonly amendments: AmendmentIndex
  private readonly traces: TraceIndex
  private readonly work: ExceptionQueue

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, OPS_MIGRATIONS, wiring)
    this.store = new OpsStore(this.storage.sql)
    this.replays = new ReplayMemory(this.storage.sql)
    this.metrics = metricBuffer(env, this.config, 'OpsRegistry')
    this.amendments = new AmendmentIndex(this.storage.sql)
    this.traces = new TraceIndex(this.storage.sql)
    this.work = new ExceptionQueue(this.storage.sql, () => this.config.catalog)
  }

  /** One page of the exception work queue (`ops/work-queue.ts`) and its counts per category. */
  workQueue(filter: WorkQueueFilter): WorkQueuePage {
    return this.work.queue.list(filter)
  }

  /** A singleton's full current set of items of one kind (OrgWriter, subscriber, alerts). */
  reportWork(kind: WorkKind, items: WorkItem[]): void {
    this.work.report(kind, items)
  }

  /** The ids each ledger's amendments can be found by (`ops/trace-index.ts`). */
  indexTraces(entries: TraceIndexEntry[]): void {
    this.traces.add(entries)
  }

  /** The amendments known by an id: correlation, EventUuid, account, Stripe or NetSuite id. */
  findTraces(key: string, limit = 20): TraceMatch[] {
    return this.traces.find(key, limit)
  }

  /** `first` the first time a signed request's key is seen within its window, then `replayed`. */
  rememberRequest(replayKey: string, expiresAt: number): RememberResult {
    return this.replays.remember(replayKey, expiresAt)
  }

  /** How many signed requests are remembered now. */
  rememberedRequests(): number {
    return this.replays.size()
  }

  /** Records where the intake put each amendment (`ops/amendment-index.ts`). */
  indexAmendments(entries: IndexedAmendment[]): void {
    this.amendments.add(entries)
    this.work.accepted(entries.map((e) => e.amendmentId))
  }

  /** The amendments whose amendment id or correlation id is `id`. */
  findAmendments(id: string): IndexedAmendment[] {
    return this.amendments.find(id)
  }

  quarantine(entries: QuarantineInput[]): string[] {
    const stored = this.store.quarantine(entries)
    this.work.quarantined(stored)
    // Counted when the quarantine changes, so the overview reads the count without a scan.
    const { quarantined, oldestQuarantinedAt } = this.store.backlog()
    this.metrics.gauge(METRICS.quarantine.name, 'global', quarantined)
    const oldest = oldestQuarantinedAt ? Date.parse(oldestQuarantinedAt) : 0
    this.metrics.gauge(METRICS.quarantineOldest.name, 'global', oldest)
    return stored.map((e) => e.id)
  }

  listQuarantine(opts: { limit: number; before?: string }): QuarantineEntry[] {
    return this.store.listQuarantine(opts)
  }

  upsertExceptions(entries: ExceptionEntry[]): void {
    this.work.amendmentsChanged(this.store.upsertExceptions(entries))
  }

  listExceptions(
    opts: Parameters<Store['listExceptions']>[0],
  ): ReturnType<Store['listExceptions']> {
    return this.store.listExceptions(opts)
  }

  lookupCustomer(billingCustomerId: string): string | undefined {
    return this.store.lookupCustomer(billingCustomerId)
  }

  customerOf(accountId: string): string | undefined {
    return this.store.customerOf(accountId)
  }

  rememberCustomer(billingCustomerId: string, accountId: string): void {
    this.store.rememberCustomer(billingCustomerId, accountId)
    this.work.customerLinked(billingCustomerId)
  }

  noteWebhook(e: Parameters<Store['noteWebhook']>[0]): void {
    this.store.noteWebhook(e)
    if (e.outcome === 'unrouted') this.work.unrouted({ ...e, receivedAt: new Date().toISOString() })
  }

  webhookReport(opts: {
    outcome?: WebhookOutcome
    limit: number
  }): ReturnType<Store['webhookReport']> {
    return this.store.webhookReport(opts)
  }

  backlog(): Backlog {
    return this.store.backlog()
  }

  /** True the first time a console sign-in nonce is redeemed, false ever after. */
  redeemLogin(nonce: string): boolean {
    return this.store.redeemLogin(nonce)
  }

  locate(amendmentId: string): string | undefined {
    return this.store.locate(amendmentId)
  }
}
