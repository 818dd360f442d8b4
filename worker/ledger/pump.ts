import type { Config } from '../config/types.ts'
import type { Connectors } from '../connectors/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { MetricPort } from '../lib/metrics.ts'
import type { RecordSink } from '../writer/types.ts'
import { runErpReruns } from './erp-repair.ts'
import { FinanceBook, INVOICE_READ_FALLBACK_MS } from './finance-book.ts'
import { flushToWriter, runRefreshes } from './finance-pump.ts'
import type { ExceptionEntry, Journal, TraceIndexEntry } from './journal.ts'
import { activateDue } from './activation.ts'
import { deliverActivations } from './activation-delivery.ts'
import { advanceMoney } from './money-run.ts'
import { flushIndex, flushStatuses, flushTraceIndex } from './outbox.ts'
import type { JournalQueries } from './queries.ts'
import { advance, type MirrorPort } from './saga.ts'
import { planNext } from './sequencer.ts'
import { SubscriptionMirrors } from './subscription-mirror.ts'
import type { VendorCallLog } from './trace.ts'
import { pumpUsage } from './usage/step.ts'

/** What one run of an account's pump works with. */
export interface PumpContext {
  sql: SqlStorage
  journal: Journal
  queries: JournalQueries
  config: Config
  connectors: Connectors
  writer: RecordSink
  registry: {
    upsertExceptions(entries: ExceptionEntry[]): Promise<void>
    indexTraces(entries: TraceIndexEntry[]): Promise<void>
    rememberCustomer(billingCustomerId: string, accountId: string): Promise<void>
  }
  /** Where the connectors record their calls; the pump scopes it to the step it runs. */
  calls: VendorCallLog
  log: Logger
  metrics: MetricPort
  /** Posts activations to the provisioning webhook. */
  fetch: typeof fetch
  /** Merged away: amendments are the survivor's to run; the rest (outboxes) still drains. */
  halted?: boolean
}

type Wake = number | undefined

/**
 * One run of an account's pump, as its steps. Returns when it should run next (the earliest
 * of every step's answer), or undefined when nothing is waiting.
 */
export async function pump(ctx: PumpContext): Promise<Wake> {
  const wakes: Wake[] = []
  if (!ctx.halted) wakes.push(await advanceDue(ctx))
  wakes.push(await advanceMoneyActions(ctx))
  wakes.push(await runErpReruns(ctx))
  // Before the finance step: a closed period's summary queues its mirror record, which the
  // finance step hands to the writer in the same run.
  wakes.push(...(await usage(ctx)))
  wakes.push(...(await refreshFinance(ctx)))
  wakes.push(...(await flushOutboxes(ctx)))
  // After the finance step (an invoice read in this run may be the first one paid) and after the
  // amendments' statuses went to Salesforce.
  wakes.push(...(await activations(ctx)))
  // The flushes awaited I/O, so an enqueue may have slipped in: plan once more before sleeping.
  if (!ctx.halted) {
    const last = planNext(ctx.journal, ctx.queries, Date.now(), ctx.config.gapWindowMs)
    wakes.push(last.next ? Date.now() : last.wakeAt)
  }
  const due = wakes.filter((w): w is number => w !== undefined)
  return due.length > 0 ? Math.min(...due) : undefined
}

/** The account's subscription mirrors, queuing into its finance book's Salesforce outbox. */
function mirrorsOf(ctx: PumpContext, book: FinanceBook): SubscriptionMirrors {
  return new SubscriptionMirrors({
    sql: ctx.sql,
    accountId: ctx.journal.accountId,
    catalog: ctx.config.catalog,
    queue: (record) => book.queueRecord(record),
  })
}

/** What the saga tells the mirrors: re-read what billing changed, show what was applied. */
function mirrorPort(ctx: PumpContext): MirrorPort {
  const book = new FinanceBook(ctx.sql, ctx.journal.accountId)
  const mirrors = mirrorsOf(ctx, book)
  return {
    reread: (billingSubscriptionId) => book.requestRefresh('subscription', billingSubscriptionId),
    answered: (subscription) => void mirrors.applyRead(subscription),
    applied: (subscriptionKey) => mirrors.applied(subscriptionKey),
    invoiced: (invoiceId) =>
      book.expectRefresh('invoice', invoiceId, Date.now() + INVOICE_READ_FALLBACK_MS),
  }
}

/** Usage: aggregates to billing, closed periods to the ERP and the subscription mirrors. */
function usage(ctx: PumpContext): Promise<Wake[]> {
  const book = new FinanceBook(ctx.sql, ctx.journal.accountId)
  const mirrors = mirrorsOf(ctx, book)
  return pumpUsage({
    sql: ctx.sql,
    accountId: ctx.journal.accountId,
    config: ctx.config,
    usage: ctx.connectors.usage,
    erpCustomerId: () => ctx.journal.xref().erp_customer_id,
    summarised: (subscriptionKey) => mirrors.usageSummarised(subscriptionKey),
    log: ctx.log,
  })
}

/** Advances due amendments one saga step at a time, until none is due or the budget is spent. */
async function advanceDue(ctx: PumpContext): Promise<Wake> {
  const { journal, queries, config, connectors, log, metrics } = ctx
  const mirror = mirrorPort(ctx)
  const started = Date.now()
  for (;;) {
    const plan = planNext(journal, queries, Date.now(), config.gapWindowMs)
    if (!plan.next) return plan.wakeAt
    if (Date.now() - started > config.pumpBudgetMs) return Date.now()
    const row = plan.next
    ctx.calls.scope = { correlationId: row.correlation_id, amendmentId: row.id, step: row.step }
    try {
      await advance(row, { journal, connectors, config, log, mirror, metrics })
    } finally {
      ctx.calls.scope = undefined
    }
  }
}

/**
 * Activates the subscriptions whose rule holds now (once each: `activation.ts`), shows the time
 * on their mirrors, and delivers what activations are owed (`activation-delivery.ts`).
 */
async function activations(ctx: PumpContext): Promise<Wake[]> {
  const { sql, journal, config, log } = ctx
  const hook = config.activation.webhook
  const activated = activateDue(sql, {
    metrics: ctx.metrics,
    log,
    webhook: hook.status !== 'absent',
  })
  const wakes: Wake[] = []
  if (activated.length > 0) {
    const book = new FinanceBook(sql, journal.accountId)
    const mirrors = mirrorsOf(ctx, book)
    for (const key of activated) mirrors.activated(key)
    wakes.push(await flushToWriter(book, ctx.writer, log))
  }
  wakes.push(
    await deliverActivations({
      sql,
      accountId: journal.accountId,
      writer: ctx.writer,
      webhook: hook,
      maxAttempts: config.activation.maxAttempts,
      retryBaseMs: config.retryBaseMs,
      retryCapMs: config.retryCapMs,
      fetch: ctx.fetch,
      log,
    }),
  )
  // A delivery parked (or resolved) just now has its work-queue entry to push: run once more.
  const indexed = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM index_outbox').one().n
  if (indexed > 0) wakes.push(Date.now())
  return wakes
}

/** Approved credit notes and refunds, after the amendments due now (`money-run.ts`). */
function advanceMoneyActions(ctx: PumpContext): Promise<Wake> {
  const book = new FinanceBook(ctx.sql, ctx.journal.accountId)
  const { config, log } = ctx
  return advanceMoney(ctx.sql, { money: ctx.connectors.money, config, log, book })
}

/** A minute past the next UTC midnight. */
function nextUtcDay(): number {
  const now = new Date()
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 1)
}

const metaHas = (sql: SqlStorage, key: string, value: string) =>
  sql.exec('SELECT 1 FROM meta WHERE key = ? AND value = ?', key, value).toArray().length > 0

/**
 * Re-reads the billing documents webhooks named, recomputes the standing when anything moved
 * (or the calendar did, or the Account's customer ids are new), and hands records to the writer.
 */
async function refreshFinance(ctx: PumpContext): Promise<Wake[]> {
  const { sql, journal, config, connectors, log } = ctx
  const book = new FinanceBook(sql, journal.accountId)
  const { changed } = await runRefreshes(
    {
      book,
      mirrors: mirrorsOf(ctx, book),
      reader: connectors.billingReader,
      accountId: journal.accountId,
    },
    config,
    log,
  )
  const held = book.standing()
  // Aging moves with the calendar: an account that owes anything is re-aged each UTC day.
  const stale =
    !!held &&
    held.exposures.length > 0 &&
    held.asOf.slice(0, 10) < new Date().toISOString().slice(0, 10)
  // The Account carries its billing and ERP customer ids: written once they exist or change.
  const xref = journal.xref()
  const xrefKey = `${xref.billing_customer_id ?? ''}|${xref.erp_customer_id ?? ''}`
  const xrefNew = xrefKey !== '|' && !metaHas(sql, 'xref_record', xrefKey)
  if (changed || stale || xrefNew) {
    book.recomputeStanding(new Date(), {
      force: stale || xrefNew,
      billingCustomerId: xref.billing_customer_id ?? undefined,
      erpCustomerId: xref.erp_customer_id ?? undefined,
    })
    sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('xref_record', ?)", xrefKey)
  }
  const owes = (book.standing()?.exposures.length ?? 0) > 0
  return [
    book.nextRefreshAt(),
    await flushToWriter(book, ctx.writer, log),
    owes ? nextUtcDay() : undefined,
  ]
}

/**
 * Sends what the other systems should know: statuses to Salesforce, parked amendments to the
 * exception index, and this account's billing customer to the webhook directory.
 */
async function flushOutboxes(ctx: PumpContext): Promise<Wake[]> {
  const { sql, journal, config, registry, log } = ctx
  try {
    const wakes = [
      await flushStatuses(sql, ctx.writer, config, log),
      await flushIndex(sql, (entries) => registry.upsertExceptions(entries), log),
      await flushTraceIndex(sql, (entries) => registry.indexTraces(entries), log),
    ]
    const customerId = journal.xref().billing_customer_id
    if (customerId && !metaHas(sql, 'directory', customerId)) {
      // Lets billing webhooks find this account without asking billing who the customer is.
      await registry.rememberCustomer(customerId, journal.accountId)
      sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('directory', ?)", customerId)
    }
    return wakes
  } catch (err) {
    log.error('outbox flush failed', errorFields(err))
    return [Date.now() + 5_000]
  }
}
