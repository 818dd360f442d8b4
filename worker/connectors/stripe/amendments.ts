import type { BillingPlan, BillingResult, PlannedCall, StepContext } from '../types.ts'
import type { StripeCall } from './calls.ts'
import type { StripeClient } from './client.ts'
import { businessError } from './errors.ts'
import { executePlan } from './execute.ts'
import { formEntries } from './form.ts'
import { intervalOf, type AmendmentPlan, type ApplyInput } from './plan-core.ts'
import { previewAmendment } from './preview.ts'
import { phasePriceToRead, planAmendment } from './plan.ts'
import type { StripePrice, StripeSubscription } from './stripe-types.ts'
import {
  attachedSchedule,
  findBySubscriptionKey,
  resolveTarget,
  type Target,
} from './subscriptions.ts'
import { invoiceTax } from './tax.ts'
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
  const result = await executePlan(client, await planFromStripe(client, input, ctx))
  if (!input.automaticTax || input.amendment.action !== 'create' || !result.latestInvoiceId)
    return result
  const tax = await invoiceTax(client, result.latestInvoiceId)
  return tax ? { ...result, tax } : result
}

/** Reads what the amendment acts on and plans the step's calls from it (changes nothing). */
async function planFromStripe(
  client: StripeClient,
  input: ApplyInput,
  ctx: StepContext,
): Promise<AmendmentPlan> {
  const target = await readTarget(client, input, ctx)
  const priceId = target && phasePriceToRead(input, target)
  const phaseInterval =
    priceId === undefined
      ? undefined
      : intervalOf(await client.get<StripePrice>(`/v1/prices/${encodeURIComponent(priceId)}`))
  return planAmendment({ ...input, target, phaseInterval, now: nowSeconds(), ctx })
}

/** Stands for the customer a create's account gets at its cross-reference step. */
const NEW_CUSTOMER = '{new_customer}'

/**
 * A dry run of `applyAmendment`: the calls it would make now, as data, and their price from
 * `create_preview` at the apply's `prorationDate`, else at `priceAt` (so two dry runs of one
 * state agree).
 * A create before its customer exists is planned against `{new_customer}` with nothing to read.
 * @throws ConnectorError
 */
export async function dryRunAmendment(
  client: StripeClient,
  input: Omit<ApplyInput, 'customerId'> & { customerId?: string; priceAt?: number },
  ctx: StepContext,
): Promise<BillingPlan> {
  const { priceAt, ...apply } = input
  const a = input.amendment
  if (input.customerId === undefined && a.action !== 'create')
    throw businessError('missing_xref', `Amendment ${a.id} has no billing customer to act on.`)
  const planned = { ...apply, customerId: input.customerId ?? NEW_CUSTOMER }
  const plan =
    input.customerId === undefined
      ? planAmendment({ ...planned, now: nowSeconds(), ctx })
      : await planFromStripe(client, planned, ctx)
  const prorationDate = input.prorationDate ?? priceAt
  const preview = await previewAmendment(client, { ...apply, prorationDate } as ApplyInput)
  return { calls: plan.calls.map(toPlannedCall), preview }
}

function toPlannedCall(call: StripeCall): PlannedCall {
  const params = Object.fromEntries(formEntries(call.params))
  return { method: call.method, path: call.path, idempotencyKey: call.idempotencyKey, params }
}

/**
 * Stripe keeps an idempotency key for at least 24 hours
 * (https://docs.stripe.com/api/idempotent_requests); an hour's margin.
 */
const KEY_LIFE_MS = 23 * 3_600_000

/**
 * The subscription the ledger kept from its last apply's answer, when it is the one this
 * amendment acts on and that answer still tells what to plan from: a live subscription, not a
 * schedule that has yet to start one.
 */
function fromKnown(input: ApplyInput): Target | undefined {
  if (!input.known || !input.subscriptionId || input.amendment.action === 'create') return undefined
  const sub = JSON.parse(input.known) as StripeSubscription
  if (sub.id !== input.subscriptionId || sub.customer !== input.customerId) return undefined
  return { subscription: sub, schedule: attachedSchedule(sub) }
}

/**
 * What the amendment acts on: what the last apply's answer showed, when the ledger kept it (a
 * write planned from it that Stripe refuses sends the saga back to a fresh read). A create whose key is younger than Stripe keeps keys needs no
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
  if (input.amendment.action !== 'create') return fromKnown(input) ?? resolveTarget(client, input)
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
