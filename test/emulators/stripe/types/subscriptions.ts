/** Subscriptions, their items and schedules, in Stripe's API shape. */

import type { Metadata, Price, StripeList } from './core.ts'

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
