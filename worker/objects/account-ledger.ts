import type {
  Amendment,
  FinancialStanding,
  Invoice,
  Payment,
  UsageRecord,
} from '../../shared/index.ts'
import type { RecordUsageResult } from '../ledger/usage/accept.ts'
import type { UsageActionResult } from '../ledger/usage/operator.ts'
import type { UsageLine, UsageOverview } from '../ledger/usage/views.ts'
import type { ErpFacts } from '../finance/standing.ts'
import type { MoneyRequest } from '../../shared/index.ts'
import type { DryRunResult } from '../ledger/dry-run.ts'
import type { MoneyDiff, MoneyPlanResult } from '../ledger/money-plan.ts'
import type { MoneyActionView } from '../ledger/money-run.ts'
import type { MoneyOperatorResult } from '../ledger/money-queue.ts'
import type { OperatorAct } from '../ledger/operator-actions.ts'
import type { AdoptResult, MergeHandoff } from '../ledger/account-changes/merge.ts'
import type { ChooseResult, LinkSystem } from '../ledger/account-changes/customer-choice.ts'
import {
  inOrder,
  Ledger,
  type ActionTarget,
  type EnqueueResult,
  type OperatorResult,
  type PreviewResult,
} from '../ledger/account-ledger.ts'
import type { BillingEventRef } from '../webhooks/stripe-events.ts'
import type { ErpOrderView, RerunAnswer } from '../ledger/erp-repair.ts'
import type { HeldDocument } from '../ledger/finance-book.ts'
import { LEDGER_MIGRATIONS } from '../ledger/migrations.ts'
import type { Trace } from '../ledger/trace.ts'
import type { ActivationRequestResult, ActivationView } from '../ledger/activation.ts'
import type { AccountSummary, AmendmentDetail } from '../ledger/views.ts'
import { metricBuffer } from './metric-port.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

/**
 * One Salesforce account's ledger (`ledger/account-ledger.ts`), one instance per 18-char
 * account id. RPC calls only record and arm the alarm; the pump runs in `alarm()`.
 */
export class AccountLedger extends SqlObject {
  private readonly ledger: Ledger

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, LEDGER_MIGRATIONS, wiring)
    this.ledger = new Ledger(this.storage, {
      config: this.config,
      connectors: (calls) => this.wiring.connectors(env, this.config, calls),
      writer: env.ORG_WRITER.getByName('org'),
      registry: env.OPS_REGISTRY.getByName('global'),
      metrics: metricBuffer(env, this.config, 'AccountLedger'),
      fetch: this.wiring.provisioningFetch?.(env),
      peers: (accountId) => env.ACCOUNT_LEDGER.getByName(accountId),
    })
  }

  /**
   * Records amendments of this account (durable once this returns); a merged-away account's go
   * to the survivor's ledger.
   */
  async enqueue(amendments: Amendment[]): Promise<EnqueueResult[]> {
    const plan = this.ledger.forwarding(amendments)
    if (!plan) return this.ledger.enqueue(amendments)
    const forwarded =
      plan.forward.length > 0
        ? await this.env.ACCOUNT_LEDGER.getByName(plan.survivor).enqueue(plan.forward)
        : []
    return inOrder(amendments, [...plan.held, ...forwarded])
  }

  /** Salesforce merged this account into `survivorId` (this is the loser). */
  mergeInto(loserId: string, merge: { eventId: string; survivorId: string }) {
    return this.ledger.mergeInto(loserId, merge)
  }

  /** Salesforce changed the Account's legal entity (re-parenting). */
  changeLegalEntity(accountId: string, change: { eventId: string; legalEntity: string | null }) {
    return this.ledger.changeLegalEntity(accountId, change)
  }

  /**
   * The survivor's side of a merge: adopt the loser's work. A survivor that was itself merged
   * away and has handed its work over (B into C before A into B arrives) passes it on to its own
   * survivor: its halted pump would never hand it over again.
   */
  adopt(handoff: MergeHandoff): Promise<AdoptResult> {
    const survivor = this.ledger.forwardTo()
    if (survivor)
      return this.env.ACCOUNT_LEDGER.getByName(survivor).adopt({ ...handoff, survivorId: survivor })
    return this.ledger.adopt(handoff)
  }

  override alarm(): Promise<void> {
    return this.ledger.alarm()
  }

  /** Billing events routed to this account: deduped by event id, documents re-read by the pump. */
  recordBillingEvents(
    accountId: string,
    events: BillingEventRef[],
  ): Promise<Array<'queued' | 'duplicate'>> {
    const survivor = this.ledger.forwardTo()
    if (survivor)
      return this.env.ACCOUNT_LEDGER.getByName(survivor).recordBillingEvents(survivor, events)
    return this.ledger.recordBillingEvents(accountId, events)
  }

  /** Of these billing event ids, the ones this ledger has never recorded. */
  unseenBillingEvents(ids: string[]): string[] {
    return this.ledger.unseenBillingEvents(ids)
  }

  /** The drift reconciler: re-read the subscription and write its mirror once, changed or not. */
  repairSubscription(accountId: string, subscriptionId: string): Promise<void> {
    return this.ledger.repairSubscription(accountId, subscriptionId)
  }

  /** The drift reconciler: write these documents' records again, once, after a fresh read. */
  repairDocuments(
    accountId: string,
    refs: Array<{ kind: 'invoice' | 'payment'; id: string }>,
  ): Promise<void> {
    return this.ledger.repairDocuments(accountId, refs)
  }

  /** What this ledger holds of these documents (status and billing's time), by id. */
  heldDocuments(kind: 'invoice' | 'payment', ids: string[]): Record<string, HeldDocument> {
    return this.ledger.heldDocuments(kind, ids)
  }

  /** The ERP orders this account's amendments recorded, with the line each was written with. */
  erpOrders(): { erpCustomerId?: string; orders: ErpOrderView[] } {
    return this.ledger.erpOrders()
  }

  /** The drift reconciler found an amendment's ERP order missing: re-run its ERP step once. */
  rerunErpOrder(amendmentId: string, seenMissingAt: number): Promise<RerunAnswer> {
    return this.ledger.rerunErpOrder(amendmentId, seenMissingAt)
  }

  /** The ERP's AR facts for this account (ERP owns what is owed and the credit hold). */
  applyErpFacts(accountId: string, facts: ErpFacts, asOf: string): Promise<void> {
    return this.ledger.applyErpFacts(accountId, facts, asOf)
  }

  /** Billing documents loaded by a backfill (read at `readAt`, ms), merged like any read. */
  loadDocuments(
    accountId: string,
    docs: { invoices: Invoice[]; payments: Payment[]; readAt?: number },
  ): Promise<number> {
    return this.ledger.loadDocuments(accountId, docs)
  }

  financialStanding(): FinancialStanding | undefined {
    return this.ledger.financialStanding()
  }

  /** Operator: run a parked amendment again from the step it stopped at (once per request id). */
  retry(amendmentId: string, act: OperatorAct): Promise<OperatorResult> {
    return this.ledger.retry(amendmentId, act)
  }

  /** Operator: the customer to link among ambiguous candidates; retries what parked on it. */
  chooseCustomer(
    choice: { system: LinkSystem; customerId: string },
    act: OperatorAct,
  ): Promise<ChooseResult> {
    return this.ledger.chooseCustomer(choice, act)
  }

  /** Operator: give up on a parked amendment, with a reason; its subscription moves on. */
  skip(amendmentId: string, act: OperatorAct & { reason: string }): Promise<OperatorResult> {
    return this.ledger.skip(amendmentId, act)
  }

  /** The dry-run diff of a governed retry or skip, from the vendors' current state. */
  dryRun(amendmentId: string, kind: 'retry' | 'skip', pricedAt: number): Promise<DryRunResult> {
    return this.ledger.dryRun(amendmentId, kind, pricedAt)
  }

  /** The dry run of a credit note or refund on this account, from the vendors' current state. */
  moneyDryRun(requestId: string, req: MoneyRequest): Promise<MoneyPlanResult> {
    return this.ledger.moneyDryRun(requestId, req)
  }

  /** An approved credit note or refund, run by the pump once per request id. */
  runMoney(diff: MoneyDiff): Promise<'queued' | 'duplicate'> {
    return this.ledger.runMoney(diff)
  }

  moneyActions(): MoneyActionView[] {
    return this.ledger.moneyActions()
  }

  /** Retries or skips a parked money action (the exception work queue's actions). */
  actOnMoney(requestId: string, action: 'retry' | 'skip'): Promise<MoneyOperatorResult> {
    return this.ledger.actOnMoney(requestId, action)
  }

  /** What the approval rule needs to know of an amendment. */
  actionFacts(amendmentId: string): ActionTarget | undefined {
    return this.ledger.actionFacts(amendmentId)
  }

  /** Prices an amendment against this account's billing customer and subscription (read-only). */
  preview(amendment: Amendment): Promise<PreviewResult> {
    return this.ledger.preview(amendment)
  }

  /** Records a batch of this account's usage; each answer is durable once this returns. */
  recordUsage(records: UsageRecord[], requestId: string): Promise<RecordUsageResult[]> {
    return this.ledger.recordUsage(records, requestId)
  }

  usage(limit: number): UsageOverview {
    return this.ledger.usage(limit)
  }

  usageLine(q: { period: string; meter: string; after?: string; limit: number }): UsageLine {
    return this.ledger.usageLine(q)
  }

  usageAggregate(identifier: string) {
    return this.ledger.usageAggregate(identifier)
  }

  retryUsageAggregate(identifier: string, actor: string): Promise<UsageActionResult> {
    return this.ledger.retryUsageAggregate(identifier, actor)
  }

  closeUsagePeriod(period: string, actor: string): Promise<UsageActionResult> {
    return this.ledger.closeUsagePeriod(period, actor)
  }

  resolveUsageRecord(id: string, actor: string, reason: string): UsageActionResult {
    return this.ledger.resolveUsageRecord(id, actor, reason)
  }

  /** A person asks to activate a subscription (rule `manual`); refused before billing has it. */
  requestActivation(subscriptionKey: string, actor: string): Promise<ActivationRequestResult> {
    return this.ledger.requestActivation(subscriptionKey, actor)
  }

  activation(subscriptionKey: string): ActivationView | undefined {
    return this.ledger.activation(subscriptionKey)
  }

  /** Whether the pump is running and when it runs next; for operators and tests. */
  pumpState(): Promise<{ pumping: boolean; alarmAt: number | null; dueNow: boolean }> {
    return this.ledger.pumpState()
  }

  summary(): AccountSummary | undefined {
    return this.ledger.summary()
  }

  amendment(amendmentId: string): AmendmentDetail | undefined {
    return this.ledger.amendment(amendmentId)
  }

  /**
   * One correlation id's trace in this account (`ledger/trace.ts`). Not named `trace`: that is
   * the runtime's name for a tail handler, which RPC will not call.
   */
  correlationTrace(correlationId: string): Trace | undefined {
    return this.ledger.trace(correlationId)
  }
}
