import { billingSubscription } from '../connectors/stripe/mirror.ts'
import type { BillingSubscription } from '../connectors/types.ts'

export type DocKind = 'invoice' | 'payment' | 'credit_note'
/** What a webhook can ask the ledger to re-read: a financial document or a subscription. */
export type RefreshKind = DocKind | 'subscription'

/** A billing event reduced to what the ledger needs: its id, and which objects to re-read. */
export interface BillingEventRef {
  id: string
  type: string
  /** Unix seconds, the billing platform's clock (one second holds many events: never an order). */
  created: number
  refresh: Array<{ kind: RefreshKind; id: string }>
}

/** The part of a Stripe event Concord reads. */
export interface StripeEventEnvelope {
  id: string
  type: string
  created: number
  data: { object: Record<string, unknown> }
}

export interface ClassifiedEvent {
  handled: boolean
  /** The billing customer the event is about (routing key to the account). */
  customerId?: string
  /** An invoice whose customer must be looked up when the event itself doesn't name one. */
  invoiceId?: string
  ref: BillingEventRef
  /**
   * What a subscription event's payload says, read the way a re-read is. Never written: the
   * mirror comes from a re-read (events come late, twice and out of order, many in one second).
   */
  subscription?: BillingSubscription
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined)
const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined

/**
 * A Stripe object id (`in_…`, `cus_…`), or undefined for anything else: such a value names no
 * Stripe object, so it is never put in a URL to Stripe (a payload is signed, not well-formed).
 */
const STRIPE_ID = /^[a-z]+_[A-Za-z0-9_]{1,250}$/
const stripeId = (v: unknown): string | undefined =>
  typeof v === 'string' && STRIPE_ID.test(v) ? v : undefined

const INVOICE_EVENTS = new Set([
  'invoice.created',
  'invoice.finalized',
  'invoice.finalization_failed',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
  'invoice.updated',
])

function snapshotOf(o: Record<string, unknown>): BillingSubscription {
  // The payload is read as it comes: whatever is not the expected shape counts as absent.
  const data = record(o.items)?.data
  const items: Array<Record<string, unknown>> = []
  for (const item of Array.isArray(data) ? (data as unknown[]) : []) {
    const fields = record(item)
    if (fields) items.push(fields)
  }
  return billingSubscription({
    id: String(o.id),
    created: typeof o.created === 'number' ? o.created : 0,
    currency: str(o.currency),
    metadata: record(o.metadata) as Record<string, string> | undefined,
    // The same reading of the same facts as the saga's result (one meaning per fact).
    status: str(o.status) ?? '',
    cancel_at_period_end: o.cancel_at_period_end === true,
    cancel_at: typeof o.cancel_at === 'number' ? o.cancel_at : null,
    items,
  })
}

/**
 * Reads what to do from a Stripe event: which objects to re-read (never the payload itself:
 * events arrive late, twice and out of order) and whose customer it is.
 */
export function classifyStripeEvent(event: StripeEventEnvelope): ClassifiedEvent {
  const o = event.data.object
  const refresh: BillingEventRef['refresh'] = []
  const ref: BillingEventRef = { id: event.id, type: event.type, created: event.created, refresh }
  const id = stripeId(o.id)
  const customerId = stripeId(o.customer)
  if (INVOICE_EVENTS.has(event.type) && id) {
    refresh.push({ kind: 'invoice', id })
    return { handled: true, customerId, ref }
  }
  if (event.type === 'invoice_payment.paid') {
    const invoiceId = stripeId(o.invoice)
    if (invoiceId) refresh.push({ kind: 'invoice', id: invoiceId })
    return { handled: !!invoiceId, customerId, invoiceId, ref }
  }
  if (
    (event.type === 'charge.refunded' ||
      event.type === 'charge.succeeded' ||
      event.type === 'charge.failed' ||
      event.type === 'charge.refund.updated') &&
    id
  ) {
    refresh.push({
      kind: 'payment',
      id: event.type === 'charge.refund.updated' ? (stripeId(o.charge) ?? id) : id,
    })
    return { handled: true, customerId, ref }
  }
  if (event.type.startsWith('credit_note.') && id) {
    refresh.push({ kind: 'credit_note', id })
    return { handled: true, customerId, ref }
  }
  if (event.type.startsWith('customer.subscription.') && id) {
    refresh.push({ kind: 'subscription', id })
    return { handled: true, customerId, ref, subscription: snapshotOf(o) }
  }
  return { handled: false, customerId, ref }
}
