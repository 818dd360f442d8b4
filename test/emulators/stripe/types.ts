/**
 * The Stripe objects the emulator keeps, in their public API shape (field names and nullability
 * as in the API reference for the current `basil`/`clover` line of API versions). State is stored
 * in this shape so a response is a deep copy of the stored object.
 */
export type Metadata = Record<string, string>
export type Interval = 'day' | 'week' | 'month' | 'year'

export interface StripeList<T> {
  object: 'list'
  data: T[]
  has_more: boolean
  url: string
  total_count?: number
}

export interface Customer {
  id: string
  object: 'customer'
  address: unknown
  balance: number
  created: number
  currency: string | null
  default_source: string | null
  delinquent: boolean
  description: string | null
  email: string | null
  invoice_prefix: string
  invoice_settings: { custom_fields: null; default_payment_method: string | null; footer: null; rendering_options: null }
  livemode: false
  metadata: Metadata
  name: string | null
  next_invoice_sequence: number
  phone: string | null
  preferred_locales: string[]
  shipping: unknown
  tax_exempt: 'none' | 'exempt' | 'reverse'
  test_clock: null
}

export interface Product {
  id: string
  object: 'product'
  active: boolean
  created: number
  default_price: string | null
  description: string | null
  images: string[]
  livemode: false
  marketing_features: unknown[]
  metadata: Metadata
  name: string
  package_dimensions: null
  shippable: boolean | null
  statement_descriptor: string | null
  tax_code: string | null
  unit_label: string | null
  updated: number
  url: string | null
}

export interface Price {
  id: string
  object: 'price'
  active: boolean
  billing_scheme: 'per_unit'
  created: number
  currency: string
  custom_unit_amount: null
  livemode: false
  lookup_key: string | null
  metadata: Metadata
  nickname: string | null
  product: string
  recurring: { interval: Interval; interval_count: number; meter: null; usage_type: 'licensed'; trial_period_days: null } | null
  tax_behavior: 'unspecified' | 'inclusive' | 'exclusive'
  tiers_mode: null
  transform_quantity: null
  type: 'recurring' | 'one_time'
  unit_amount: number
  unit_amount_decimal: string
}

export interface SubscriptionItem {
  id: string
  object: 'subscription_item'
  created: number
  current_period_end: number
  current_period_start: number
  discounts: string[]
  metadata: Metadata
  price: Price
  quantity: number
  subscription: string
  tax_rates: unknown[]
}

export type SubscriptionStatus = 'incomplete' | 'incomplete_expired' | 'trialing' | 'active' | 'past_due' | 'canceled' | 'unpaid' | 'paused'
export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none'

export interface Subscription {
  id: string
  object: 'subscription'
  application_fee_percent: null
  automatic_tax: { enabled: false; liability: null }
  billing_cycle_anchor: number
  billing_mode: { type: 'classic' | 'flexible' }
  cancel_at: number | null
  cancel_at_period_end: boolean
  canceled_at: number | null
  cancellation_details: { comment: string | null; feedback: string | null; reason: string | null }
  collection_method: 'charge_automatically' | 'send_invoice'
  created: number
  currency: string
  customer: string
  days_until_due: number | null
  default_payment_method: string | null
  description: string | null
  discounts: string[]
  ended_at: number | null
  items: StripeList<SubscriptionItem>
  latest_invoice: string | null
  livemode: false
  metadata: Metadata
  pending_update: null
  schedule: string | null
  start_date: number
  status: SubscriptionStatus
  test_clock: null
  trial_end: null
  trial_start: null
}

export interface PhaseItem {
  price: string
  quantity: number
  metadata: Metadata
}

export interface SchedulePhase {
  start_date: number
  end_date: number
  items: PhaseItem[]
  metadata: Metadata
  proration_behavior: ProrationBehavior
  collection_method: Subscription['collection_method'] | null
  currency: string
}

export interface SubscriptionSchedule {
  id: string
  object: 'subscription_schedule'
  application: null
  billing_mode: { type: 'classic' | 'flexible' }
  canceled_at: number | null
  completed_at: number | null
  created: number
  current_phase: { start_date: number; end_date: number } | null
  customer: string
  default_settings: { collection_method: string | null }
  end_behavior: 'release' | 'cancel' | 'none' | 'renew'
  livemode: false
  metadata: Metadata
  phases: SchedulePhase[]
  released_at: number | null
  released_subscription: string | null
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled'
  subscription: string | null
  test_clock: null
}

export interface LineItem {
  id: string
  object: 'line_item'
  amount: number
  currency: string
  description: string
  discount_amounts: unknown[]
  discountable: boolean
  discounts: string[]
  invoice: string | null
  livemode: false
  metadata: Metadata
  parent: {
    type: 'subscription_item_details' | 'invoice_item_details'
    subscription_item_details: {
      invoice_item: string | null
      proration: boolean
      proration_details: { credited_items: null }
      subscription: string | null
      subscription_item: string
    } | null
    invoice_item_details: { invoice_item: string; proration: boolean; proration_details: { credited_items: null }; subscription: string | null } | null
  }
  period: { start: number; end: number }
  pretax_credit_amounts: unknown[]
  pricing: { type: 'price_details'; price_details: { price: string; product: string }; unit_amount_decimal: string }
  /** Pre-`basil` location of the proration flag, still read by many integrations. */
  proration: boolean
  quantity: number
  subscription: string | null
  taxes: unknown[]
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'

export interface Invoice {
  id: string
  object: 'invoice'
  account_country: string
  account_name: string
  amount_due: number
  amount_overpaid: number
  amount_paid: number
  amount_remaining: number
  amount_shipping: number
  attempt_count: number
  attempted: boolean
  auto_advance: boolean
  automatic_tax: { enabled: false; liability: null; status: null }
  billing_reason: 'subscription_create' | 'subscription_cycle' | 'subscription_update' | 'manual' | 'upcoming'
  collection_method: Subscription['collection_method']
  created: number
  currency: string
  customer: string
  customer_email: string | null
  customer_name: string | null
  description: string | null
  due_date: number | null
  effective_at: number | null
  ending_balance: number | null
  hosted_invoice_url: string | null
  invoice_pdf: string | null
  last_finalization_error: null
  lines: StripeList<LineItem>
  livemode: false
  metadata: Metadata
  next_payment_attempt: number | null
  number: string | null
  parent: { type: 'subscription_details'; subscription_details: { metadata: Metadata; subscription: string }; quote_details: null } | null
  period_end: number
  period_start: number
  post_payment_credit_notes_amount: number
  pre_payment_credit_notes_amount: number
  starting_balance: number
  status: InvoiceStatus
  status_transitions: { finalized_at: number | null; marked_uncollectible_at: number | null; paid_at: number | null; voided_at: number | null }
  subtotal: number
  total: number
  total_excluding_tax: number
  webhooks_delivered_at: number | null
}

export interface InvoiceItem {
  id: string
  object: 'invoiceitem'
  amount: number
  currency: string
  customer: string
  date: number
  description: string
  discountable: boolean
  invoice: string | null
  livemode: false
  metadata: Metadata
  parent: { type: 'subscription_details'; subscription_details: { subscription: string; subscription_item: string } } | null
  period: { start: number; end: number }
  pricing: { type: 'price_details'; price_details: { price: string; product: string }; unit_amount_decimal: string }
  proration: boolean
  quantity: number
}

export interface Refund {
  id: string
  object: 'refund'
  amount: number
  charge: string
  created: number
  currency: string
  metadata: Metadata
  payment_intent: null
  reason: string | null
  status: 'succeeded' | 'pending' | 'failed'
}

export interface Charge {
  id: string
  object: 'charge'
  amount: number
  amount_captured: number
  amount_refunded: number
  balance_transaction: string | null
  captured: boolean
  created: number
  currency: string
  customer: string
  description: string | null
  failure_code: string | null
  failure_message: string | null
  livemode: false
  metadata: Metadata
  outcome: { network_status: string; reason: string | null; risk_level: string; seller_message: string; type: string }
  paid: boolean
  payment_intent: null
  payment_method: string
  payment_method_details: { type: 'card'; card: { brand: string; last4: string } }
  refunded: boolean
  refunds: StripeList<Refund>
  status: 'succeeded' | 'pending' | 'failed'
}

export interface InvoicePayment {
  id: string
  object: 'invoice_payment'
  amount_paid: number | null
  amount_requested: number
  created: number
  currency: string
  invoice: string
  is_default: boolean
  livemode: false
  payment: { type: 'charge'; charge: string }
  status: 'open' | 'paid' | 'canceled'
  status_transitions: { canceled_at: number | null; paid_at: number | null }
}

export interface CreditNote {
  id: string
  object: 'credit_note'
  amount: number
  amount_shipping: number
  created: number
  currency: string
  customer: string
  customer_balance_transaction: string | null
  effective_at: number | null
  invoice: string
  livemode: false
  memo: string | null
  metadata: Metadata
  number: string
  out_of_band_amount: number | null
  pdf: string
  post_payment_amount: number
  pre_payment_amount: number
  reason: 'duplicate' | 'fraudulent' | 'order_change' | 'product_unsatisfactory' | null
  refunds: { amount_refunded: number; refund: string }[]
  status: 'issued' | 'void'
  subtotal: number
  total: number
  type: 'pre_payment' | 'post_payment' | 'mixed'
  voided_at: number | null
}

export interface StripeEvent {
  id: string
  object: 'event'
  api_version: string
  created: number
  data: { object: unknown; previous_attributes?: Record<string, unknown> }
  livemode: false
  pending_webhooks: number
  request: { id: string | null; idempotency_key: string | null }
  type: string
}

export interface WebhookEndpoint {
  id: string
  object: 'webhook_endpoint'
  api_version: string | null
  created: number
  description: string | null
  enabled_events: string[]
  livemode: false
  metadata: Metadata
  secret?: string
  status: 'enabled' | 'disabled'
  url: string
}
