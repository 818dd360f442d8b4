/** Invoices and what pays or credits them, in Stripe's API shape. */

import type { Metadata, StripeList } from './core.ts'
import type { Subscription } from './subscriptions.ts'

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
    invoice_item_details: {
      invoice_item: string
      proration: boolean
      proration_details: { credited_items: null }
      subscription: string | null
    } | null
  }
  period: { start: number; end: number }
  pretax_credit_amounts: unknown[]
  pricing: {
    type: 'price_details'
    price_details: { price: string; product: string }
    unit_amount_decimal: string
  }
  quantity: number
  quantity_decimal: string
  subscription: string | null
  subtotal: number
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
  billing_reason:
    'subscription_create' | 'subscription_cycle' | 'subscription_update' | 'manual' | 'upcoming'
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
  parent: {
    type: 'subscription_details'
    subscription_details: { metadata: Metadata; subscription: string }
    quote_details: null
  } | null
  period_end: number
  period_start: number
  post_payment_credit_notes_amount: number
  pre_payment_credit_notes_amount: number
  starting_balance: number
  status: InvoiceStatus
  status_transitions: {
    finalized_at: number | null
    marked_uncollectible_at: number | null
    paid_at: number | null
    voided_at: number | null
  }
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
  parent: {
    type: 'subscription_details'
    subscription_details: { subscription: string; subscription_item: string }
  } | null
  period: { start: number; end: number }
  pricing: {
    type: 'price_details'
    price_details: { price: string; product: string }
    unit_amount_decimal: string
  }
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
  outcome: {
    network_status: string
    reason: string | null
    risk_level: string
    seller_message: string
    type: string
  }
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
