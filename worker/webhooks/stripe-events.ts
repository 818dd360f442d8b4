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
  const items = (o.items as { data?: Array<Record<string, unknown>> } | undefined)?.data ?? []
  return billingSubscription({
    id: String(o.id),
    created: typeof o.created === 'number' ? o.created : 0,
    currency: str(o.currency),
    metadata: o.metadata as Record<string, string> | undefined,
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
  const id = str(o.id)
  if (INVOICE_EVENTS.has(event.type) && id) {
    refresh.push({ kind: 'invoice', id })
    return { handled: true, customerId: str(o.customer), ref }
  }
  if (event.type === 'invoice_payment.paid') {
    const invoiceId = str(o.invoice)
    if (invoiceId) refresh.push({ kind: 'invoice', id: invoiceId })
    return { handled: !!invoiceId, customerId: str(o.customer), invoiceId, ref }
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
      id: event.type === 'charge.refund.updated' ? (str(o.charge) ?? id) : id,
    })
    return { handled: true, customerId: str(o.customer), ref }
  }
  if (event.type.startsWith('credit_note.') && id) {
    refresh.push({ kind: 'credit_note', id })
    return { handled: true, customerId: str(o.customer), ref }
  }
  if (event.type.startsWith('customer.subscription.') && id) {
    refresh.push({ kind: 'subscription', id })
    return { handled: true, customerId: str(o.customer), ref, subscription: snapshotOf(o) }
  }
  return { handled: false, customerId: str(o.customer), ref }
}
