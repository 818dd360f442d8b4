import type { Config } from '../config/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { ConnectorError } from '../failure/errors.ts'
import { decide, RETRIES_EXHAUSTED, toFailure } from '../failure/policy.ts'
import type {
  AccountProfile,
  BillingResult,
  BillingSubscription,
  BillingTax,
  Connectors,
  CustomerMatch,
  ErpLine,
} from '../connectors/types.ts'
import type { MetricPort } from '../lib/metrics.ts'
import type { AmendmentRow, Journal } from './journal.ts'
import { observeApplied, observeParked } from './kpis.ts'
import { routedSubsidiary } from './account-changes/legal-entity.ts'
import { checkPreview, priceFingerprint, type PreviewRefusal } from './preview-token.ts'

/** The subscription's `Billing_Subscription__c` mirror, as the saga feeds it. */
export interface MirrorPort {
  /** Billing changed the subscription: re-read it (coalesced with its webhooks' re-reads). */
  reread(billingSubscriptionId: string): void
  /** Billing changed the subscription and answered with it, fresh: taken as a read made now. */
  answered(subscription: BillingSubscription): void
  /** An amendment of the subscription applied: the mirror shows the highest sequence applied. */
  applied(subscriptionKey: string): void
  /** Billing names the subscription's latest invoice: read it if its webhooks are late. */
  invoiced(invoiceId: string): void
}

export interface SagaDeps {
  journal: Journal
  connectors: Connectors
  config: Config
  log: Logger
  mirror: MirrorPort
  metrics: MetricPort
}

const business = (system: string, code: string, message: string) =>
  new ConnectorError({ kind: 'business', system, code, message })

/**
 * Advances one amendment by one step: cross-references → billing → ERP → status. Each step ends
 * in a checkpoint (the next step is written before anything else happens), so a restart resumes
 * at the step it stopped at; a step cut short before its checkpoint runs again with the same
 * idempotency key, which the vendor answers with the first result instead of a second effect.
 */
export async function advance(row: AmendmentRow, deps: SagaDeps): Promise<void> {
  const log = deps.log.with({
    correlationId: row.correlation_id,
    amendmentId: row.id,
    step: row.step,
  })
  try {
    await STEPS[row.step](row, deps, log)
  } catch (err) {
    fail(row, err, deps, log)
  }
}

/** A step that only touches this object's SQL (status) completes synchronously. */
type Step = (row: AmendmentRow, deps: SagaDeps, log: Logger) => Promise<void> | void

/** The saga, one checkpointed step at a time: cross-references → billing → ERP → status. */
const STEPS: Record<AmendmentRow['step'], Step> = {
  async xref(row, deps) {
    await ensureCrossReferences(row, deps)
    deps.journal.transition(
      row,
      { step: 'billing', attempts: 0, code: null, message: null },
      { actor: 'concord', action: 'xref_done' },
    )
  },
  async billing(row, deps, log) {
    const refusal = await previewRefusal(row, deps)
    if (refusal) {
      // Nothing was billed: the subscription moves on, and Salesforce sees the change rejected.
      const sub = deps.journal.subscription(row.subscription_key)
      deps.journal.updateSubscription(row.subscription_key, {
        resolved_sequence: Math.max(sub.resolved_sequence, row.sequence),
      })
      deps.journal.transition(
        row,
        { state: 'skipped', code: refusal.code, message: refusal.message, syncStatus: 'rejected' },
        { actor: 'concord', action: 'preview_refused', detail: { code: refusal.code } },
      )
      log.warn('amendment refused: its preview no longer holds', { code: refusal.code })
      return
    }
    await prepareTax(row, deps)
    const result = await billFromKnownOrRead(row, deps, log)
    if (!result) return
    if (result.tax) deps.journal.setBillingTax(row.id, JSON.stringify(result.tax))
    // Billing's fresh answer is its state right after this change, as a read made now would be
    // (the ledger's reads and writes run one at a time); without one, the mirror reads it again.
    if (result.answer) deps.mirror.answered(result.answer.subscription)
    else deps.mirror.reread(result.subscriptionId)
    if (result.latestInvoiceId) deps.mirror.invoiced(result.latestInvoiceId)
    const next = deps.journal.transition(
      row,
      { step: 'erp', attempts: 0, code: null, message: null, billingRef: result.ref },
      { actor: 'concord', action: 'billed', detail: { ref: result.ref } },
    )
    deps.journal.queueStatus(next, 'billed')
    log.info('billing step applied', { billingRef: result.ref })
  },
  async erp(row, deps, log) {
    const { ref, line } = await applyErp(row, deps)
    // Kept with the checkpoint: the next amendment's order starts from this line.
    if (line)
      deps.journal.updateSubscription(row.subscription_key, { erp_line: JSON.stringify(line) })
    const next = deps.journal.transition(
      row,
      { step: 'status', attempts: 0, code: null, message: null, erpRef: ref },
      { actor: 'concord', action: 'posted', detail: { ref } },
    )
    deps.journal.queueStatus(next, 'posted')
    log.info('erp step applied', { erpRef: ref })
  },
  status(row, { journal, mirror, metrics }, log) {
    // An operator may release a stale amendment below the position: never move it backwards.
    const sub = journal.subscription(row.subscription_key)
    journal.updateSubscription(row.subscription_key, {
      resolved_sequence: Math.max(sub.resolved_sequence, row.sequence),
      applied_sequence: Math.max(sub.applied_sequence, row.sequence),
    })
    mirror.applied(row.subscription_key)
    journal.transition(
      row,
      { state: 'applied', step: 'done', code: null, message: null },
      { actor: 'concord', action: 'applied' },
    )
    observeApplied(row, metrics)
    log.info('amendment applied')
  },
  done: () => Promise.resolve(),
}

async function ensureCrossReferences(row: AmendmentRow, deps: SagaDeps): Promise<void> {
  const { journal, connectors } = deps
  const xref = journal.xref()
  if (xref.billing_customer_id && xref.erp_customer_id) return
  const read = await connectors.salesforce.readAccount(journal.accountId, row.correlation_id)
  // A merged Account's customer whose create lost its answer was never handed over: found by its
  // account id rather than made a second time here.
  const merged = journal.mergedAccounts()
  const profile = merged.length > 0 ? { ...read, mergedAccountIds: merged } : read
  // The customer belongs to the account, not to this amendment: keying it by account means a
  // parked amendment can never leave a half-made customer that the next one duplicates.
  let billingCustomerId = xref.billing_customer_id
  if (!billingCustomerId) {
    const ctx = {
      idempotencyKey: `${journal.accountId}:customer:billing`,
      correlationId: row.correlation_id,
    }
    const chosen = journal.chosenCustomer('billing')
    const found = await connectors.billing.ensureCustomer(profile, ctx, chosen)
    billingCustomerId = found.customerId
    journal.saveXref({ billing_customer_id: billingCustomerId })
    noteLink(journal, row, 'stripe', found)
  }
  if (!xref.erp_customer_id) await ensureErpCustomer(row, deps, profile, billingCustomerId)
}

/**
 * The account's ERP customer in the subsidiary its legal entity routes to, found or made. A
 * re-parenting that lands while this awaits NetSuite (the input gate is open) moves the routing:
 * the customer found is then not the account's any more, and the step runs again.
 * @throws ConnectorError (the connector's, or transient `legal_entity_moved`)
 */
async function ensureErpCustomer(
  row: AmendmentRow,
  { journal, connectors, config }: SagaDeps,
  profile: AccountProfile,
  billingCustomerId: string,
): Promise<void> {
  const ctx = {
    idempotencyKey: `${journal.accountId}:customer:erp`,
    correlationId: row.correlation_id,
  }
  const chosen = journal.chosenCustomer('erp')
  const erpExternalId = journal.erpExternalId()
  const reported = journal.reportedLegalEntity()
  const legalEntity = reported === undefined ? profile.legalEntity : reported || undefined
  // The first customer takes the plain external id: a re-parenting must know its subsidiary
  // even while this create is in flight or its answer is lost.
  const home = erpExternalId ? undefined : routedSubsidiary(config, legalEntity)
  if (home) journal.noteHomeSubsidiary(home)
  const erp = await connectors.erp.ensureCustomer(
    { ...profile, legalEntity, billingCustomerId, ...(erpExternalId ? { erpExternalId } : {}) },
    ctx,
    chosen,
  )
  if (journal.erpExternalId() !== erpExternalId || journal.reportedLegalEntity() !== reported)
    throw new ConnectorError({
      kind: 'transient',
      system: 'concord',
      code: 'legal_entity_moved',
      message: 'The Account changed legal entity while its ERP customer was being found.',
    })
  journal.saveXref({
    erp_customer_id: erp.customerId,
    erp_subsidiary_id: erp.subsidiaryId ?? null,
  })
  noteLink(journal, row, 'netsuite', erp)
}

/** Audits how the customer was found: a link to an existing one is a decision worth a line. */
function noteLink(
  journal: Journal,
  row: AmendmentRow,
  system: string,
  found: { customerId: string; match?: CustomerMatch },
): void {
  const match = found.match ?? 'account'
  const action = match === 'created' ? 'customer_created' : 'customer_linked'
  journal.audit({
    actor: 'concord',
    action,
    row,
    detail: { system, match, customerId: found.customerId },
  })
}

function priceOf(row: AmendmentRow, { journal, config }: SagaDeps) {
  const amendment = journal.amendment(row)
  if (!amendment.priceKey) return { amendment, price: undefined }
  const price = config.catalog.prices[amendment.priceKey]
  if (!price)
    throw business(
      'concord',
      'unknown_price_key',
      `Price key "${amendment.priceKey}" is not in catalog ${config.catalog.version}.`,
    )
  return { amendment, price }
}

const PREVIEW_CHECKED = 'preview_checked'

/**
 * Whether the amendment still matches the preview the rep confirmed. Checked once, before the
 * first billing call: after that a retry must bill, as the first attempt may have reached billing.
 */
async function previewRefusal(
  row: AmendmentRow,
  { journal, config }: SagaDeps,
): Promise<PreviewRefusal | undefined> {
  if (journal.hasAudit(row.id, PREVIEW_CHECKED)) return undefined
  const amendment = journal.amendment(row)
  const entry = amendment.priceKey ? config.catalog.prices[amendment.priceKey] : undefined
  const refusal = await checkPreview(amendment, config.eventSecrets, {
    now: Math.floor(Date.now() / 1000),
    billedSequence: journal.billedSequence(row.subscription_key),
    price: await priceFingerprint(entry),
    maxAgeSeconds: config.previewMaxAgeSeconds,
  })
  if (!refusal) journal.audit({ actor: 'concord', action: PREVIEW_CHECKED, row })
  return refusal
}

const BILLING_REREAD = 'billing_reread'

/**
 * The billing step's idempotency key. Once a write planned from the ledger's copy of the
 * subscription was refused, the step plans from a fresh read under a key of its own: the refused
 * try's key may hold that refusal (Stripe keeps an answer per key, refusals included), and a key
 * can't be sent again with other parameters.
 */
export function billingKey(journal: Journal, rowId: string): string {
  return journal.hasAudit(rowId, BILLING_REREAD) ? `${rowId}:billing:reread` : `${rowId}:billing`
}

/**
 * Applies the billing step, planned from the subscription as billing last answered (no read),
 * when the ledger kept that answer. Billing refusing a write planned so (the subscription
 * changed elsewhere since, or the refusal is real) sends the step back at once to plan from a
 * fresh read; undefined then. A transient failure plans from the same copy again, so its retry
 * sends the same calls under the same key.
 * @throws ConnectorError from the step otherwise.
 */
async function billFromKnownOrRead(
  row: AmendmentRow,
  deps: SagaDeps,
  log: Logger,
): Promise<BillingResult | undefined> {
  const { journal } = deps
  const reread = journal.hasAudit(row.id, BILLING_REREAD)
  const known = reread
    ? undefined
    : (journal.subscription(row.subscription_key).billing_known ?? undefined)
  try {
    return await applyBilling(row, deps, known)
  } catch (err) {
    if (!known || !(err instanceof ConnectorError) || err.kind !== 'business') throw err
    journal.updateSubscription(row.subscription_key, { billing_known: null })
    journal.audit({ actor: 'concord', action: BILLING_REREAD, row, detail: { code: err.code } })
    journal.transition(
      row,
      { notBefore: Date.now() },
      { actor: 'concord', action: 'retry_scheduled', detail: { step: row.step, reread: true } },
    )
    log.info('billing refused a change planned from its last answer; planning from a read', {
      code: err.code,
    })
    return undefined
  }
}

/**
 * Where billing computes tax, a create first brings the customer's tax location, status and id
 * up to date from the Account (read again on every try, so a retry after a rep fixed the address
 * sends the fix) and checks billing can tax it; if not, the refusal parks the amendment.
 */
async function prepareTax(row: AmendmentRow, { journal, connectors }: SagaDeps): Promise<void> {
  const billing = connectors.billing
  if (!billing.prepareTax || journal.amendment(row).action !== 'create') return
  const customerId = journal.xref().billing_customer_id
  if (!customerId) return
  const profile = await connectors.salesforce.readAccount(journal.accountId, row.correlation_id)
  await billing.prepareTax(profile, customerId, {
    idempotencyKey: `${row.id}:tax`,
    correlationId: row.correlation_id,
  })
}

async function applyBilling(
  row: AmendmentRow,
  deps: SagaDeps,
  known: string | undefined,
): Promise<BillingResult> {
  const { journal, connectors } = deps
  const { amendment, price } = priceOf(row, deps)
  const customerId = journal.customersOf(row.subscription_key).billing
  if (!customerId)
    throw business('concord', 'missing_xref', 'The billing customer is not linked yet.')
  const sub = journal.subscription(row.subscription_key)
  const result = await connectors.billing.applyAmendment(
    {
      amendment,
      customerId,
      subscriptionId: sub.billing_subscription_id ?? undefined,
      price,
      prorationDate: amendment.prorationDate,
      known,
    },
    {
      idempotencyKey: billingKey(journal, row.id),
      correlationId: row.correlation_id,
      // No try of this step can predate the amendment's arrival.
      keyFirstUsedAt: row.received_at,
    },
  )
  journal.updateSubscription(row.subscription_key, {
    billing_subscription_id: result.subscriptionId,
    status: result.status,
    current_period_end: result.currentPeriodEnd ?? null,
    currency: result.currency ?? null,
    // Kept to plan the next amendment from; a replayed (or no) answer leaves nothing to plan from.
    billing_known: result.answer?.snapshot ?? null,
  })
  return result
}

/** The line the subscription's last recorded ERP order holds, if the ledger kept one. */
function previousLine(json: string | null): ErpLine | undefined {
  if (!json) return undefined
  const line = JSON.parse(json) as ErpLine
  return typeof line.itemId === 'string' ? line : undefined
}

async function applyErp(
  row: AmendmentRow,
  deps: SagaDeps,
): Promise<{ ref: string; line?: ErpLine }> {
  const { journal, connectors } = deps
  const { amendment, price } = priceOf(row, deps)
  const customerId = journal.customersOf(row.subscription_key).erp
  if (!customerId) throw business('concord', 'missing_xref', 'The ERP customer is not linked yet.')
  const sub = journal.subscription(row.subscription_key)
  // Rebuilt from the checkpoint, so the ERP step needs nothing held in memory from billing.
  const billing: BillingResult = {
    subscriptionId: sub.billing_subscription_id ?? '',
    ref: row.billing_ref ?? '',
    status: (sub.status ?? 'active') as BillingResult['status'],
    currentPeriodEnd: sub.current_period_end ?? undefined,
    currency: sub.currency ?? undefined,
    ...(row.billing_tax ? { tax: JSON.parse(row.billing_tax) as BillingTax } : {}),
  }
  return connectors.erp.recordAmendment(
    { amendment, customerId, billing, price, previous: previousLine(sub.erp_line) },
    { idempotencyKey: `${row.id}:erp`, correlationId: row.correlation_id },
  )
}

const UNEXPECTED =
  'Unexpected error inside Concord; the logs have the detail under this correlation id.'

/** Refusals park; the rest retry with full-jitter backoff until the attempt cap parks them. */
function fail(
  row: AmendmentRow,
  err: unknown,
  { journal, config, metrics }: SagaDeps,
  log: Logger,
): void {
  const known = err instanceof ConnectorError
  if (!known) log.error('unexpected error in saga step', errorFields(err))
  const system = known ? err.system : 'concord'
  // Operators read the step's system in front of the vendor's message.
  const failure = known
    ? { ...toFailure(err), message: `${system}: ${err.message}` }
    : toFailure(err, UNEXPECTED)
  const attempts = row.attempts + 1
  const decision = decide(failure, {
    attempt: attempts,
    maxAttempts: config.maxTransientAttempts,
    baseMs: config.retryBaseMs,
    capMs: config.retryCapMs,
  })
  const { code } = failure
  if (decision.action === 'retry') {
    log.info('transient failure; retry scheduled', { code, attempts, delayMs: decision.delayMs })
    journal.transition(
      row,
      { attempts, notBefore: decision.at, code, message: failure.message },
      {
        actor: 'concord',
        action: 'retry_scheduled',
        detail: { attempts, delayMs: decision.delayMs, step: row.step },
      },
    )
    return
  }
  observeParked(metrics)
  if (decision.code === RETRIES_EXHAUSTED) {
    log.warn('retries exhausted; amendment parked', { code, attempts })
    journal.transition(
      row,
      { state: 'parked', attempts, code: decision.code, message: decision.message },
      { actor: 'concord', action: 'parked', detail: { lastCode: code, step: row.step } },
    )
  } else {
    log.warn('amendment parked', { system, code, errorMessage: known ? err.message : UNEXPECTED })
    journal.transition(
      row,
      { state: 'parked', code: decision.code, message: decision.message },
      { actor: 'concord', action: 'parked', detail: { system, step: row.step } },
    )
  }
}
