import type { BillingResult } from '../types.ts'
import { NEW_SCHEDULE, type StripeCall } from './calls.ts'
import type { StripeClient } from './client.ts'
import { billingSubscription } from './mirror.ts'
import type { AmendmentPlan } from './plan-core.ts'
import type { StripeSchedule, StripeSubscription } from './stripe-types.ts'
import { pendingScheduleResult, subscriptionResult } from './subscriptions.ts'

/**
 * Runs a plan's calls in order through the client and reads the step's result from the answers.
 * A call that fails stops the plan: the saga retries the whole step, whose writes replay under
 * their idempotency keys, and the planner, reading what Stripe now holds, plans the same calls.
 * @throws ConnectorError from the first call that fails.
 */
export async function executePlan(
  client: StripeClient,
  plan: AmendmentPlan,
): Promise<BillingResult> {
  let made: string | undefined
  let last: Answer = { body: undefined, replayed: false }
  for (const call of plan.calls) {
    last = await send(client, call, made)
    if (call.makesSchedule) made = (last.body as StripeSchedule).id
  }
  const r = plan.result
  if (r.kind === 'known') return r.result
  if (r.kind === 'schedule') return pendingScheduleResult(last.body as StripeSchedule)
  const ref = r.ref === NEW_SCHEDULE ? made : r.ref
  const sub = last.body as StripeSubscription
  const result = subscriptionResult(sub, ref)
  // A replayed answer shows the subscription as it was when the key was first used: not kept.
  if (last.replayed) return result
  const subscription = billingSubscription({ ...sub, items: sub.items.data })
  return { ...result, answer: { snapshot: JSON.stringify(sub), subscription } }
}

type Answer = { body: unknown; replayed: boolean }

async function send(
  client: StripeClient,
  call: StripeCall,
  made: string | undefined,
): Promise<Answer> {
  let path = call.path
  if (path.includes(NEW_SCHEDULE)) {
    if (!made) throw new Error(`plan names a schedule no earlier call made: ${call.path}`)
    path = path.replace(NEW_SCHEDULE, encodeURIComponent(made))
  }
  const fresh = (body: unknown): Answer => ({ body, replayed: false })
  if (call.method === 'GET') return fresh(await client.get(path, call.params))
  if (call.method === 'DELETE') return fresh(await client.del(path, call.params))
  if (call.idempotencyKey === undefined) return fresh(await client.query(path, call.params))
  return client.write(path, call.params, call.idempotencyKey)
}
