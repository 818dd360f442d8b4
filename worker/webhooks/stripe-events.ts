import { concordStatus, currentPeriodEnd, type ConcordStatus } from '../connectors/stripe/mirror.ts'

export type DocKind = 'invoice' | 'payment' | 'credit_note'

/** A billing event reduced to what the ledger needs: its id, and which documents to re-read. */
export interface BillingEventRef {
  id: string
  type: string
  /** Unix seconds, the billing platform's clock. */
  created: number
  refresh: Array<{ kind: DocKind; id: string }>
  /** A subscription webhook's state, mirrored as it is (ordered by the writer's source time). */
  subscription?: SubscriptionSnapshot
}

/** The part of a Stripe event Concord reads. */
export interface StripeEventEnvelope {
  id: string
  type: string
  created: number
  data: { object: Record<string, unknown> }
}

/** A subscription's state as its webhook carries it, for the `Billing_Subscription__c` mirror. */
export interface SubscriptionSnapshot {
  billingId: string
  subscriptionKey?: string
  status: ConcordStatus
  currentPeriodEnd?: string
  quantity?: number
  priceId?: string
  currency?: string
}

export interface ClassifiedEvent {
  handled: boolean
  /** The billing customer the event is about (routing key to the account). */
  customerId?: string
  /** An invoice whose customer must be looked up when the event itself doesn't name one. */
  invoiceId?: string
  ref: BillingEventRef
  subscription?: SubscriptionSnapshot
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

function snapshotOf(o: Record<string, unknown>, billingId: string): SubscriptionSnapshot {
  // The payload is read as it comes: whatever is not the expected shape counts as absent.
  const data = record(o.items)?.data
  const items: Array<Record<string, unknown>> = []
  for (const item of Array.isArray(data) ? (data as unknown[]) : []) {
    const fields = record(item)
    if (fields) items.push(fields)
  }
  const first = items[0]
  const quantity = first?.quantity
  return {
    billingId,
    subscriptionKey: str(record(o.metadata)?.subscription_key),
    // The same reading of the same facts as the saga's result (one meaning per fact).
    status: concordStatus({
      status: str(o.status) ?? '',
      cancel_at_period_end: o.cancel_at_period_end === true,
      cancel_at: typeof o.cancel_at === 'number' ? o.cancel_at : null,
    }),
    currentPeriodEnd: currentPeriodEnd(items),
    quantity:
      Number.isSafeInteger(quantity) && Number(quantity) >= 0 ? Number(quantity) : undefined,
    priceId: str(record(first?.price)?.id),
    currency: str(o.currency)?.toUpperCase(),
  }
}

/**
 * Reads what to do from a Stripe event: which documents to re-read (never the payload itself:
 * events arrive late, twice and out of order) and whose customer it is.
 */
export function classifyStripeEvent(event: StripeEventEnvelope): ClassifiedEvent {
  const o = event.data.object
  const refresh: Array<{ kind: DocKind; id: string }> = []
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
    return { handled: true, customerId, ref, subscription: snapshotOf(o, id) }
  }
  return { handled: false, customerId, ref }
}
