import { businessError } from './errors.ts'
import type { FormValue } from './form.ts'
import type {
  Interval,
  Metadata,
  ProrationBehavior,
  StripeSchedule,
  StripeSubscription,
} from './stripe-types.ts'
import { addInterval } from './time.ts'

/**
 * Future-dated changes go through subscription schedules: a schedule is made from the live
 * subscription (`from_subscription`, which can't take `phases` in the same call), then its
 * phases are rewritten so the change starts at the effective date.
 * https://docs.stripe.com/billing/subscriptions/subscription-schedules/use-cases
 *
 * Everything here is pure phase arithmetic; `calls.ts` turns phases into requests.
 *
 * Retries: the two calls carry sub-keys `${key}:1` and `${key}:2`. The phases are computed from
 * the schedule as read, and the computation is a fixed point — running it on a schedule that
 * already holds the change yields the same phases — so a retried update sends the same
 * parameters and Stripe replays it rather than refusing a mismatched key.
 */

/** One phase as Concord rewrites it (items by price id). */
export interface Phase {
  start: number
  end: number
  items: Array<{ price: string; quantity?: number }>
  prorationBehavior?: ProrationBehavior
  metadata: Metadata
}

/** What an amendment does to the items of the phases it covers. */
export interface ItemDelta {
  price?: string
  quantity?: number
}

/** The current and future phases (Stripe lets an update leave past phases out). */
export function readPhases(schedule: StripeSchedule): Phase[] {
  const current = schedule.current_phase?.start_date
  return schedule.phases
    .filter((p) => current === undefined || p.end_date > current)
    .map((p) => ({
      start: p.start_date,
      end: p.end_date,
      items: p.items.map((it) => ({
        price: typeof it.price === 'string' ? it.price : it.price.id,
        quantity: it.quantity,
      })),
      prorationBehavior: p.proration_behavior,
      metadata: { ...(p.metadata ?? {}) },
    }))
}

/** The phase with the delta on its (single) item, entered with the amendment's proration and correlation id. */
export function withDelta(
  delta: ItemDelta,
  proration: ProrationBehavior,
  correlationId: string,
): (p: Phase) => Phase {
  return (p) => ({
    ...p,
    items: p.items.map((it, i) =>
      i === 0 ? { price: delta.price ?? it.price, quantity: delta.quantity ?? it.quantity } : it,
    ),
    prorationBehavior: proration,
    // Phase metadata is copied onto the subscription when the phase begins.
    metadata: { ...p.metadata, correlation_id: correlationId },
  })
}

/**
 * Applies `change` to everything from `from` on: phases after it change, a phase spanning it
 * splits there; when the schedule ends before `from`, the last items carry on to `from` and the
 * changed terms run one `interval` beyond it (then the schedule releases the subscription).
 */
export function changeFrom(
  phases: Phase[],
  from: number,
  change: (p: Phase) => Phase,
  interval: Interval,
): Phase[] {
  const out: Phase[] = []
  for (const p of phases) {
    if (p.end <= from) out.push(p)
    else if (p.start >= from) out.push(change(p))
    else out.push({ ...p, end: from }, change({ ...p, start: from }))
  }
  const last = out.at(-1)
  if (!last)
    throw businessError(
      'schedule_without_phases',
      'The subscription schedule has no current or future phases.',
    )
  if (last.end < from) out.push({ ...last, start: last.end, end: from })
  if (last.end <= from)
    out.push({ ...change({ ...last, start: from }), end: addInterval(from, interval) })
  return out
}

/** Ends the phases at `at` (for `end_behavior=cancel`), carrying the last items on if they end sooner. */
export function cutAt(phases: Phase[], at: number): Phase[] {
  const out = phases.filter((p) => p.start < at).map((p) => (p.end > at ? { ...p, end: at } : p))
  const last = out.at(-1)
  if (!last)
    throw businessError(
      'schedule_without_phases',
      'The subscription schedule has no phase before the cancellation date.',
    )
  if (last.end < at) out.push({ ...last, start: last.end, end: at })
  return out
}

/** `phases[i][…]` parameters; only the first phase names its start (the rest follow on). */
export function phaseParams(phases: Phase[]): FormValue[] {
  return phases.map((p, i) => ({
    start_date: i === 0 ? p.start : undefined,
    end_date: p.end,
    items: p.items.map((it) => ({ price: it.price, quantity: it.quantity })),
    proration_behavior: p.prorationBehavior,
    metadata: p.metadata,
  }))
}

/**
 * The phases of the schedule Stripe makes `from_subscription`, read before it exists: one phase
 * over the current period with the subscription's items (Stripe's default proration, no
 * metadata), so the plan can write the following phases in the same step. A retried step reads
 * the real schedule instead, which then holds exactly the phases that update sent.
 */
export function fromSubscriptionPhases(sub: StripeSubscription): Phase[] {
  const first = sub.items.data[0]
  if (!first) return []
  return [
    {
      start: first.current_period_start,
      end: first.current_period_end,
      items: sub.items.data.map((si) => ({ price: si.price.id, quantity: si.quantity })),
      prorationBehavior: 'create_prorations',
      metadata: {},
    },
  ]
}
