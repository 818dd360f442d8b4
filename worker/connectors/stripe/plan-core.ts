import type { Amendment, CatalogEntry } from '../../../shared/index.ts'
import type { BillingResult, StepContext } from '../types.ts'
import type { StripeCall } from './calls.ts'
import { businessError } from './errors.ts'
import type { ItemDelta } from './schedules.ts'
import type { Interval, StripePrice } from './stripe-types.ts'
import type { Target } from './subscriptions.ts'
import { startOfDay } from './time.ts'

/** What an amendment plan is made from and made of, and the pure rules every planner shares. */

/**
 * What the saga hands the billing step. `prorationDate` (unix seconds) is the one a preview
 * returned: passed back, the applied change is priced exactly as previewed. Without it Stripe
 * prices the change when it applies it (sending our own "now" would change the parameters on a
 * retry, and Stripe would refuse the idempotency key).
 */
export interface ApplyInput {
  amendment: Amendment
  customerId: string
  subscriptionId?: string
  price?: CatalogEntry
  prorationDate?: number
  /** The last apply's `answer.snapshot`: the subscription to plan from instead of a read. */
  known?: string
  /** Stripe Tax on: a new subscription is created with `automatic_tax[enabled]=true`. */
  automaticTax?: boolean
}

/** Everything a plan is made from. */
export interface PlanInput extends ApplyInput {
  /** What the amendment acts on; for a create, the subscription its key already names, if any. */
  target?: Target
  /** The billing interval of a not-started schedule's price, when no catalog price came along. */
  phaseInterval?: Interval
  /** Unix seconds. */
  now: number
  ctx: StepContext
}

/** How the step's result is read once the calls have run. */
export type PlanResult =
  | { kind: 'known'; result: BillingResult }
  /** The last answer is the subscription; `ref` (an id or `NEW_SCHEDULE`) is what the step changed. */
  | { kind: 'subscription'; ref?: string }
  /** The last answer is a schedule that has not started its subscription yet. */
  | { kind: 'schedule' }

export interface AmendmentPlan {
  calls: StripeCall[]
  result: PlanResult
}

export const known = (result: BillingResult): AmendmentPlan => ({
  calls: [],
  result: { kind: 'known', result },
})

/** The effective date as unix seconds (00:00 UTC), when it is still in the future. */
export function futureStart(a: Amendment, now: number): number | undefined {
  if (!a.effectiveDate) return undefined
  const at = startOfDay(a.effectiveDate)
  return at > now ? at : undefined
}

/** @throws ConnectorError business `missing_price` when the saga passed no catalog entry. */
export function requirePrice(input: { amendment: Amendment; price?: CatalogEntry }): CatalogEntry {
  if (!input.price)
    throw businessError(
      'missing_price',
      `Amendment ${input.amendment.id} (${input.amendment.action}) needs a catalog price.`,
    )
  return input.price
}

/**
 * The item changes an amendment asks for, by Stripe price id. A subscription keeps one currency
 * for life, so a price in another one is refused here rather than left to chance.
 * @throws ConnectorError business `currency_mismatch`
 */
export function deltaOf(input: ApplyInput, currency?: string): ItemDelta {
  const a = input.amendment
  const wantsPrice = a.action === 'change_price' || (a.action === 'renew' && a.priceKey)
  const price = wantsPrice ? requirePrice(input) : undefined
  if (price && currency && price.currency.toLowerCase() !== currency.toLowerCase()) {
    throw businessError(
      'currency_mismatch',
      `Price key ${a.priceKey} is in ${price.currency}; the subscription bills in ${currency.toUpperCase()}. Cancel and create a new subscription to change currency.`,
    )
  }
  return { price: price?.billingPriceId, quantity: a.quantity }
}

export function intervalOf(price: StripePrice): Interval {
  return price.recurring?.interval ?? 'month'
}
