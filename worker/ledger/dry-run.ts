import type { CatalogEntry } from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import type { BillingPlan, Connectors, ErpPlan } from '../connectors/types.ts'
import { ConnectorError } from '../failure/errors.ts'
import type { AmendmentRow, Journal } from './journal.ts'
import { fingerprintOf } from './fingerprint.ts'
import { retryBlocker } from './operator-actions.ts'
import { billingKey } from './saga.ts'

export { fingerprintOf } from './fingerprint.ts'
import type { JournalQueries } from './queries.ts'

/**
 * The dry-run diff of a governed action on one parked amendment: the vendor calls the action
 * would let happen (`retry`) or withhold for good (`skip`), planned from billing's current state
 * and priced, and the ERP record the step after it would upsert.
 */
export interface ActionDiff {
  kind: 'retry' | 'skip'
  effect: 'apply' | 'withhold'
  amendment: {
    id: string
    subscriptionKey: string
    sequence: number
    action: string
    step: string
    correlationId: string
  }
  /** Absent when billing is already done. */
  billing?: BillingPlan
  /** Unix seconds the billing preview was priced at (the amendment's own, else the request's). */
  pricedAt?: number
  erp?: ErpPlan
  notes: string[]
  computedAt: string
}

export interface DryRunDeps {
  journal: Journal
  queries: JournalQueries
  connectors: Connectors
  config: Config
}

/** What a dry run answers: the diff and its fingerprint, or why there is none. */
export type DryRunResult =
  | { status: 'ok'; diff: ActionDiff; fingerprint: string }
  | { status: 'not_found' }
  | { status: 'conflict'; message: string }
  | { status: 'failed'; code: string; message: string; retryable: boolean }

function priceOf(config: Config, priceKey: string | undefined): CatalogEntry | undefined {
  return priceKey ? config.catalog.prices[priceKey] : undefined
}

/**
 * The customers the retry will use, each noted when it is still to be made or linked: the
 * account's own, else the one an operator chose among ambiguous candidates (the retry links it).
 */
function customersOf(journal: Journal, notes: string[]): { billing?: string; erp?: string } {
  const xref = journal.xref()
  const billing = xref.billing_customer_id ?? journal.chosenCustomer('billing')
  const erp = xref.erp_customer_id ?? journal.chosenCustomer('erp')
  if (!billing) notes.push('The billing customer is created first.')
  else if (!xref.billing_customer_id) notes.push(`Billing customer ${billing} is linked first.`)
  if (!erp) notes.push('The ERP customer is created first.')
  else if (!xref.erp_customer_id) notes.push(`ERP customer ${erp} is linked first.`)
  return { billing, erp }
}

/**
 * Plans the diff of `kind` on a parked amendment from the vendors' current state. Read-only:
 * vendors are only read and priced. `pricedAt` pins the proration instant when the amendment
 * carries none, so a re-check at execution compares vendor state, not the clock.
 * @throws ConnectorError when a vendor can't be read.
 */
export async function planDiff(
  input: DryRunDeps,
  row: AmendmentRow,
  kind: 'retry' | 'skip',
  pricedAt: number,
): Promise<ActionDiff> {
  const { journal, connectors, config } = input
  const amendment = journal.amendment(row)
  const price = priceOf(config, amendment.priceKey)
  const notes: string[] = []
  const ctx = { idempotencyKey: billingKey(journal, row.id), correlationId: row.correlation_id }
  let billing: BillingPlan | undefined
  const at = amendment.prorationDate ?? pricedAt
  const customers = customersOf(journal, notes)
  if (row.step === 'xref' || row.step === 'billing') {
    const sub = journal.subscription(row.subscription_key)
    billing = await connectors.billing.planAmendment(
      {
        amendment,
        customerId: customers.billing,
        subscriptionId: sub.billing_subscription_id ?? undefined,
        price,
        prorationDate: amendment.prorationDate,
        priceAt: at,
      },
      ctx,
    )
  }
  const erp =
    row.step === 'status' || row.step === 'done'
      ? undefined
      : await connectors.erp.planAmendment({
          amendment,
          customerId: customers.erp,
          price,
        })
  return {
    kind,
    effect: kind === 'retry' ? 'apply' : 'withhold',
    amendment: {
      id: row.id,
      subscriptionKey: row.subscription_key,
      sequence: row.sequence,
      action: row.action,
      step: row.step,
      correlationId: row.correlation_id,
    },
    billing,
    pricedAt: billing ? at : undefined,
    erp,
    notes,
    computedAt: new Date().toISOString(),
  }
}

/**
 * The dry run of a governed `kind` on amendment `id`, as an RPC-safe answer: only a parked
 * amendment can be retried or skipped; a vendor failure is answered with its code and message.
 * Anything else unexpected propagates (the caller logs it and answers a generic error).
 */
export async function dryRun(
  deps: DryRunDeps,
  id: string,
  kind: 'retry' | 'skip',
  pricedAt: number,
): Promise<DryRunResult> {
  const row = deps.journal.get(id)
  if (!row) return { status: 'not_found' }
  if (row.state !== 'parked')
    return { status: 'conflict', message: `Amendment is ${row.state}, not parked.` }
  const blocker = kind === 'retry' ? retryBlocker(deps.journal, deps.queries, row) : undefined
  if (blocker) return { status: 'conflict', message: blocker }
  try {
    const diff = await planDiff(deps, row, kind, pricedAt)
    return { status: 'ok', diff, fingerprint: await fingerprintOf(diff) }
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err
    const retryable = err.kind === 'transient'
    return { status: 'failed', code: err.code, message: `${err.system}: ${err.message}`, retryable }
  }
}
