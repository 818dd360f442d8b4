import { cancelSchedule, createSchedule, createSubscription, writePhases } from './calls.ts'
import { businessError } from './errors.ts'
import {
  deltaOf,
  futureStart,
  known,
  requirePrice,
  type AmendmentPlan,
  type ApplyInput,
  type PlanInput,
} from './plan-core.ts'
import { planCancel, planChange, planRenew } from './plan-live.ts'
import { changeFrom, readPhases, withDelta } from './schedules.ts'
import type { StripeSchedule } from './stripe-types.ts'
import { isEnded, pendingScheduleResult, subscriptionResult, type Target } from './subscriptions.ts'
import { addInterval } from './time.ts'

/**
 * Plans one amendment as data, without a single request: from the amendment, what Stripe holds
 * now (read beforehand) and the catalog price, the ordered Stripe calls to make — method, path,
 * parameters, idempotency key — and how the step's result is read from their answers.
 * `execute.ts` runs the plan. Every write carries the step's idempotency key (sub-keys `:1`,
 * `:2`, `:3` for the extra calls of a multi-call step) and `metadata[correlation_id]`.
 */
export type { AmendmentPlan, ApplyInput, PlanInput, PlanResult } from './plan-core.ts'

/**
 * The plan for one amendment.
 * @throws ConnectorError business when Stripe's state or the catalog rules the amendment out.
 */
export function planAmendment(input: PlanInput): AmendmentPlan {
  const a = input.amendment
  const target = input.target
  if (a.action === 'create') return planCreate(input)
  if (!target) throw new Error(`planAmendment: ${a.action} needs the subscription read first`)
  if (!target.subscription) return planUnstarted(input, target.schedule as StripeSchedule)
  if (a.action === 'cancel') return planCancel(input, target.subscription, target.schedule)
  if (isEnded(target.subscription)) {
    throw businessError(
      'subscription_canceled',
      `Subscription ${target.subscription.id} has ended; Stripe can't change or renew it — create a new subscription.`,
    )
  }
  if (a.action === 'renew') return planRenew(input, target.subscription, target.schedule)
  return planChange(input, target.subscription, target.schedule)
}

/**
 * A create: the subscription now, or a schedule that starts it at the effective date. A create
 * whose first answer was lost, retried after its key expired, must not make a second
 * subscription: the key's subscription was looked up first, and when there is one the step is done.
 */
function planCreate(input: PlanInput): AmendmentPlan {
  const a = input.amendment
  const price = requirePrice(input)
  const found = input.target
  if (found)
    return known(
      found.subscription
        ? subscriptionResult(found.subscription)
        : pendingScheduleResult(found.schedule as StripeSchedule),
    )
  const metadata = {
    subscription_key: a.subscriptionKey,
    sf_account_id: a.accountId,
    correlation_id: a.correlationId,
  }
  const items = [{ price: price.billingPriceId, quantity: a.quantity }]
  const key = input.ctx.idempotencyKey
  const start = futureStart(a, input.now)
  if (start !== undefined) {
    const phase = {
      items,
      end_date: addInterval(start, price.interval),
      proration_behavior: a.proration,
      metadata,
    }
    const params = {
      customer: input.customerId,
      start_date: start,
      end_behavior: 'release',
      phases: [phase],
      metadata,
    }
    return { calls: [createSchedule(params, key)], result: { kind: 'schedule' } }
  }
  const params = {
    customer: input.customerId,
    items,
    proration_behavior: a.proration,
    payment_behavior: 'allow_incomplete',
    metadata,
    ...(input.automaticTax ? { automatic_tax: { enabled: true } } : {}),
    expand: ['schedule'],
  }
  return { calls: [createSubscription(params, key)], result: { kind: 'subscription' } }
}

/**
 * The price whose interval `planUnstarted` needs, when the amendment changes a future-dated
 * create that has not started and no catalog price came along: read it before planning.
 */
export function phasePriceToRead(input: ApplyInput, target: Target): string | undefined {
  const s = target.schedule
  const a = input.amendment
  if (target.subscription || !s || s.status !== 'not_started') return undefined
  if (a.action === 'cancel' || input.price || a.quantity === undefined) return undefined
  const item = s.phases[0]?.items[0]
  if (!s.phases[0]) return undefined
  return typeof item?.price === 'string' ? item.price : (item?.price.id ?? '')
}

/** A future-dated create whose schedule has not started the subscription yet. */
function planUnstarted(input: PlanInput, schedule: StripeSchedule): AmendmentPlan {
  const a = input.amendment
  const ctx = input.ctx
  if (schedule.status !== 'not_started') return known(pendingScheduleResult(schedule))
  if (a.action === 'cancel')
    return {
      calls: [cancelSchedule(schedule.id, {}, ctx.idempotencyKey)],
      result: { kind: 'schedule' },
    }
  const delta = deltaOf(input, schedule.phases[0]?.currency)
  if (delta.price === undefined && delta.quantity === undefined)
    return known(pendingScheduleResult(schedule))
  const phases = readPhases(schedule)
  const first = phases[0]
  if (!first)
    throw businessError('schedule_without_phases', `Schedule ${schedule.id} has no phases.`)
  const from =
    futureStart(a, input.now) ??
    (a.action === 'renew' ? (phases.at(-1) as (typeof phases)[number]).end : first.start)
  const interval = input.price?.interval ?? input.phaseInterval
  if (!interval) throw new Error(`planUnstarted: read the interval of ${schedule.id}'s price first`)
  const changed = changeFrom(
    phases,
    Math.max(from, first.start),
    withDelta(delta, a.proration, a.correlationId),
    interval,
  )
  const endBehavior = schedule.end_behavior === 'cancel' ? 'cancel' : 'release'
  return {
    calls: [writePhases(schedule.id, { phases: changed, endBehavior }, ctx)],
    result: { kind: 'schedule' },
  }
}
