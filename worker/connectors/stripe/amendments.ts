import type { Amendment, CatalogEntry } from '../../../shared/index.ts'
import type { BillingResult, StepContext } from '../types.ts'
import type { StripeClient } from './client.ts'
import { businessError } from './errors.ts'
import { concordStatus } from './mirror.ts'
import {
  changeFrom,
  cutAt,
  ensureSchedule,
  readPhases,
  withDelta,
  writePhases,
  type ItemDelta,
} from './schedules.ts'
import type {
  Interval,
  StripePrice,
  StripeSchedule,
  StripeSubscription,
  StripeSubscriptionItem,
} from './stripe-types.ts'
import {
  fetchSubscription,
  findBySubscriptionKey,
  isEnded,
  pendingScheduleResult,
  primaryItem,
  resolveTarget,
  subscriptionResult,
  type Target,
} from './subscriptions.ts'
import { addInterval, nowSeconds, startOfDay } from './time.ts'

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
}

/** The effective date as unix seconds (00:00 UTC), when it is still in the future. */
export function futureStart(a: Amendment): number | undefined {
  if (!a.effectiveDate) return undefined
  const at = startOfDay(a.effectiveDate)
  return at > nowSeconds() ? at : undefined
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

/**
 * Applies one amendment to Stripe. Every write carries the step's idempotency key (sub-keys
 * `:1`, `:2`, `:3` for the extra calls of a multi-call step) and `metadata[correlation_id]`.
 * @throws ConnectorError
 */
export async function applyAmendment(
  client: StripeClient,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const a = input.amendment
  if (a.action === 'create') return create(client, input, ctx)
  const target = await resolveTarget(client, input)
  if (!target.subscription)
    return changeUnstarted(client, target.schedule as StripeSchedule, input, ctx)
  if (a.action === 'cancel') return cancel(client, target, target.subscription, input, ctx)
  if (isEnded(target.subscription)) {
    throw businessError(
      'subscription_canceled',
      `Subscription ${target.subscription.id} has ended; Stripe can't change or renew it — create a new subscription.`,
    )
  }
  if (a.action === 'renew') return renew(client, target, target.subscription, input, ctx)
  return change(client, target, target.subscription, input, ctx)
}

async function create(
  client: StripeClient,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const a = input.amendment
  const price = requirePrice(input)
  // A create whose first answer was lost, retried after its key expired, must not make a second
  // subscription: the key's subscription is looked up first.
  const existing = await findBySubscriptionKey(client, input.customerId, a.subscriptionKey, {
    liveOnly: true,
  })
  if (existing) {
    const target = await resolveTarget(client, { ...input, subscriptionId: existing })
    return target.subscription
      ? subscriptionResult(target.subscription)
      : pendingScheduleResult(target.schedule as StripeSchedule)
  }
  const metadata = {
    subscription_key: a.subscriptionKey,
    sf_account_id: a.accountId,
    correlation_id: a.correlationId,
  }
  const items = [{ price: price.billingPriceId, quantity: a.quantity }]
  const start = futureStart(a)
  if (start !== undefined) {
    const schedule = await client.post<StripeSchedule>(
      '/v1/subscription_schedules',
      {
        customer: input.customerId,
        start_date: start,
        end_behavior: 'release',
        phases: [
          {
            items,
            end_date: addInterval(start, price.interval),
            proration_behavior: a.proration,
            metadata,
          },
        ],
        metadata,
      },
      ctx.idempotencyKey,
    )
    return pendingScheduleResult(schedule)
  }
  const sub = await client.post<StripeSubscription>(
    '/v1/subscriptions',
    {
      customer: input.customerId,
      items,
      proration_behavior: a.proration,
      payment_behavior: 'allow_incomplete',
      metadata,
      expand: ['schedule'],
    },
    ctx.idempotencyKey,
  )
  return subscriptionResult(sub)
}

async function change(
  client: StripeClient,
  target: Target,
  sub: StripeSubscription,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const a = input.amendment
  const item = primaryItem(sub)
  const delta = deltaOf(input, sub.currency)
  const start = futureStart(a)
  if (start !== undefined && concordStatus(sub) === 'scheduled_cancel') {
    throw businessError(
      'subscription_ending',
      `Subscription ${sub.id} is set to end; renew it before scheduling a change for ${a.effectiveDate}.`,
    )
  }
  if (start === undefined && !target.schedule) {
    const updated = await client.post<StripeSubscription>(
      `/v1/subscriptions/${encodeURIComponent(sub.id)}`,
      {
        items: [{ id: item.id, price: delta.price, quantity: delta.quantity }],
        proration_behavior: a.proration,
        proration_date: input.prorationDate,
        metadata: { correlation_id: a.correlationId },
        expand: ['schedule'],
      },
      ctx.idempotencyKey,
    )
    return subscriptionResult(updated)
  }
  // A schedule decides the items at each phase change, so while one is attached even an
  // immediate change goes through it (from the current phase on), or the next phase would undo it.
  const schedule = await ensureSchedule(client, sub, ctx)
  const from = start ?? schedule.current_phase?.start_date ?? item.current_period_start
  const phases = changeFrom(
    readPhases(schedule),
    from,
    withDelta(delta, a.proration, a.correlationId),
    input.price?.interval ?? intervalOf(item.price),
  )
  const endBehavior = schedule.end_behavior === 'cancel' ? 'cancel' : 'release'
  const written = await writePhases(
    client,
    schedule,
    { phases, endBehavior, prorationBehavior: start === undefined ? a.proration : undefined },
    ctx,
  )
  return subscriptionResult(await fetchSubscription(client, sub.id), written.id)
}

async function cancel(
  client: StripeClient,
  target: Target,
  sub: StripeSubscription,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const a = input.amendment
  // Already over (a retry whose answer was lost, or a duplicate): nothing left to do.
  if (isEnded(sub)) return subscriptionResult(sub)
  const item = primaryItem(sub)
  const start = futureStart(a)
  if (a.cancelMode === 'immediately' && start === undefined) {
    const how = { invoice_now: a.proration === 'always_invoice', prorate: a.proration !== 'none' }
    if (target.schedule) {
      const canceled = await client.post<StripeSchedule>(
        `/v1/subscription_schedules/${encodeURIComponent(target.schedule.id)}/cancel`,
        how,
        ctx.idempotencyKey,
      )
      return subscriptionResult(await fetchSubscription(client, sub.id), canceled.id)
    }
    // DELETE takes no metadata; the comment carries the correlation id instead.
    const canceled = await client.del<StripeSubscription>(
      `/v1/subscriptions/${encodeURIComponent(sub.id)}`,
      {
        ...how,
        cancellation_details: {
          comment: `Concord amendment ${a.id}, correlation id ${a.correlationId}`,
        },
      },
    )
    return subscriptionResult(canceled)
  }
  const at =
    a.cancelMode === 'immediately' ? (start as number) : periodEndOnOrAfter(sub, item, start)
  if (target.schedule) {
    const written = await writePhases(
      client,
      target.schedule,
      { phases: cutAt(readPhases(target.schedule), at), endBehavior: 'cancel' },
      ctx,
    )
    return subscriptionResult(await fetchSubscription(client, sub.id), written.id)
  }
  const when =
    at === item.current_period_end
      ? { cancel_at_period_end: true }
      : { cancel_at: at, proration_behavior: a.proration }
  const updated = await client.post<StripeSubscription>(
    `/v1/subscriptions/${encodeURIComponent(sub.id)}`,
    { ...when, metadata: { correlation_id: a.correlationId }, expand: ['schedule'] },
    ctx.idempotencyKey,
  )
  return subscriptionResult(updated)
}

async function renew(
  client: StripeClient,
  target: Target,
  sub: StripeSubscription,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const a = input.amendment
  const item = primaryItem(sub)
  const delta = deltaOf(input, sub.currency)
  const newTerms = delta.price !== undefined || delta.quantity !== undefined
  const cancelPending = sub.cancel_at_period_end || sub.cancel_at !== null
  const undoCancel = sub.cancel_at_period_end
    ? { cancel_at_period_end: false }
    : { cancel_at: null }
  const path = `/v1/subscriptions/${encodeURIComponent(sub.id)}`
  if (!target.schedule && !newTerms) {
    // Stripe renews a subscription by itself; only a pending cancellation needs undoing.
    if (!cancelPending) return subscriptionResult(sub)
    const updated = await client.post<StripeSubscription>(
      path,
      { ...undoCancel, metadata: { correlation_id: a.correlationId }, expand: ['schedule'] },
      ctx.idempotencyKey,
    )
    return subscriptionResult(updated)
  }
  if (!target.schedule && cancelPending) {
    await client.post<StripeSubscription>(
      path,
      { ...undoCancel, metadata: { correlation_id: a.correlationId } },
      `${ctx.idempotencyKey}:3`,
    )
  }
  const schedule = await ensureSchedule(client, sub, ctx)
  let phases = readPhases(schedule)
  if (newTerms) {
    // New terms start at the renewal: the effective date, else where the term would have ended.
    const end =
      schedule.end_behavior === 'cancel'
        ? (phases.at(-1)?.end ?? item.current_period_end)
        : item.current_period_end
    phases = changeFrom(
      phases,
      futureStart(a) ?? end,
      withDelta(delta, a.proration, a.correlationId),
      input.price?.interval ?? intervalOf(item.price),
    )
  }
  const written = await writePhases(client, schedule, { phases, endBehavior: 'release' }, ctx)
  return subscriptionResult(await fetchSubscription(client, sub.id), written.id)
}

/** A future-dated create whose schedule has not started the subscription yet. */
async function changeUnstarted(
  client: StripeClient,
  schedule: StripeSchedule,
  input: ApplyInput,
  ctx: StepContext,
): Promise<BillingResult> {
  const a = input.amendment
  if (schedule.status !== 'not_started') return pendingScheduleResult(schedule)
  if (a.action === 'cancel') {
    const canceled = await client.post<StripeSchedule>(
      `/v1/subscription_schedules/${encodeURIComponent(schedule.id)}/cancel`,
      {},
      ctx.idempotencyKey,
    )
    return pendingScheduleResult(canceled)
  }
  const delta = deltaOf(input, schedule.phases[0]?.currency)
  if (delta.price === undefined && delta.quantity === undefined)
    return pendingScheduleResult(schedule)
  const phases = readPhases(schedule)
  const first = phases[0]
  if (!first)
    throw businessError('schedule_without_phases', `Schedule ${schedule.id} has no phases.`)
  const from =
    futureStart(a) ??
    (a.action === 'renew' ? (phases.at(-1) as (typeof phases)[number]).end : first.start)
  const interval =
    input.price?.interval ??
    intervalOf(
      await client.get<StripePrice>(
        `/v1/prices/${encodeURIComponent(first.items[0]?.price ?? '')}`,
      ),
    )
  const changed = changeFrom(
    phases,
    Math.max(from, first.start),
    withDelta(delta, a.proration, a.correlationId),
    interval,
  )
  return pendingScheduleResult(
    await writePhases(
      client,
      schedule,
      { phases: changed, endBehavior: schedule.end_behavior === 'cancel' ? 'cancel' : 'release' },
      ctx,
    ),
  )
}

function intervalOf(price: StripePrice): Interval {
  return price.recurring?.interval ?? 'month'
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
