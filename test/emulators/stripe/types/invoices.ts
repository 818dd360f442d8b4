/** Invoices and what pays or credits them, in Stripe's API shape. */

import type { Metadata, StripeList, TaxAmount } from './core.ts'
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
  taxes: TaxAmount[]
}

export type InvoiceStatus = 'draft' | 'open' | 'paid' | 'void' | 'uncollectible'

/** Invoice fields the pinned version always carries that the emulator never fills (no tax, Connect, shipping, revisions). */
export interface InvoiceBlanks {
  account_tax_ids: null
  application: null
  automatically_finalizes_at: null
  custom_fields: null
  customer_account: null
  customer_phone: null
  customer_shipping: null
  default_payment_method: null
  default_source: null
  default_tax_rates: never[]
  discounts: never[]
  footer: null
  from_invoice: null
  issuer: { type: 'self' }
  latest_revision: null
  on_behalf_of: null
  payment_settings: {
    default_mandate: null
    payment_method_options: null
    payment_method_types: null
  }
  receipt_number: null
  rendering: null
  shipping_cost: null
  shipping_details: null
  statement_descriptor: null
  test_clock: null
  total_discount_amounts: never[]
  total_pretax_credit_amounts: never[]
}

export interface Invoice extends InvoiceBlanks {
  customer_address: unknown
  customer_tax_exempt: 'none' | 'exempt' | 'reverse'
  total_taxes: TaxAmount[]
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
  automatic_tax: {
    disabled_reason: null
    enabled: boolean
    liability: { type: 'self' } | null
    provider: 'stripe' | null
    status: 'complete' | null
  }
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
  subtotal_excluding_tax: number
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
  customer_account: null
  date: number
  description: string
  discountable: boolean
  discounts: never[]
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
  quantity_decimal: string
  tax_rates: never[]
  test_clock: null
}

export interface Refund {
  id: string
  object: 'refund'
  amount: number
  balance_transaction: string | null
  charge: string
  created: number
  currency: string
  customer: string | null
  customer_account: null
  metadata: Metadata
  payment_intent: null
  payment_method: string | null
  reason: string | null
  receipt_number: null
  source_transfer_reversal: null
  transfer_reversal: null
  status: 'succeeded' | 'pending' | 'failed'
}

/** Charge fields the pinned version always carries that the emulator never fills (no Connect, Radar, shipping, receipts). */
export interface ChargeBlanks {
  application: null
  application_fee: null
  application_fee_amount: null
  billing_details: {
    address: null
    email: null
    name: null
    phone: null
    tax_id: null
  }
  calculated_statement_descriptor: string | null
  disputed: false
  failure_balance_transaction: null
  fraud_details: Record<string, never>
  on_behalf_of: null
  receipt_email: null
  receipt_number: null
  receipt_url: null
  review: null
  shipping: null
  source: null
  source_transfer: null
  statement_descriptor: null
  statement_descriptor_suffix: null
  transfer_data: null
  transfer_group: null
}

export interface Charge extends ChargeBlanks {
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
    advice_code: null
    network_advice_code: null
    network_decline_code: string | null
    network_status: string
    reason: string | null
    risk_level: string
    seller_message: string
    type: string
  }
  paid: boolean
  payment_intent: null
  payment_method: string
  payment_method_details: {
    type: 'card'
    card: {
      amount_authorized: number | null
      authorization_code: string | null
      brand: string
      checks: { address_line1_check: null; address_postal_code_check: null; cvc_check: 'pass' }
      country: string
      electronic_commerce_indicator: null
      exp_month: number
      exp_year: number
      funding: 'credit'
      installments: null
      last4: string
      mandate: null
      network: string
      network_transaction_id: string | null
      regulated_status: 'unregulated'
      three_d_secure: null
      transaction_link_id: null
      wallet: null
    }
  }
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

/** A credit note line: a custom amount, or part of one of the invoice's lines. */
export interface CreditNoteLine {
  id: string
  object: 'credit_note_line_item'
  amount: number
  description: string | null
  discount_amount: number
  discount_amounts: never[]
  livemode: false
  metadata: Metadata
  pretax_credit_amounts: never[]
  quantity: number
  tax_rates: never[]
  taxes: never[]
  type: 'custom_line_item' | 'invoice_line_item'
  invoice_line_item?: string
  unit_amount: number | null
  unit_amount_decimal: string | null
}

export interface CreditNote {
  id: string
  object: 'credit_note'
  amount: number
  amount_shipping: number
  created: number
  currency: string
  customer: string
  customer_account: null
  customer_balance_transaction: string | null
  discount_amount: number
  discount_amounts: never[]
  effective_at: number | null
  invoice: string
  lines: StripeList<CreditNoteLine>
  livemode: false
  memo: string | null
  metadata: Metadata
  number: string
  out_of_band_amount: number | null
  pdf: string
  post_payment_amount: number
  pre_payment_amount: number
  pretax_credit_amounts: never[]
  reason: 'duplicate' | 'fraudulent' | 'order_change' | 'product_unsatisfactory' | null
  refunds: {
    amount_refunded: number
    payment_record_refund: null
    refund: string
    type: 'refund'
  }[]
  shipping_cost: null
  status: 'issued' | 'void'
  subtotal: number
  subtotal_excluding_tax: number
  total: number
  total_excluding_tax: number
  total_taxes: never[]
  type: 'pre_payment' | 'post_payment' | 'mixed'
  voided_at: number | null
}
