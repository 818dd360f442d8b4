import type { Amendment, FinancialStanding, Invoice, Payment } from '../../shared/index.ts'
import { buildConnectors } from '../connectors/registry.ts'
import { ConnectorError, type ProrationPreview } from '../connectors/types.ts'
import { loadConfig, type Env } from '../env.ts'
import { errorFields } from '../lib/log.ts'
import { Journal, type AmendmentRow } from './journal.ts'
import { JournalQueries } from './queries.ts'
import { LEDGER_MIGRATIONS } from './migrations.ts'
import { SqlObject } from '../lib/sql-object.ts'
import { FinanceBook, type BillingEventRef } from './finance-book.ts'
import { flushToWriter, runRefreshes } from './finance-pump.ts'
import { flushIndex, flushStatuses } from './outbox.ts'
import type { ErpFacts } from '../finance/standing.ts'
import { advance } from './saga.ts'
import { retryParked, skipParked } from './operator-actions.ts'
import { planNext } from './sequencer.ts'
import {
  readAmendmentDetail,
  readSummary,
  type AccountSummary,
  type AmendmentDetail,
} from './views.ts'

/** A minute past the next UTC midnight. */
function nextUtcDay(): number {
  const now = new Date()
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 0, 1)
}

export type EnqueueResult =
  | { eventUuid: string; status: 'queued' | 'duplicate' }
  | { eventUuid: string; status: 'rejected'; code: string; message: string }

export type PreviewResult =
  | { status: 'ok'; preview: ProrationPreview }
  | { status: 'failed'; kind: 'transient' | 'business'; code: string; message: string }

export type OperatorResult =
  | { status: 'ok'; amendment: AmendmentDetail }
  | { status: 'not_found' }
  | { status: 'conflict'; message: string }

/**
 * Serialises one Salesforce account's amendments: one instance per account id (18-char).
 * `enqueue` only records (durable before it answers) and arms the alarm; the pump runs in
 * `alarm()`, never inside an RPC call, because an awaited fetch would open the input gate and
 * let a second call interleave with a half-run step.
 */
export class AccountLedger extends SqlObject {
  private readonly queries: JournalQueries
  /** One pump at a time, even if an alarm is delivered while another is still running. */
  private pumping = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, { component: 'AccountLedger', migrations: LEDGER_MIGRATIONS })
    this.queries = new JournalQueries(this.sql)
  }

  private accountId(): string | undefined {
    return this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = 'account_id'")
      .toArray()[0]?.value
  }

  private journal(): Journal | undefined {
    const id = this.accountId()
    return id ? new Journal(this.sql, id) : undefined
  }

  /** Records amendments of this account. Each answer is durable once this returns. */
  async enqueue(amendments: Amendment[]): Promise<EnqueueResult[]> {
    const first = amendments[0]
    if (!first) return []
    const accountId = this.accountId() ?? first.accountId
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const journal = new Journal(this.sql, accountId)
    const results = amendments.map((a) => this.record(journal, a))
    if (results.some((r) => r.status === 'queued')) await this.armAt(Date.now())
    return results
  }

  private record(journal: Journal, a: Amendment): EnqueueResult {
    if (a.accountId !== journal.accountId) {
      return {
        eventUuid: a.id,
        status: 'rejected',
        code: 'wrong_account',
        message: `Amendment is for ${a.accountId}, not ${journal.accountId}.`,
      }
    }
    if (journal.get(a.id)) return { eventUuid: a.id, status: 'duplicate' }
    const clash = journal.bySequence(a.subscriptionKey, a.sequence)
    if (clash) {
      return {
        eventUuid: a.id,
        status: 'rejected',
        code: 'sequence_conflict',
        message: `Sequence__c ${a.sequence} of ${a.subscriptionKey} is already taken by event ${clash.id}.`,
      }
    }
    const resolved = journal.subscription(a.subscriptionKey).resolved_sequence
    const stale =
      a.sequence <= resolved
        ? {
            code: 'sequence_stale',
            message: `Arrived after sequence ${resolved} of ${a.subscriptionKey} was already resolved; applying it now would reorder changes.`,
          }
        : undefined
    journal.insert(a, stale)
    return { eventUuid: a.id, status: 'queued' }
  }

  /** The pump: advance due amendments one step at a time within a time budget, then flush. */
  override async alarm(): Promise<void> {
    const journal = this.journal()
    if (!journal || this.pumping) return
    this.pumping = true
    try {
      await this.pump(journal)
    } finally {
      this.pumping = false
    }
  }

  private async pump(journal: Journal): Promise<void> {
    const config = loadConfig(this.env)
    const connectors = buildConnectors(this.env, config)
    const log = this.log.with({ accountId: journal.accountId })
    const started = Date.now()
    let wakeAt: number | undefined
    for (;;) {
      const plan = planNext(journal, this.queries, Date.now(), config.gapWindowMs)
      wakeAt = plan.wakeAt
      if (!plan.next) break
      if (Date.now() - started > config.pumpBudgetMs) {
        wakeAt = Date.now()
        break
      }
      await advance(plan.next, { journal, connectors, config, log })
    }
    const wakes = [wakeAt]
    const book = new FinanceBook(this.sql, journal.accountId)
    const { changed } = await runRefreshes(
      book,
      connectors.billingReader,
      journal.accountId,
      config,
      log,
    )
    const held = book.standing()
    // Aging moves with the calendar: an account that owes anything is re-aged each UTC day.
    const stale =
      held &&
      held.exposures.length > 0 &&
      held.asOf.slice(0, 10) < new Date().toISOString().slice(0, 10)
    // The Account carries its billing and ERP customer ids: written once they exist or change.
    const xref = journal.xref()
    const xrefKey = `${xref.billing_customer_id ?? ''}|${xref.erp_customer_id ?? ''}`
    const xrefNew =
      xrefKey !== '|' &&
      this.sql.exec("SELECT 1 FROM meta WHERE key = 'xref_record' AND value = ?", xrefKey).toArray()
        .length === 0
    if (changed || stale || xrefNew) {
      book.recomputeStanding(new Date(), { force: !!stale || xrefNew, ...this.xrefIds(journal) })
      this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('xref_record', ?)", xrefKey)
    }
    const owes = (book.standing()?.exposures.length ?? 0) > 0
    wakes.push(
      book.nextRefreshAt(),
      await flushToWriter(book, this.env, log),
      owes ? nextUtcDay() : undefined,
    )
    try {
      wakes.push(await flushStatuses(this.sql, this.env.ORG_WRITER.getByName('org'), config, log))
      const registry = this.env.OPS_REGISTRY.getByName('global')
      wakes.push(await flushIndex(this.sql, (entries) => registry.upsertExceptions(entries), log))
      const customerId = journal.xref().billing_customer_id
      if (
        customerId &&
        this.sql
          .exec("SELECT 1 FROM meta WHERE key = 'directory' AND value = ?", customerId)
          .toArray().length === 0
      ) {
        // Lets billing webhooks find this account without asking billing who the customer is.
        await registry.rememberCustomer(customerId, journal.accountId)
        this.sql.exec(
          "INSERT OR REPLACE INTO meta (key, value) VALUES ('directory', ?)",
          customerId,
        )
      }
    } catch (err) {
      log.error('outbox flush failed', errorFields(err))
      wakes.push(Date.now() + 5_000)
    }
    // The flushes awaited I/O, so an enqueue may have slipped in: plan once more before sleeping.
    const last = planNext(journal, this.queries, Date.now(), config.gapWindowMs)
    wakes.push(last.next ? Date.now() : last.wakeAt)
    const due = wakes.filter((w): w is number => w !== undefined)
    // Set unconditionally: inside the handler the running alarm may still be reported as set.
    if (due.length > 0) await this.ctx.storage.setAlarm(Math.max(Math.min(...due), Date.now()))
  }

  private async armAt(when: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > when)
      await this.ctx.storage.setAlarm(Math.max(when, Date.now()))
  }

  private xrefIds(journal: Journal | undefined): {
    billingCustomerId?: string
    erpCustomerId?: string
  } {
    const x = journal?.xref()
    return {
      billingCustomerId: x?.billing_customer_id ?? undefined,
      erpCustomerId: x?.erp_customer_id ?? undefined,
    }
  }

  /** Billing events routed to this account: deduped by event id, documents re-read by the pump. */
  async recordBillingEvents(
    accountId: string,
    events: BillingEventRef[],
  ): Promise<Array<'queued' | 'duplicate'>> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const results = new FinanceBook(this.sql, this.accountId() ?? accountId).recordEvents(events)
    if (results.includes('queued')) await this.armAt(Date.now())
    return results
  }

  /** The ERP's AR facts for this account (ERP owns what is owed and the credit hold). */
  async applyErpFacts(accountId: string, facts: ErpFacts, asOf: string): Promise<void> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const book = new FinanceBook(this.sql, this.accountId() ?? accountId)
    book.setErpFacts(facts, asOf)
    book.recomputeStanding(new Date(), this.xrefIds(this.journal()))
    await this.armAt(Date.now())
  }

  /** Billing documents loaded by a backfill, merged like any fresh read. */
  async loadDocuments(
    accountId: string,
    docs: { invoices: Invoice[]; payments: Payment[] },
  ): Promise<number> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const book = new FinanceBook(this.sql, this.accountId() ?? accountId)
    let changed = 0
    for (const inv of docs.invoices) changed += book.merge('invoice', inv) ? 1 : 0
    for (const p of docs.payments) changed += book.merge('payment', p) ? 1 : 0
    if (changed > 0) book.recomputeStanding(new Date(), this.xrefIds(this.journal()))
    await this.armAt(Date.now())
    return changed
  }

  async financialStanding(): Promise<FinancialStanding | undefined> {
    const id = this.accountId()
    return id ? new FinanceBook(this.sql, id).standing() : undefined
  }

  /** Operator: run a parked amendment again from the step it stopped at. */
  async retry(amendmentId: string, actor: string, reason?: string): Promise<OperatorResult> {
    return this.operate(amendmentId, (journal, row) =>
      retryParked(journal, this.queries, row, actor, reason),
    )
  }

  /** Operator: give up on a parked amendment, with a reason; its subscription moves on. */
  async skip(amendmentId: string, actor: string, reason: string): Promise<OperatorResult> {
    return this.operate(amendmentId, (journal, row) => skipParked(journal, row, actor, reason))
  }

  private async operate(
    amendmentId: string,
    action: (journal: Journal, row: AmendmentRow) => string | undefined,
  ): Promise<OperatorResult> {
    const journal = this.journal()
    const row = journal?.get(amendmentId)
    if (!journal || !row) return { status: 'not_found' }
    const refused = action(journal, row)
    if (refused) return { status: 'conflict', message: refused }
    await this.armAt(Date.now())
    return {
      status: 'ok',
      amendment: readAmendmentDetail(this.sql, amendmentId) as AmendmentDetail,
    }
  }

  /**
   * Prices an amendment against this account's billing customer and subscription. Read-only, so
   * it may await billing inside the RPC: nothing here changes state an interleaved call could see.
   */
  async preview(amendment: Amendment): Promise<PreviewResult> {
    const config = loadConfig(this.env)
    const journal = this.journal() ?? new Journal(this.sql, amendment.accountId)
    const price = amendment.priceKey ? config.catalog.prices[amendment.priceKey] : undefined
    const subscriptionId =
      this.sql
        .exec<{ id: string | null }>(
          'SELECT billing_subscription_id AS id FROM subscription WHERE key = ?',
          amendment.subscriptionKey,
        )
        .toArray()[0]?.id ?? undefined
    try {
      const preview = await buildConnectors(this.env, config).billing.previewAmendment({
        amendment,
        customerId: journal.xref().billing_customer_id ?? undefined,
        subscriptionId,
        price,
      })
      return { status: 'ok', preview }
    } catch (err) {
      if (err instanceof ConnectorError)
        return {
          status: 'failed',
          kind: err.kind,
          code: err.code,
          message: `${err.system}: ${err.message}`,
        }
      this.log.error('preview failed', errorFields(err))
      return {
        status: 'failed',
        kind: 'transient',
        code: 'internal_error',
        message: 'Preview failed inside Concord.',
      }
    }
  }

  /** Whether the pump is running and when it runs next; for operators and tests. */
  async pumpState(): Promise<{ pumping: boolean; alarmAt: number | null; dueNow: boolean }> {
    return {
      pumping: this.pumping,
      alarmAt: await this.ctx.storage.getAlarm(),
      dueNow: this.queries.hasDueWork(Date.now()),
    }
  }

  async summary(): Promise<AccountSummary | undefined> {
    const id = this.accountId()
    return id ? readSummary(this.sql, id) : undefined
  }

  async amendment(amendmentId: string): Promise<AmendmentDetail | undefined> {
    return readAmendmentDetail(this.sql, amendmentId)
  }
}
