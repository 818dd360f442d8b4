import type { BillingResult, StepContext } from '../types.ts'
import type { StripeClient } from './client.ts'
import { executePlan } from './execute.ts'
import { intervalOf, type ApplyInput } from './plan-core.ts'
import { phasePriceToRead, planAmendment } from './plan.ts'
import type { StripePrice } from './stripe-types.ts'
import { findBySubscriptionKey, resolveTarget, type Target } from './subscriptions.ts'
import { nowSeconds } from './time.ts'

export type { ApplyInput } from './plan-core.ts'

/**
 * Applies one amendment to Stripe in three moves: read what Stripe holds now, plan the calls as
 * data (`planAmendment`, pure), run the plan (`executePlan`).
 * @throws ConnectorError
 */
export async function applyAmendment(
  client: StripeClient,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const target = await readTarget(client, input, ctx)
  const priceId = target && phasePriceToRead(input, target)
  const phaseInterval =
    priceId === undefined
      ? undefined
      : intervalOf(await client.get<StripePrice>(`/v1/prices/${encodeURIComponent(priceId)}`))
  const plan = planAmendment({ ...input, target, phaseInterval, now: nowSeconds(), ctx })
  return executePlan(client, plan)
}

/**
 * Stripe keeps an idempotency key for at least 24 hours
 * (https://docs.stripe.com/api/idempotent_requests); an hour's margin.
 */
const KEY_LIFE_MS = 23 * 3_600_000

/**
 * What the amendment acts on. A create whose key is younger than Stripe keeps keys needs no
 * look-up: the key answers a repeat with the first result. An older one looks its subscription
 * key up first: a create whose first answer was lost, retried after its key expired, must find
 * what it made.
 * @throws ConnectorError
 */
async function readTarget(
  client: StripeClient,
  input: ApplyInput,
  ctx: StepContext,
): Promise<Target | undefined> {
  if (input.amendment.action !== 'create') return resolveTarget(client, input)
  const keyCovers =
    ctx.keyFirstUsedAt !== undefined && Date.now() - ctx.keyFirstUsedAt < KEY_LIFE_MS
  if (keyCovers) return undefined
  const existing = await findBySubscriptionKey(
    client,
    input.customerId,
    input.amendment.subscriptionKey,
    { liveOnly: true },
  )
  return existing ? resolveTarget(client, { ...input, subscriptionId: existing }) : undefined
}
