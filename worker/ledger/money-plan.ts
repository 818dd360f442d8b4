import type { MoneyRequest } from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import type {
  CreditableInvoice,
  CreditNoteParams,
  ErpMoneyRecord,
  MoneyConnectors,
  RefundableCharge,
  RefundParams,
} from '../connectors/money.ts'
import { toMajor } from '../lib/currency.ts'
import type { PlannedCall } from '../connectors/types.ts'
import { ConnectorError } from '../failure/errors.ts'
import { fingerprintOf } from './fingerprint.ts'

/**
 * The dry run of a credit note or a refund: the exact vendor calls with their amounts, planned
 * from billing's current state (what is still creditable or refundable, Stripe's own preview of
 * the credit note), and the ERP records that mirror them. Read-only. Everything that would make
 * the action fail is refused here, before anyone is asked to approve it.
 */
export interface MoneyDiff {
  kind: 'credit' | 'refund'
  request: MoneyRequest
  requestId: string
  currency: string
  /** What the action moves, in minor units. */
  amount: number
  /** Billing's state the plan rests on: a change to it sends the request back for approval. */
  source: { document: string; status: string; total: number; available: number }
  calls: PlannedCall[]
  erp: ErpMoneyRecord[]
  notes: string[]
  computedAt: string
  /** Not an amendment's billing plan (lets views read `diff.billing` of any request's diff). */
  billing?: never
}

/** Whether a request's diff is a money plan (credit or refund) rather than an amendment's. */
export function isMoneyDiff(diff: { computedAt: string }): diff is MoneyDiff {
  return 'requestId' in diff && 'source' in diff
}

/** The billing and ERP facts a plan needs from the account's ledger. */
export interface MoneyFacts {
  billingCustomerId?: string
  erpCustomerId?: string
  /** The ERP item of the account's last recorded order line, when there is one. */
  fallbackItemId?: string
}

export type MoneyPlanResult =
  | { status: 'ok'; diff: MoneyDiff; fingerprint: string }
  | { status: 'refused'; message: string }
  | { status: 'failed'; code: string; message: string; retryable: boolean }

class Refusal extends Error {}
const refuse = (message: string): never => {
  throw new Refusal(message)
}

/** Idempotency keys and external ids read like what they guard, from the request id. */
export const moneyKeys = (requestId: string) => ({
  billing: `${requestId}:billing`,
  erpMemo: `concord-${requestId.replace(/[^A-Za-z0-9-]/g, '-')}-memo`,
  erpRefund: `concord-${requestId.replace(/[^A-Za-z0-9-]/g, '-')}-refund`,
})

const metadataOf = (requestId: string, accountId: string) => ({
  concord_request_id: requestId,
  sf_account_id: accountId,
})

function itemFor(config: Config, priceId: string | undefined, facts: MoneyFacts) {
  const entry = Object.values(config.catalog.prices).find((p) => p.billingPriceId === priceId)
  return entry?.erpItemId ?? facts.fallbackItemId
}

function checkInvoice(
  inv: CreditableInvoice,
  req: MoneyRequest & { kind: 'credit' },
  f: MoneyFacts,
) {
  if (inv.customerId !== f.billingCustomerId)
    refuse(`Invoice ${inv.id} does not belong to account ${req.accountId}.`)
  if (inv.currency !== req.currency)
    refuse(`The currency ${req.currency} does not match invoice ${inv.id}'s ${inv.currency}.`)
  if (inv.status !== 'open' && inv.status !== 'paid')
    refuse(`Invoice ${inv.id} is ${inv.status}; only open or paid invoices can be credited.`)
}

function creditAmount(inv: CreditableInvoice, req: MoneyRequest & { kind: 'credit' }): number {
  if (req.amount !== undefined) return req.amount
  let sum = 0
  for (const l of req.lines ?? []) {
    const line = inv.lines.find((x) => x.id === l.lineId)
    if (!line) return refuse(`Invoice ${inv.id} has no line ${l.lineId}.`)
    if (l.quantity !== undefined && l.quantity > line.quantity)
      refuse(`Line ${l.lineId} has a quantity of ${line.quantity}, fewer than ${l.quantity}.`)
    sum += l.amount ?? Math.round((line.amount * (l.quantity ?? line.quantity)) / line.quantity)
  }
  return sum
}

async function planCredit(
  m: MoneyConnectors,
  config: Config,
  req: MoneyRequest & { kind: 'credit' },
  requestId: string,
  facts: MoneyFacts,
): Promise<Omit<MoneyDiff, 'computedAt'>> {
  const inv = await m.billing.creditableInvoice(req.invoiceId)
  checkInvoice(inv, req, facts)
  const amount = creditAmount(inv, req)
  if (amount > inv.creditable)
    refuse(
      `The credit of ${amount} ${req.currency} exceeds what is creditable on invoice ${inv.id} (${inv.creditable} ${req.currency}).`,
    )
  const params: CreditNoteParams = {
    invoiceId: inv.id,
    amount: req.amount,
    lines: req.lines,
    reason: req.reason,
    memo: req.memo,
    metadata: metadataOf(requestId, req.accountId),
  }
  const preview = await m.billing.previewCreditNote(params)
  const keys = moneyKeys(requestId)
  const firstLine = req.lines?.[0]?.lineId ?? inv.lines[0]?.id
  const itemId = itemFor(config, inv.lines.find((l) => l.id === firstLine)?.priceId, facts)
  const notes = [
    preview.postPaymentAmount > 0
      ? `${preview.postPaymentAmount} ${req.currency} of it is credited to the customer's balance (the invoice is paid).`
      : `It lowers what invoice ${inv.id} still owes.`,
  ]
  return {
    kind: 'credit',
    request: req,
    requestId,
    currency: req.currency,
    amount: preview.amount,
    source: { document: inv.id, status: inv.status, total: inv.total, available: inv.creditable },
    calls: [m.billing.creditNoteCall(params, keys.billing)],
    erp: [erpMemo(req, requestId, facts, preview.amount, itemId)],
    notes,
  }
}

function erpMemo(
  req: MoneyRequest,
  requestId: string,
  facts: MoneyFacts,
  amount: number,
  itemId: string | undefined,
): ErpMoneyRecord {
  return {
    record: 'creditmemo',
    externalId: moneyKeys(requestId).erpMemo,
    customerId: facts.erpCustomerId ?? '',
    amount: toMajor(amount, req.currency),
    itemId,
    memo: requestId,
  }
}

function checkCharge(ch: RefundableCharge, req: MoneyRequest & { kind: 'refund' }, f: MoneyFacts) {
  if (ch.customerId !== f.billingCustomerId)
    refuse(`Payment ${ch.id} does not belong to account ${req.accountId}.`)
  if (ch.currency !== req.currency)
    refuse(`The currency ${req.currency} does not match payment ${ch.id}'s ${ch.currency}.`)
  if (ch.status === 'failed') refuse(`Payment ${ch.id} failed; there is nothing to refund.`)
  if (ch.status !== 'succeeded' || !ch.captured)
    refuse(`Payment ${ch.id} has not been captured; there is nothing to refund yet.`)
  if (ch.refundable === 0) refuse(`Payment ${ch.id} is already fully refunded.`)
}

async function planRefund(
  m: MoneyConnectors,
  req: MoneyRequest & { kind: 'refund' },
  requestId: string,
  facts: MoneyFacts,
): Promise<Omit<MoneyDiff, 'computedAt'>> {
  const ch = await m.billing.refundableCharge(req.paymentId)
  checkCharge(ch, req, facts)
  const amount = req.amount ?? ch.refundable
  if (amount > ch.refundable)
    refuse(
      `The refund of ${amount} ${req.currency} exceeds what is refundable on payment ${ch.id} (${ch.refundable} ${req.currency}).`,
    )
  const keys = moneyKeys(requestId)
  const params: RefundParams = {
    chargeId: ch.id,
    amount,
    reason: req.reason,
    metadata: metadataOf(requestId, req.accountId),
  }
  const memo = erpMemo(req, requestId, facts, amount, facts.fallbackItemId)
  return {
    kind: 'refund',
    request: req,
    requestId,
    currency: req.currency,
    amount,
    source: { document: ch.id, status: ch.status, total: ch.amount, available: ch.refundable },
    calls: [m.billing.refundCall(params, keys.billing)],
    erp: [
      memo,
      {
        ...memo,
        record: 'customerRefund',
        externalId: keys.erpRefund,
        itemId: undefined,
        creditMemoExternalId: memo.externalId,
      },
    ],
    notes: ['NetSuite records the refund as a credit memo paid out by a customer refund.'],
  }
}

/**
 * Plans a money action for this account from the vendors' current state.
 * @returns a refusal naming the problem for anything the vendors would refuse or that breaks a
 * rule (more than is creditable or refundable, a currency that does not match, a failed payment,
 * another customer's document); `failed` when a vendor could not be read.
 */
export async function planMoney(
  m: MoneyConnectors,
  config: Config,
  req: MoneyRequest,
  requestId: string,
  facts: MoneyFacts,
): Promise<MoneyPlanResult> {
  try {
    if (!facts.billingCustomerId) refuse(`Account ${req.accountId} has no billing customer yet.`)
    if (!facts.erpCustomerId) refuse(`Account ${req.accountId} has no ERP customer yet.`)
    const said =
      req.kind === 'credit'
        ? await planCredit(m, config, req, requestId, facts)
        : await planRefund(m, req, requestId, facts)
    const diff: MoneyDiff = { ...said, computedAt: new Date().toISOString() }
    return { status: 'ok', diff, fingerprint: await fingerprintOf(diff) }
  } catch (err) {
    if (err instanceof Refusal) return { status: 'refused', message: err.message }
    if (!(err instanceof ConnectorError)) throw err
    if (err.kind !== 'transient')
      return { status: 'refused', message: `${err.system} refuses it: ${err.message}` }
    return {
      status: 'failed',
      code: err.code,
      message: `${err.system}: ${err.message}`,
      retryable: true,
    }
  }
}
