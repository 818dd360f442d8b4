import type { BillingResult, BillingSubscription } from '../types.ts'
import { isoDate } from './time.ts'

/**
 * How a Stripe subscription reads in Concord's terms — its status and the end of its current
 * period — for the saga's result and the webhook mirror alike, so both say the same thing.
 */

/** Concord's subscription status (`Billing_Subscription__c.Status__c`). */
export type ConcordStatus = BillingResult['status']

/**
 * The facts of a Stripe subscription its status is read from. A webhook's payload and a read of
 * the subscription both carry them; `schedule` is an object only when read with
 * `expand[]=schedule` (events never expand it).
 */
export interface SubscriptionStatusFacts {
  status: string
  cancel_at_period_end?: boolean | null
  cancel_at?: number | null
  schedule?: string | { end_behavior?: string | null; status?: string | null } | null
}

/**
 * Stripe's subscription status in Concord's terms: the ONE mapping, used for the saga's result
 * and for the webhook mirror alike.
 *
 * - `canceled`, `incomplete_expired` → `canceled`: both are terminal.
 * - `incomplete` (first payment not made yet, 23 h to pay) and `paused` (trial ended without a
 *   payment method; no invoices until resumed) → `pending`: not in force yet.
 * - `past_due` (renewal payment failing, retries running) and `unpaid` (retries exhausted,
 *   invoices stay open) → `past_due`: money is owed. This is the present condition, so it wins
 *   over a cancellation still to come.
 * - `active`, `trialing` → `scheduled_cancel` when set to end — `cancel_at_period_end`, a
 *   `cancel_at` date (Stripe also sets it when a schedule with `end_behavior=cancel` manages the
 *   subscription) or an expanded schedule that ends with `cancel` — else `active`.
 * - Any status Stripe may add later → `pending`, never a claim that it is in force.
 * https://docs.stripe.com/api/subscriptions/object#subscription_object-status
 */
export function concordStatus(sub: SubscriptionStatusFacts): ConcordStatus {
  switch (sub.status) {
    case 'canceled':
    case 'incomplete_expired':
      return 'canceled'
    case 'past_due':
    case 'unpaid':
      return 'past_due'
    case 'active':
    case 'trialing':
      return isEnding(sub) ? 'scheduled_cancel' : 'active'
    default:
      return 'pending'
  }
}

function isEnding(sub: SubscriptionStatusFacts): boolean {
  const schedule = typeof sub.schedule === 'object' ? sub.schedule : undefined
  const managing = schedule?.status === 'active' || schedule?.status === 'not_started'
  return (
    sub.cancel_at_period_end === true ||
    (sub.cancel_at !== null && sub.cancel_at !== undefined) ||
    (managing && schedule?.end_behavior === 'cancel')
  )
}

/** The last instant a JavaScript Date can hold, in unix seconds (a later one is no date at all). */
const MAX_UNIX_SECONDS = 8.64e12

/**
 * The end of the current billing period (`YYYY-MM-DD`): the latest item's, since periods live on
 * subscription items at the pinned API version. Undefined for a subscription without items (or
 * whose ends are not dates).
 */
export function currentPeriodEnd(
  items: ReadonlyArray<{ current_period_end?: unknown }>,
): string | undefined {
  const ends = items
    .map((si) => si.current_period_end)
    .filter((t): t is number => typeof t === 'number' && t <= MAX_UNIX_SECONDS)
  const end = Math.max(0, ...ends)
  return end > 0 ? isoDate(end) : undefined
}

/** The facts of a subscription the mirror reads: a retrieved subscription and a webhook's payload alike. */
export interface SubscriptionFacts extends SubscriptionStatusFacts {
  id: string
  created: number
  currency?: string | null
  metadata?: Readonly<Record<string, string>> | null
  items: ReadonlyArray<{ current_period_end?: unknown; quantity?: unknown; price?: unknown }>
}

const ENDED = new Set(['canceled', 'incomplete_expired'])

/** A subscription in Concord's terms, for the `Billing_Subscription__c` mirror. */
export function billingSubscription(sub: SubscriptionFacts): BillingSubscription {
  const key = sub.metadata?.['subscription_key']
  const first = sub.items[0]
  const price = first?.price
  const priceId = typeof price === 'string' ? price : (price as { id?: unknown } | null)?.id
  return {
    id: sub.id,
    subscriptionKey: typeof key === 'string' && key ? key : undefined,
    status: concordStatus(sub),
    live: !ENDED.has(sub.status),
    created: sub.created,
    currentPeriodEnd: currentPeriodEnd(sub.items),
    quantity: typeof first?.quantity === 'number' ? first.quantity : undefined,
    priceId: typeof priceId === 'string' && priceId ? priceId : undefined,
    currency: sub.currency ? sub.currency.toUpperCase() : undefined,
  }
}
