import type {
  Amendment,
  FinancialStanding,
  Invoice,
  Payment,
  UsageRecord,
} from '../../shared/index.ts'
import { acceptUsage, type RecordUsageResult } from './usage/accept.ts'
import { usageDue } from './usage/close.ts'
import {
  closePeriod,
  resolveRecord,
  retryAggregate,
  type UsageActionResult,
} from './usage/operator.ts'
import {
  readUsageAggregate,
  readUsageLine,
  readUsageOverview,
  type UsageLine,
  type UsageOverview,
} from './usage/views.ts'
import type { Config } from '../config/types.ts'
import type { CallRecorder } from '../connectors/http.ts'
import type { Connectors, ProrationPreview } from '../connectors/types.ts'
import { ConnectorError, type FailureCategory, type FailureKind } from '../failure/errors.ts'
import { errorFields } from '../lib/log.ts'
import { NO_METRICS, type MetricPort } from '../lib/metrics.ts'
import { StoredModule, type ObjectStorage } from '../lib/storage.ts'
import type { RecordSink } from '../writer/types.ts'
import { Journal, type AmendmentRow, type ExceptionEntry, type TraceIndexEntry } from './journal.ts'
import { readTrace, VendorCallLog, type Trace } from './trace.ts'
import { JournalQueries } from './queries.ts'
import type { BillingEventRef } from '../webhooks/stripe-events.ts'
import { BILLING_COALESCE_MS, FinanceBook, type HeldDocument } from './finance-book.ts'
import { erpOrders, requestErpRerun, type ErpOrderView, type RerunAnswer } from './erp-repair.ts'
import { requestMirrorRepair } from './subscription-mirror.ts'
import { reportBacklog } from './kpis.ts'
import { pump } from './pump.ts'
import type { ErpFacts } from '../finance/standing.ts'
import { retryParked, skipParked, type OperatorAct } from './operator-actions.ts'
import { dryRun, type DryRunResult } from './dry-run.ts'
import {
  adopted,
  adoptHandoff,
  handedOver,
  handoffOf,
  mergedInto,
  recordMerge,
  type AdoptResult,
  type MergeHandoff,
} from './account-changes/merge.ts'
import { changeLegalEntity, type LegalEntityResult } from './account-changes/legal-entity.ts'
import {
  chooseCustomer,
  type ChooseResult,
  type LinkSystem,
} from './account-changes/customer-choice.ts'
import type { MoneyRequest } from '../../shared/index.ts'
import { planMoney, type MoneyDiff, type MoneyPlanResult } from './money-plan.ts'
import {
  moneyActions,
  moneyDue,
  moneyFacts,
  recordMoneyAction,
  type MoneyActionView,
} from './money-run.ts'
import { actOnMoney, type MoneyOperatorResult } from './money-queue.ts'
import { priceFingerprint, signPreview } from './preview-token.ts'
import {
  activationView,
  recordActivationRule,
  requestActivation,
  type ActivationRequestResult,
  type ActivationView,
} from './activation.ts'
import {
  readAmendmentDetail,
  readSummary,
  type AccountSummary,
  type AmendmentDetail,
} from './views.ts'

/** What a ledger needs besides its storage: its config, the vendors and where records go. */
export interface LedgerDeps {
  config: Config
  /** The vendors; `calls` records each call they make (the trace view). */
  connectors(calls?: CallRecorder): Connectors
  /** The org's OrgWriter: status and finance records for Salesforce. */
  writer: RecordSink
  /** The cross-account registry: the exception and trace indexes, the billing customer directory. */
  registry: {
    upsertExceptions(entries: ExceptionEntry[]): Promise<void>
    indexTraces(entries: TraceIndexEntry[]): Promise<void>
    rememberCustomer(billingCustomerId: string, accountId: string): Promise<void>
  }
  /** KPI samples (batched by the object, `lib/metrics.ts`). */
  metrics?: MetricPort
  /** Posts activations to the provisioning webhook (default: the runtime's `fetch`). */
  fetch?: typeof fetch
  /** Other accounts' ledgers: a merged-away account hands its work to the survivor's. */
  peers?: (accountId: string) => { adopt(handoff: MergeHandoff): Promise<AdoptResult> }
}

/** A merged-away account's amendments: answered here (`held`), or to go to the survivor. */
export interface ForwardPlan {
  survivor: string
  held: EnqueueResult[]
  forward: Amendment[]
}

export type EnqueueResult =
  | { eventUuid: string; status: 'queued' | 'duplicate' }
  | { eventUuid: string; status: 'rejected'; code: string; message: string }

export type PreviewResult =
  | { status: 'ok'; preview: ProrationPreview; previewToken?: string }
  | {
      status: 'failed'
      kind: FailureKind
      category: FailureCategory
      code: string
      message: string
      retryAfterMs?: number
    }

/** One amendment as a governed action sees it. */
export interface ActionTarget {
  accountId: string
  state: AmendmentRow['state']
  step: AmendmentRow['step']
  correlationId: string
  amendment: Pick<Amendment, 'action' | 'proration' | 'cancelMode'>
}

export type OperatorResult =
  | { status: 'ok'; amendment: AmendmentDetail }
  | { status: 'not_found' }
  | { status: 'conflict'; message: string }

/**
 * Serialises one Salesforce account's amendments: one instance per account id (18-char).
 * `enqueue` only records (durable before it answers) and arms the alarm; the pump runs in
 * `alarm()`, never inside an RPC call, because an awaited fetch would open the input gate and
 * let a second call interleave with a half-run step. It lives in the `AccountLedger` Durable
 * Object, one per account.
 */
export class Ledger extends StoredModule {
  private readonly queries: JournalQueries
  /** One pump at a time, even if an alarm is delivered while another is still running. */
  private pumping = false

  private readonly deps: LedgerDeps
  private readonly calls: VendorCallLog

  constructor(storage: ObjectStorage, deps: LedgerDeps) {
    super(storage, { component: 'AccountLedger', logLevel: deps.config.logLevel })
    this.deps = deps
    this.queries = new JournalQueries(this.sql)
    this.calls = new VendorCallLog(this.sql)
  }

  private get metrics(): MetricPort {
    return this.deps.metrics ?? NO_METRICS
  }

  /** The account this object serves, once read or recorded (it never changes after). */
  private served: string | undefined

  /**
   * The account this object serves, recorded from `given` when none is yet. Kept in memory once
   * stored, so the webhook path's every event costs no meta read or write.
   */
  private servedAccount(given: string): string {
    if (this.served) return this.served
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", given)
    this.served = this.accountId() ?? given
    return this.served
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
    reportBacklog(this.sql, accountId, this.metrics)
    if (results.some((r) => r.status === 'queued')) await this.armAt(Date.now())
    return results
  }

  private record(journal: Journal, a: Amendment): EnqueueResult {
    if (a.accountId !== journal.accountId && !adopted(this.sql, a.accountId)) {
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
    if (!stale) recordActivationRule(this.sql, a, this.deps.config.activation.defaultRule)
    return { eventUuid: a.id, status: 'queued' }
  }

  /** The pump: advance due amendments one step at a time within a time budget, then flush. */
  async alarm(): Promise<void> {
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
    const merge = mergedInto(this.sql, journal.accountId)
    const handOver = merge?.state === 'handing' ? await this.handOver(journal) : undefined
    const pumped = await pump({
      sql: this.sql,
      journal,
      queries: this.queries,
      config: this.deps.config,
      connectors: this.deps.connectors(this.calls),
      writer: this.deps.writer,
      registry: this.deps.registry,
      calls: this.calls,
      log: this.log.with({ accountId: journal.accountId }),
      metrics: this.metrics,
      fetch: this.deps.fetch ?? ((input, init) => fetch(input, init)),
      halted: merge !== undefined,
    })
    const wakes = [handOver, pumped].filter((w): w is number => w !== undefined)
    const at = wakes.length > 0 ? Math.min(...wakes) : undefined
    reportBacklog(this.sql, journal.accountId, this.metrics)
    // Set unconditionally: inside the handler the running alarm may still be reported as set.
    if (at !== undefined) await this.clock.set(Math.max(at, Date.now()))
  }

  /**
   * Hands this merged-away account's work to the survivor's ledger; when to try again, if the
   * survivor could not be reached or something arrived meanwhile.
   */
  private async handOver(journal: Journal): Promise<number | undefined> {
    const merge = mergedInto(this.sql, journal.accountId)
    const peers = this.deps.peers
    if (!merge || !peers) return undefined
    const handoff = handoffOf(this.sql, journal, merge)
    const log = this.log.with({ accountId: journal.accountId, survivor: merge.survivor_id })
    try {
      const result = await peers(merge.survivor_id).adopt(handoff)
      if (result.status !== 'adopted') {
        log.error('merge hand-over refused', { reason: result.message })
        return undefined
      }
    } catch (err) {
      log.warn('merge hand-over failed; retrying', errorFields(err))
      return Date.now() + 5_000
    }
    const done = handedOver(this.sql, journal, handoff)
    const customer = handoff.xref.billing_customer_id
    // Webhooks of the loser's customer go to the survivor without the hop through this ledger.
    if (customer)
      await this.deps.registry
        .rememberCustomer(customer, merge.survivor_id)
        .catch((err: unknown) => log.warn('directory update failed', errorFields(err)))
    log.info('merge handed over', { amendments: handoff.amendments.length, done })
    return done ? undefined : Date.now()
  }

  /** Salesforce merged this account into `survivorId`: hand its work over, then forward. */
  async mergeInto(
    loserId: string,
    merge: { eventId: string; survivorId: string },
  ): Promise<'queued' | 'duplicate'> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", loserId)
    const journal = new Journal(this.sql, this.accountId() ?? loserId)
    const result = recordMerge(journal, this.sql, merge)
    if (result === 'queued') await this.armAt(Date.now())
    return result
  }

  /** The survivor's side of a merge: adopt the loser's work (once, whatever repeats). */
  async adopt(handoff: MergeHandoff): Promise<AdoptResult> {
    this.sql.exec(
      "INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)",
      handoff.survivorId,
    )
    const journal = new Journal(this.sql, this.accountId() ?? handoff.survivorId)
    const result = adoptHandoff(this.sql, journal, handoff)
    if (result.status === 'adopted') await this.armAt(Date.now())
    return result
  }

  /** Salesforce changed the Account's legal entity: new work to the new subsidiary, reviews filed. */
  async changeLegalEntity(
    accountId: string,
    change: { eventId: string; legalEntity: string | null },
  ): Promise<LegalEntityResult> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const journal = new Journal(this.sql, this.accountId() ?? accountId)
    const result = changeLegalEntity(this.sql, journal, this.deps.config, change)
    if (result.status === 'queued') await this.armAt(Date.now())
    return result
  }

  /**
   * Amendments naming this merged-away account, once the merge handed everything over: the ones
   * this ledger already holds (applied here before the merge, or handed over) are answered here
   * as duplicates, the rest are for the survivor. Only this ledger knows the first kind: the
   * survivor would take a late copy of one applied here for a new amendment, park it as stale
   * and show Salesforce an applied amendment as parked. Undefined while no merge forwards.
   */
  forwarding(amendments: Amendment[]): ForwardPlan | undefined {
    const survivor = this.forwardTo()
    if (!survivor) return undefined
    const known = (a: Amendment) =>
      this.sql.exec('SELECT 1 FROM amendment WHERE id = ?', a.id).toArray().length > 0
    return {
      survivor,
      held: amendments
        .filter(known)
        .map((a): EnqueueResult => ({ eventUuid: a.id, status: 'duplicate' })),
      forward: amendments.filter((a) => !known(a)),
    }
  }

  /** Where what names this account goes now: the survivor, once a merge handed everything over. */
  forwardTo(): string | undefined {
    const id = this.accountId()
    const merge = id ? mergedInto(this.sql, id) : undefined
    return merge?.state === 'handed' ? merge.survivor_id : undefined
  }

  private async armAt(when: number): Promise<void> {
    const current = await this.clock.get()
    if (current === null || current > when) await this.clock.set(Math.max(when, Date.now()))
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
    const results = new FinanceBook(this.sql, this.servedAccount(accountId)).recordEvents(events)
    // Stripe sends an object's events in bursts: the pump waits a moment so a burst costs one read.
    if (results.includes('queued')) await this.armAt(Date.now() + BILLING_COALESCE_MS)
    return results
  }

  /** Of these billing event ids, the ones this ledger has never recorded (drift reconciler). */
  unseenBillingEvents(ids: string[]): string[] {
    return ids.filter(
      (id) => this.sql.exec('SELECT 1 FROM billing_event WHERE id = ?', id).toArray().length === 0,
    )
  }

  /**
   * The drift reconciler found the subscription's mirror unlike billing: the pump re-reads it
   * (coalesced with any webhook's read) and writes the mirror once, even when billing did not
   * change (a hand edit in Salesforce). Asking again before the read changes nothing.
   */
  async repairSubscription(accountId: string, subscriptionId: string): Promise<void> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    requestMirrorRepair(this.sql, subscriptionId)
    new FinanceBook(this.sql, this.accountId() ?? accountId).requestRefresh(
      'subscription',
      subscriptionId,
    )
    await this.armAt(Date.now())
  }

  /** The drift reconciler: write these documents' records again, once, after a fresh read. */
  async repairDocuments(
    accountId: string,
    refs: Array<{ kind: 'invoice' | 'payment'; id: string }>,
  ): Promise<void> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const book = new FinanceBook(this.sql, this.accountId() ?? accountId)
    for (const r of refs) book.repairDocument(r.kind, r.id)
    await this.armAt(Date.now())
  }

  /** What this ledger holds of these documents (status and billing's time), by id. */
  heldDocuments(kind: 'invoice' | 'payment', ids: string[]): Record<string, HeldDocument> {
    const id = this.accountId()
    return id ? new FinanceBook(this.sql, id).heldDocuments(kind, ids) : {}
  }

  /** The ERP orders this account's amendments recorded, with the line each was written with. */
  erpOrders(): { erpCustomerId?: string; orders: ErpOrderView[] } {
    const journal = this.journal()
    if (!journal) return { orders: [] }
    return {
      erpCustomerId: journal.xref().erp_customer_id ?? undefined,
      orders: erpOrders(this.sql, journal, this.deps.config.catalog),
    }
  }

  /**
   * The drift reconciler found an amendment's ERP order missing (as of `seenMissingAt`): the pump
   * runs its ERP step again, once (`erp-repair.ts`).
   */
  async rerunErpOrder(amendmentId: string, seenMissingAt: number): Promise<RerunAnswer> {
    const answer = requestErpRerun(this.sql, amendmentId, seenMissingAt)
    if (answer === 'queued') await this.armAt(Date.now())
    return answer
  }

  /** The ERP's AR facts for this account (ERP owns what is owed and the credit hold). */
  async applyErpFacts(accountId: string, facts: ErpFacts, asOf: string): Promise<void> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const book = new FinanceBook(this.sql, this.accountId() ?? accountId)
    book.setErpFacts(facts, asOf)
    book.recomputeStanding(new Date(), this.xrefIds(this.journal()))
    await this.armAt(Date.now())
  }

  /**
   * Billing documents loaded by a backfill, merged like any read. `readAt` (ms, default now) is
   * when they were read: of two reads of one document at one status and second, the later wins.
   */
  async loadDocuments(
    accountId: string,
    docs: { invoices: Invoice[]; payments: Payment[]; readAt?: number },
  ): Promise<number> {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)", accountId)
    const book = new FinanceBook(this.sql, this.accountId() ?? accountId)
    let changed = 0
    for (const inv of docs.invoices) changed += book.merge('invoice', inv, docs.readAt) ? 1 : 0
    for (const p of docs.payments) changed += book.merge('payment', p, docs.readAt) ? 1 : 0
    if (changed > 0) book.recomputeStanding(new Date(), this.xrefIds(this.journal()))
    await this.armAt(Date.now())
    return changed
  }

  financialStanding(): FinancialStanding | undefined {
    const id = this.accountId()
    return id ? new FinanceBook(this.sql, id).standing() : undefined
  }

  /** Operator: run a parked amendment again from the step it stopped at. */
  async retry(amendmentId: string, act: OperatorAct): Promise<OperatorResult> {
    return this.operate(amendmentId, act, (journal, row) =>
      retryParked(journal, this.queries, row, act),
    )
  }

  /** Operator: the customer to link among ambiguous candidates; retries what parked on it. */
  async chooseCustomer(
    choice: { system: LinkSystem; customerId: string },
    act: OperatorAct,
  ): Promise<ChooseResult> {
    const journal = this.journal()
    if (!journal) return { status: 'not_found' }
    const result = chooseCustomer(this.sql, journal, this.queries, choice, act)
    if (result.status === 'ok') await this.armAt(Date.now())
    return result
  }

  /** Operator: give up on a parked amendment, with a reason; its subscription moves on. */
  async skip(amendmentId: string, act: OperatorAct & { reason: string }): Promise<OperatorResult> {
    return this.operate(amendmentId, act, (journal, row) => skipParked(journal, row, act))
  }

  /**
   * Runs an operator action once: an act carrying a request id that already acted on the
   * amendment answers what it did (an approved request executes exactly once, whatever repeats).
   */
  private async operate(
    amendmentId: string,
    act: OperatorAct,
    action: (journal: Journal, row: AmendmentRow) => string | undefined,
  ): Promise<OperatorResult> {
    const journal = this.journal()
    const row = journal?.get(amendmentId)
    if (!journal || !row) return { status: 'not_found' }
    const done = act.requestId !== undefined && journal.actedOnRequest(row.id, act.requestId)
    const refused = done ? undefined : action(journal, row)
    if (refused) return { status: 'conflict', message: refused }
    reportBacklog(this.sql, journal.accountId, this.metrics)
    await this.armAt(Date.now())
    return {
      status: 'ok',
      amendment: readAmendmentDetail(this.sql, amendmentId) as AmendmentDetail,
    }
  }

  /**
   * Prices an amendment against this account's billing customer and subscription, with a token
   * that signs what the price was computed from (`preview-token.ts`). Read-only, so it may await
   * billing inside the RPC: nothing here changes state an interleaved call could see.
   */
  async preview(amendment: Amendment): Promise<PreviewResult> {
    const config = this.deps.config
    const journal = this.journal() ?? new Journal(this.sql, amendment.accountId)
    const price = amendment.priceKey ? config.catalog.prices[amendment.priceKey] : undefined
    // Read before billing prices it: a change billed meanwhile then makes the token stale,
    // never a preview that missed it look current.
    const basis = {
      issuedAt: Math.floor(Date.now() / 1000),
      billedSequence: journal.billedSequence(amendment.subscriptionKey),
      price: await priceFingerprint(price),
    }
    const subscriptionId =
      this.sql
        .exec<{ id: string | null }>(
          'SELECT billing_subscription_id AS id FROM subscription WHERE key = ?',
          amendment.subscriptionKey,
        )
        .toArray()[0]?.id ?? undefined
    try {
      const preview = await this.deps.connectors().billing.previewAmendment({
        amendment,
        customerId: journal.xref().billing_customer_id ?? undefined,
        subscriptionId,
        price,
      })
      const secret = config.eventSecrets[0]
      const signed = { ...amendment, prorationDate: preview.prorationDate }
      const previewToken = secret ? await signPreview(secret, signed, basis) : undefined
      return { status: 'ok', preview, previewToken }
    } catch (err) {
      if (err instanceof ConnectorError)
        return {
          status: 'failed',
          kind: err.kind,
          category: err.category,
          code: err.code,
          message: `${err.system}: ${err.message}`,
          retryAfterMs: err.retryAfterMs,
        }
      this.log.error('preview failed', errorFields(err))
      return {
        status: 'failed',
        kind: 'transient',
        category: 'transient',
        code: 'internal_error',
        message: 'Preview failed inside Concord.',
      }
    }
  }

  /**
   * A dry run of a governed retry or skip: the vendor calls it would make, planned and priced
   * from the vendors' current state. Read-only, so it may await vendors inside the RPC, as
   * `preview` does.
   */
  async dryRun(
    amendmentId: string,
    kind: 'retry' | 'skip',
    pricedAt: number,
  ): Promise<DryRunResult> {
    const journal = this.journal()
    if (!journal) return { status: 'not_found' }
    const connectors = this.deps.connectors()
    const deps = { journal, queries: this.queries, connectors, config: this.deps.config }
    return dryRun(deps, amendmentId, kind, pricedAt)
  }

  /**
   * The dry run of a credit note or refund on this account's billing documents (read-only, so
   * it may await vendors inside the RPC, as `dryRun` does).
   */
  async moneyDryRun(requestId: string, req: MoneyRequest): Promise<MoneyPlanResult> {
    const journal = this.journal()
    if (!journal)
      return { status: 'refused', message: `Account ${req.accountId} has no ledger yet.` }
    const money = this.deps.connectors().money
    if (!money)
      return {
        status: 'failed',
        code: 'not_configured',
        message: 'billing or the ERP is not configured',
        retryable: true,
      }
    const facts = moneyFacts(this.sql, journal.xref())
    return planMoney(money, this.deps.config, req, requestId, facts)
  }

  /** An approved credit note or refund: kept once per request id, run by the pump in order. */
  async runMoney(diff: MoneyDiff): Promise<'queued' | 'duplicate'> {
    const result = recordMoneyAction(this.sql, diff, Date.now())
    if (result === 'queued') await this.armAt(Date.now())
    return result
  }

  /** The account's money actions and the step each has reached. */
  moneyActions(): MoneyActionView[] {
    return moneyActions(this.sql)
  }

  /** An operator's retry or skip of a parked money action (from the exception work queue). */
  async actOnMoney(requestId: string, action: 'retry' | 'skip'): Promise<MoneyOperatorResult> {
    const result = actOnMoney(this.sql, requestId, action, Date.now())
    await this.armAt(Date.now())
    return result
  }

  /** The facts the approval rule reads about one amendment (`governance.ts`). */
  actionFacts(amendmentId: string): ActionTarget | undefined {
    const journal = this.journal()
    const row = journal?.get(amendmentId)
    if (!journal || !row) return undefined
    const { action, proration, cancelMode } = journal.amendment(row)
    return {
      accountId: journal.accountId,
      state: row.state,
      step: row.step,
      correlationId: row.correlation_id,
      amendment: { action, proration, cancelMode },
    }
  }

  /** Records a batch of this account's usage; each answer is durable once this returns. */
  async recordUsage(records: UsageRecord[], requestId: string): Promise<RecordUsageResult[]> {
    const first = records[0]
    if (!first) return []
    this.sql.exec(
      "INSERT OR IGNORE INTO meta (key, value) VALUES ('account_id', ?)",
      first.accountId,
    )
    const journal = new Journal(this.sql, this.accountId() ?? first.accountId)
    const { config } = this.deps
    const { results, wakeAt } = acceptUsage(
      {
        sql: this.sql,
        accountId: journal.accountId,
        catalog: config.catalog,
        graceMs: config.usageGraceMs,
        requestId,
        now: Date.now(),
      },
      records,
      journal.xref().billing_customer_id,
    )
    if (wakeAt !== undefined) await this.armAt(wakeAt)
    return results
  }

  /** The account's usage: periods, counts and exceptions. */
  usage(limit: number): UsageOverview {
    return readUsageOverview(this.sql, limit)
  }

  /** The trail of an invoice line: a meter's aggregates and records in a period. */
  usageLine(q: { period: string; meter: string; after?: string; limit: number }): UsageLine {
    return readUsageLine(this.sql, q)
  }

  usageAggregate(identifier: string): ReturnType<typeof readUsageAggregate> {
    return readUsageAggregate(this.sql, identifier)
  }

  /** Operator: send a parked aggregate again. */
  async retryUsageAggregate(identifier: string, actor: string): Promise<UsageActionResult> {
    const result = retryAggregate(this.sql, identifier, actor)
    if (result.status === 'ok') await this.armAt(Date.now())
    return result
  }

  /** Operator: close a usage period now (its summaries follow once its usage is reported). */
  async closeUsagePeriod(period: string, actor: string): Promise<UsageActionResult> {
    const result = closePeriod(this.sql, period, actor)
    await this.armAt(Date.now())
    return result
  }

  /** Operator: close a late record dealt with outside Concord. */
  resolveUsageRecord(id: string, actor: string, reason: string): UsageActionResult {
    return resolveRecord(this.sql, id, actor, reason)
  }

  /**
   * A person asks to activate a subscription of this account (rule `manual`); the pump activates
   * it. Refused before billing has the subscription (`activation.ts`).
   */
  async requestActivation(
    subscriptionKey: string,
    actor: string,
  ): Promise<ActivationRequestResult> {
    const result = requestActivation(this.sql, subscriptionKey, actor)
    if (result.status === 'requested' || result.status === 'redelivering')
      await this.armAt(Date.now())
    return result
  }

  /** One subscription's activation and its deliveries. */
  activation(subscriptionKey: string): ActivationView | undefined {
    return activationView(this.sql, subscriptionKey)
  }

  /** Whether the pump is running and when it runs next; for operators and tests. */
  async pumpState(): Promise<{ pumping: boolean; alarmAt: number | null; dueNow: boolean }> {
    const accountId = this.accountId()
    const halted = accountId !== undefined && mergedInto(this.sql, accountId) !== undefined
    return {
      pumping: this.pumping,
      alarmAt: await this.clock.get(),
      dueNow:
        this.queries.hasDueWork(Date.now(), halted) ||
        moneyDue(this.sql, Date.now()) ||
        usageDue(this.sql, this.deps.config.usageGraceMs, Date.now()),
    }
  }

  summary(): AccountSummary | undefined {
    const id = this.accountId()
    return id ? readSummary(this.sql, id) : undefined
  }

  amendment(amendmentId: string): AmendmentDetail | undefined {
    return readAmendmentDetail(this.sql, amendmentId)
  }

  /** Everything one correlation id touched here: event, steps, vendor calls, records written back. */
  trace(correlationId: string): Trace | undefined {
    const id = this.accountId()
    return id ? readTrace(this.sql, id, correlationId) : undefined
  }
}

/**
 * The answers to `amendments`, one each and in their order, from answers given in any order
 * (some here, some by the survivor).
 * @throws when one has no answer: the intake then reports the batch as failed, to be sent again.
 */
export function inOrder(amendments: Amendment[], answers: EnqueueResult[]): EnqueueResult[] {
  const byId = new Map(answers.map((r) => [r.eventUuid, r]))
  return amendments.map((a) => {
    const answer = byId.get(a.id)
    if (!answer) throw new Error(`no answer for forwarded amendment ${a.id}`)
    return answer
  })
}
