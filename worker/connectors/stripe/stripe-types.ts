/**
 * The parts of Stripe's objects Concord reads, at the pinned API version. Only connectors see
 * these; everything above speaks the canonical model in `shared/`.
 */

export type Metadata = Record<string, string>
export type Interval = 'day' | 'week' | 'month' | 'year'
export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none'

export interface StripeList<T> {
  object: 'list'
  data: T[]
  has_more: boolean
}

export interface StripeSearchResult<T> {
  object: 'search_result'
  data: T[]
  has_more: boolean
  next_page: string | null
}

export interface StripeCustomer {
  id: string
  created: number
  name: string | null
  email?: string | null
  metadata: Metadata
}

export interface StripePrice {
  id: string
  currency: string
  unit_amount: number | null
  recurring: { interval: Interval; interval_count: number } | null
}

export interface StripeSubscriptionItem {
  id: string
  price: StripePrice
  quantity?: number
  current_period_start: number
  current_period_end: number
}

export type StripeSubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused'

/** An event as `GET /v1/events` lists it: what happened, when, and the object as it was then. */
export interface StripeEvent {
  id: string
  object: 'event'
  type: string
  /** Unix seconds (many events share one). */
  created: number
  data: { object: Record<string, unknown> }
}

export interface StripeSubscription {
  id: string
  object: 'subscription'
  customer: string
  status: StripeSubscriptionStatus
  currency: string
  cancel_at: number | null
  cancel_at_period_end: boolean
  /** An id, or the object when requested with `expand[]=schedule`. */
  schedule: string | StripeSchedule | null
  metadata: Metadata
  items: StripeList<StripeSubscriptionItem>
  latest_invoice: string | null
  billing_cycle_anchor?: number
  created: number
}

export interface StripeSchedulePhase {
  start_date: number
  end_date: number
  items: Array<{ price: string | { id: string }; quantity?: number }>
  proration_behavior?: ProrationBehavior
  metadata?: Metadata | null
  currency?: string
}

export interface StripeSchedule {
  id: string
  object: 'subscription_schedule'
  customer: string
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled'
  subscription: string | StripeSubscription | null
  released_subscription?: string | null
  end_behavior: 'release' | 'cancel' | 'none' | 'renew'
  current_phase: { start_date: number; end_date: number } | null
  phases: StripeSchedulePhase[]
  metadata: Metadata
}

export interface StripeLineItem {
  id: string
  amount: number
  currency: string
  description: string | null
  period: { start: number; end: number }
  parent?: {
    subscription_item_details?: { proration?: boolean } | null
    invoice_item_details?: { proration?: boolean } | null
  } | null
}

export type StripeInvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'

export interface StripeInvoice {
  id: string
  object: 'invoice'
  customer: string
  number: string | null
  status: StripeInvoiceStatus | null
  currency: string
  amount_due: number
  amount_paid: number
  amount_remaining: number
  subtotal: number
  total: number
  /** Stripe Tax's taxes (the pinned version's shape; `tax_rate` is a `txr_` id). */
  total_taxes?: StripeTotalTax[] | null
  created: number
  due_date: number | null
  hosted_invoice_url: string | null
  billing_reason?: string | null
  status_transitions: {
    finalized_at: number | null
    paid_at: number | null
    voided_at: number | null
    marked_uncollectible_at: number | null
  }
  parent?: {
    subscription_details?: { metadata?: Metadata | null; subscription?: string | null } | null
  } | null
  lines: StripeList<StripeLineItem>
  metadata?: Metadata | null
}

export interface StripeTotalTax {
  amount: number
  taxability_reason: string
  taxable_amount: number | null
  tax_rate_details: { tax_rate: string } | null
}

/** A tax rate Stripe Tax made for a jurisdiction. */
export interface StripeTaxRate {
  id: string
  jurisdiction: string | null
  country: string | null
  state: string | null
  percentage: number
  effective_percentage: number | null
  tax_type: string | null
}

export interface StripeRefund {
  id: string
  amount: number
  created: number
  status: string | null
}

export interface StripeCharge {
  id: string
  object: 'charge'
  amount: number
  amount_refunded: number
  currency: string
  created: number
  customer: string | null
  status: 'succeeded' | 'pending' | 'failed'
  failure_code: string | null
  failure_message: string | null
  refunded: boolean
  /** Present when expanded (`expand[]=refunds`); not included by default in current versions. */
  refunds?: StripeList<StripeRefund> | null
  payment_method_details?: {
    type: string
    card?: { brand?: string | null; last4?: string | null } | null
  } | null
}

export interface StripeInvoicePayment {
  id: string
  object: 'invoice_payment'
  invoice: string
  amount_paid: number | null
  currency: string
  created: number
  status: 'open' | 'paid' | 'canceled'
  payment: { type: string; charge?: string | null; payment_intent?: string | null }
  status_transitions: { paid_at: number | null; canceled_at: number | null }
}

export interface StripeCreditNote {
  id: string
  object: 'credit_note'
  invoice: string
  customer: string
  status: 'issued' | 'void'
  currency: string
  amount: number
  number?: string
  reason?: 'duplicate' | 'fraudulent' | 'order_change' | 'product_unsatisfactory' | null
  /** The refunds made out of it (https://docs.stripe.com/api/credit_notes/object#credit_note_object-refunds). */
  refunds?: Array<{ amount_refunded: number }>
  created: number
  voided_at: number | null
}
