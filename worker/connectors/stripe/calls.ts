import type { StepContext } from '../types.ts'
import type { FormParams } from './form.ts'
import { phaseParams, type Phase } from './schedules.ts'
import type { ProrationBehavior } from './stripe-types.ts'

/**
 * The Stripe calls an amendment plan is made of, as data: what to call, with which parameters
 * and under which idempotency key. Built by the planner, run by `executePlan`.
 */
export interface StripeCall {
  method: 'GET' | 'POST' | 'DELETE'
  /** May name `NEW_SCHEDULE`, the schedule an earlier call of the same plan makes. */
  path: string
  params: FormParams
  /** Every write but a DELETE (which Stripe keys by itself) carries one; reads carry none. */
  idempotencyKey?: string
  /** This call makes the schedule that later calls name as `NEW_SCHEDULE`. */
  makesSchedule?: true
}

/** Stands for the id of the schedule a plan's `from_subscription` call makes. */
export const NEW_SCHEDULE = '{new_schedule}'

const subscriptionPath = (id: string) => `/v1/subscriptions/${encodeURIComponent(id)}`
const schedulePath = (id: string) =>
  `/v1/subscription_schedules/${id === NEW_SCHEDULE ? id : encodeURIComponent(id)}`

/** The subscription re-read after a schedule changed it (its schedule expanded). */
export function readSubscription(id: string): StripeCall {
  return { method: 'GET', path: subscriptionPath(id), params: { expand: ['schedule'] } }
}

export function updateSubscription(id: string, params: FormParams, key: string): StripeCall {
  return { method: 'POST', path: subscriptionPath(id), params, idempotencyKey: key }
}

/** DELETE takes no metadata and no key: the caller checks the subscription has not ended first. */
export function deleteSubscription(id: string, params: FormParams): StripeCall {
  return { method: 'DELETE', path: subscriptionPath(id), params }
}

export function createSubscription(params: FormParams, key: string): StripeCall {
  return { method: 'POST', path: '/v1/subscriptions', params, idempotencyKey: key }
}

export function createSchedule(params: FormParams, key: string): StripeCall {
  return { method: 'POST', path: '/v1/subscription_schedules', params, idempotencyKey: key }
}

/**
 * A schedule made from the live subscription (sub-key `${key}:1`). Stripe takes no other
 * parameter beside `from_subscription` — not even metadata — so the correlation id rides on the
 * phase update that always follows (`writePhases`).
 * https://docs.stripe.com/api/subscription_schedules/create#create_subscription_schedule-from_subscription
 */
export function scheduleFromSubscription(subscriptionId: string, ctx: StepContext): StripeCall {
  return {
    ...createSchedule({ from_subscription: subscriptionId }, `${ctx.idempotencyKey}:1`),
    makesSchedule: true,
  }
}

/**
 * Rewrites a schedule's phases (sub-key `${key}:2`) and sets its `metadata[correlation_id]`.
 * `prorationBehavior` governs a change to the current phase, which Stripe applies at once.
 */
export function writePhases(
  scheduleId: string,
  opts: {
    phases: Phase[]
    endBehavior: 'release' | 'cancel'
    prorationBehavior?: ProrationBehavior
  },
  ctx: StepContext,
): StripeCall {
  return {
    method: 'POST',
    path: schedulePath(scheduleId),
    params: {
      end_behavior: opts.endBehavior,
      proration_behavior: opts.prorationBehavior,
      phases: phaseParams(opts.phases),
      metadata: { correlation_id: ctx.correlationId },
    },
    idempotencyKey: `${ctx.idempotencyKey}:2`,
  }
}

/** Cancels a schedule and, when it runs one, its subscription. */
export function cancelSchedule(scheduleId: string, params: FormParams, key: string): StripeCall {
  return {
    method: 'POST',
    path: `${schedulePath(scheduleId)}/cancel`,
    params,
    idempotencyKey: key,
  }
}
