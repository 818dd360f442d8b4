/** Subscriptions, their items and schedules, in Stripe's API shape. */

import type { Interval, Metadata, Price, StripeList } from './core.ts'

/** The legacy `plan` every subscription item still carries, mirroring its price. */
export interface Plan {
  id: string
  object: 'plan'
  active: boolean
  amount: number | null
  amount_decimal: string | null
  billing_scheme: 'per_unit'
  created: number
  currency: string
  interval: Interval
  interval_count: number
  livemode: false
  metadata: Metadata
  meter: null
  nickname: string | null
  product: string
  tiers_mode: null
  transform_usage: null
  trial_period_days: null
  usage_type: 'licensed'
}

export interface SubscriptionItem {
  id: string
  object: 'subscription_item'
  billing_thresholds: null
  created: number
  current_period_end: number
  current_period_start: number
  current_trial: null
  discounts: string[]
  metadata: Metadata
  plan: Plan
  price: Price
  quantity: number
  subscription: string
  tax_rates: unknown[]
}

export type SubscriptionStatus =
  | 'incomplete'
  | 'incomplete_expired'
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'paused'

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none'

export interface Subscription {
  id: string
  object: 'subscription'
  application: null
  application_fee_percent: null
  automatic_tax: { disabled_reason: null; enabled: boolean; liability: { type: 'self' } | null }
  billing_cycle_anchor: number
  billing_cycle_anchor_config: null
  billing_mode: BillingMode
  billing_schedules: never[]
  billing_thresholds: null
  cancel_at: number | null
  cancel_at_period_end: boolean
  canceled_at: number | null
  cancellation_details: {
    comment: string | null
    feedback: string | null
    feedback_option: null
    reason: string | null
  }
  collection_method: 'charge_automatically' | 'send_invoice'
  created: number
  currency: string
  customer: string
  customer_account: null
  days_until_due: number | null
  default_payment_method: string | null
  default_source: null
  description: string | null
  discounts: string[]
  ended_at: number | null
  invoice_settings: {
    account_tax_ids: null
    custom_fields: null
    description: null
    footer: null
    issuer: { type: 'self' }
  }
  items: StripeList<SubscriptionItem>
  latest_invoice: string | null
  livemode: false
  managed_payments: null
  metadata: Metadata
  next_pending_invoice_item_invoice: null
  on_behalf_of: null
  pause_collection: null
  payment_settings: {
    payment_method_options: null
    payment_method_types: null
    save_default_payment_method: 'off'
  }
  pending_invoice_item_interval: null
  pending_setup_intent: null
  pending_update: null
  schedule: string | null
  start_date: number
  status: SubscriptionStatus
  test_clock: null
  transfer_data: null
  trial_end: null
  trial_settings: {
    end_behavior: { billing_cycle_anchor: null; missing_payment_method: 'create_invoice' }
  }
  trial_start: null
}

/** `flexible` is the default billing mode of new subscriptions and schedules. */
export interface BillingMode {
  flexible: { proration_discounts: 'included' } | null
  type: 'classic' | 'flexible'
}

export interface PhaseItem {
  billing_thresholds: null
  discounts: never[]
  /** The legacy plan id: the price's. */
  plan: string
  price: string
  quantity: number
  metadata: Metadata
}

export interface SchedulePhase {
  add_invoice_items: never[]
  application_fee_percent: null
  billing_cycle_anchor: null
  billing_thresholds: null
  collection_method: Subscription['collection_method'] | null
  currency: string
  default_payment_method: null
  description: null
  discounts: never[]
  end_date: number
  invoice_settings: null
  items: PhaseItem[]
  metadata: Metadata
  on_behalf_of: null
  proration_behavior: ProrationBehavior
  start_date: number
  transfer_data: null
  trial_end: null
}

export interface SubscriptionSchedule {
  id: string
  object: 'subscription_schedule'
  application: null
  billing_mode: BillingMode
  canceled_at: number | null
  completed_at: number | null
  created: number
  current_phase: { start_date: number; end_date: number } | null
  customer: string
  customer_account: null
  default_settings: {
    application_fee_percent: null
    billing_cycle_anchor: 'automatic'
    billing_thresholds: null
    collection_method: Subscription['collection_method'] | null
    default_payment_method: null
    description: null
    invoice_settings: {
      account_tax_ids: null
      custom_fields: null
      days_until_due: number | null
      description: null
      footer: null
      issuer: { type: 'self' }
    }
    on_behalf_of: null
    transfer_data: null
  }
  end_behavior: 'release' | 'cancel' | 'none' | 'renew'
  livemode: false
  metadata: Metadata
  pause_schedules: never[]
  phases: SchedulePhase[]
  released_at: number | null
  released_subscription: string | null
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled'
  subscription: string | null
  test_clock: null
}
