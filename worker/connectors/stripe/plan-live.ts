import type { StepContext } from '../types.ts'
import {
  cancelSchedule,
  deleteSubscription,
  NEW_SCHEDULE,
  readSubscription,
  scheduleFromSubscription,
  updateSubscription,
  writePhases,
  type StripeCall,
} from './calls.ts'
import { businessError } from './errors.ts'
import { concordStatus } from './mirror.ts'
import {
  deltaOf,
  futureStart,
  intervalOf,
  known,
  type AmendmentPlan,
  type PlanInput,
} from './plan-core.ts'
import {
  changeFrom,
  cutAt,
  fromSubscriptionPhases,
  readPhases,
  withDelta,
  type Phase,
} from './schedules.ts'
import type { StripeSchedule, StripeSubscription, StripeSubscriptionItem } from './stripe-types.ts'
import { isEnded, primaryItem, subscriptionResult } from './subscriptions.ts'
import { addInterval } from './time.ts'

/** Plans for amendments to a live subscription: change, cancel, renew. */

/** The schedule a change goes through: the attached one, or one the plan makes first. */
interface ScheduleView {
  id: string
  phases: Phase[]
  endBehavior: StripeSchedule['end_behavior']
  currentStart?: number
  /** The calls that make it (none when it is already attached). */
  calls: StripeCall[]
}

function scheduleFor(
  sub: StripeSubscription,
  schedule: StripeSchedule | undefined,
  ctx: StepContext,
): ScheduleView {
  if (schedule)
    return {
      id: schedule.id,
      phases: readPhases(schedule),
      endBehavior: schedule.end_behavior,
      currentStart: schedule.current_phase?.start_date,
      calls: [],
    }
  const phases = fromSubscriptionPhases(sub)
  return {
    id: NEW_SCHEDULE,
    phases,
    endBehavior: 'release',
    currentStart: phases[0]?.start,
    calls: [scheduleFromSubscription(sub.id, ctx)],
  }
}

/** Writes through the schedule, then re-reads the subscription it changed. */
function throughSchedule(
  sub: StripeSubscription,
  view: ScheduleView,
  write: StripeCall,
): AmendmentPlan {
  return {
    calls: [...view.calls, write, readSubscription(sub.id)],
    result: { kind: 'subscription', ref: view.id },
  }
}

/** A quantity or price change, now or at the effective date. */
export function planChange(
  input: PlanInput,
  sub: StripeSubscription,
  schedule: StripeSchedule | undefined,
): AmendmentPlan {
  const a = input.amendment
  const ctx = input.ctx
  const item = primaryItem(sub)
  const delta = deltaOf(input, sub.currency)
  const start = futureStart(a, input.now)
  if (start !== undefined && concordStatus(sub) === 'scheduled_cancel') {
    throw businessError(
      'subscription_ending',
      `Subscription ${sub.id} is set to end; renew it before scheduling a change for ${a.effectiveDate}.`,
    )
  }
  if (start === undefined && !schedule) {
    const params = {
      items: [{ id: item.id, price: delta.price, quantity: delta.quantity }],
      proration_behavior: a.proration,
      proration_date: input.prorationDate,
      metadata: { correlation_id: a.correlationId },
      expand: ['schedule'],
    }
    return {
      calls: [updateSubscription(sub.id, params, ctx.idempotencyKey)],
      result: { kind: 'subscription' },
    }
  }
  // A schedule decides the items at each phase change, so while one is attached even an
  // immediate change goes through it (from the current phase on), or the next phase would undo it.
  const view = scheduleFor(sub, schedule, ctx)
  const phases = changeFrom(
    view.phases,
    start ?? view.currentStart ?? item.current_period_start,
    withDelta(delta, a.proration, a.correlationId),
    input.price?.interval ?? intervalOf(item.price),
  )
  const endBehavior = view.endBehavior === 'cancel' ? 'cancel' : 'release'
  const prorationBehavior = start === undefined ? a.proration : undefined
  return throughSchedule(
    sub,
    view,
    writePhases(view.id, { phases, endBehavior, prorationBehavior }, ctx),
  )
}

/** A cancellation now, at period end, or at the effective date. */
export function planCancel(
  input: PlanInput,
  sub: StripeSubscription,
  schedule: StripeSchedule | undefined,
): AmendmentPlan {
  const a = input.amendment
  const ctx = input.ctx
  // Already over (a retry whose answer was lost, or a duplicate): nothing left to do.
  if (isEnded(sub)) return known(subscriptionResult(sub))
  const item = primaryItem(sub)
  const start = futureStart(a, input.now)
  if (a.cancelMode === 'immediately' && start === undefined) {
    const how = { invoice_now: a.proration === 'always_invoice', prorate: a.proration !== 'none' }
    if (schedule)
      return {
        calls: [cancelSchedule(schedule.id, how, ctx.idempotencyKey), readSubscription(sub.id)],
        result: { kind: 'subscription', ref: schedule.id },
      }
    // DELETE takes no metadata; the comment carries the correlation id instead.
    const comment = `Concord amendment ${a.id}, correlation id ${a.correlationId}`
    return {
      calls: [deleteSubscription(sub.id, { ...how, cancellation_details: { comment } })],
      result: { kind: 'subscription' },
    }
  }
  const at =
    a.cancelMode === 'immediately' ? (start as number) : periodEndOnOrAfter(sub, item, start)
  if (schedule) {
    const phases = cutAt(readPhases(schedule), at)
    const view = scheduleFor(sub, schedule, ctx)
    return throughSchedule(
      sub,
      view,
      writePhases(schedule.id, { phases, endBehavior: 'cancel' }, ctx),
    )
  }
  const when =
    at === item.current_period_end
      ? { cancel_at_period_end: true }
      : { cancel_at: at, proration_behavior: a.proration }
  const params = { ...when, metadata: { correlation_id: a.correlationId }, expand: ['schedule'] }
  return {
    calls: [updateSubscription(sub.id, params, ctx.idempotencyKey)],
    result: { kind: 'subscription' },
  }
}

/**
 * A renewal. Stripe renews a subscription by itself, so without new terms only a pending
 * cancellation needs undoing; new terms start at the renewal through a schedule.
 */
export function planRenew(
  input: PlanInput,
  sub: StripeSubscription,
  schedule: StripeSchedule | undefined,
): AmendmentPlan {
  const a = input.amendment
  const ctx = input.ctx
  const item = primaryItem(sub)
  const delta = deltaOf(input, sub.currency)
  const newTerms = delta.price !== undefined || delta.quantity !== undefined
  const cancelPending = sub.cancel_at_period_end || sub.cancel_at !== null
  const undoCancel = sub.cancel_at_period_end
    ? { cancel_at_period_end: false }
    : { cancel_at: null }
  const metadata = { correlation_id: a.correlationId }
  if (!schedule && !newTerms) {
    if (!cancelPending) return known(subscriptionResult(sub))
    const params = { ...undoCancel, metadata, expand: ['schedule'] }
    return {
      calls: [updateSubscription(sub.id, params, ctx.idempotencyKey)],
      result: { kind: 'subscription' },
    }
  }
  // A subscription on a schedule takes no cancellation flags, so the undo goes first.
  const undo =
    !schedule && cancelPending
      ? [updateSubscription(sub.id, { ...undoCancel, metadata }, `${ctx.idempotencyKey}:3`)]
      : []
  const view = scheduleFor(sub, schedule, ctx)
  let phases = view.phases
  if (newTerms) {
    // New terms start at the renewal: the effective date, else where the term would have ended.
    const end =
      view.endBehavior === 'cancel'
        ? (phases.at(-1)?.end ?? item.current_period_end)
        : item.current_period_end
    phases = changeFrom(
      phases,
      futureStart(a, input.now) ?? end,
      withDelta(delta, a.proration, a.correlationId),
      input.price?.interval ?? intervalOf(item.price),
    )
  }
  const plan = throughSchedule(
    sub,
    view,
    writePhases(view.id, { phases, endBehavior: 'release' }, ctx),
  )
  return { ...plan, calls: [...undo, ...plan.calls] }
}

/** The end of the billing period that contains `from` (or of the current one), counted from the anchor. */
function periodEndOnOrAfter(
  sub: StripeSubscription,
  item: StripeSubscriptionItem,
  from?: number,
): number {
  if (from === undefined || from <= item.current_period_end) return item.current_period_end
  const rec = item.price.recurring ?? { interval: 'month' as const, interval_count: 1 }
  const anchor = sub.billing_cycle_anchor ?? item.current_period_start
  for (let n = 1; n < 5000; n++) {
    const end = addInterval(anchor, rec.interval, n * rec.interval_count)
    if (end >= from) return end
  }
  return from
}
