import { addInterval } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { snapshot } from '../state.ts'
import type {
  Interval,
  Metadata,
  PhaseItem,
  ProrationBehavior,
  SchedulePhase,
  Subscription,
  SubscriptionSchedule,
} from '../types.ts'
import { checkPrices, planUpdate, type ItemChange } from './plan.ts'
import { applyPlan, cancelSubscription, createSubscription } from './subscriptions.ts'

/** A phase as requested, before its dates are resolved. */
export interface PhaseInput {
  startDate?: number
  endDate?: number
  iterations?: number
  duration?: { interval: Interval; interval_count: number }
  items: Array<Pick<PhaseItem, 'price' | 'quantity' | 'metadata'>>
  prorationBehavior?: ProrationBehavior
  metadata?: Metadata
  collectionMethod?: Subscription['collection_method']
}

/**
 * Resolves phase dates: each phase starts where the previous ends and ends at `end_date`, after
 * `duration`, after `iterations` billing intervals, or (last resort) after one interval.
 * @throws StripeError 400 for unknown prices, mixed intervals or non-increasing dates.
 */
export function resolvePhases(ctx: Ctx, inputs: PhaseInput[], start: number): SchedulePhase[] {
  if (inputs.length === 0)
    throw invalidRequest('Missing required param: phases.', 'phases', 'parameter_missing')
  const out: SchedulePhase[] = []
  let cursor = inputs[0]?.startDate ?? start
  inputs.forEach((ph, i) => {
    if (i > 0 && ph.startDate !== undefined && ph.startDate !== cursor) {
      throw invalidRequest(
        `phases[${i}][start_date] must equal the end_date of the previous phase.`,
        `phases[${i}][start_date]`,
      )
    }
    const prices = ph.items.map((it, j) => {
      const price = ctx.store.prices.get(it.price)
      if (!price)
        throw invalidRequest(
          `No such price: '${it.price}'`,
          `phases[${i}][items][${j}][price]`,
          'resource_missing',
        )
      return price
    })
    checkPrices(prices, `phases[${i}][items]`)
    const rec = prices[0]?.recurring ?? { interval: 'month' as const, interval_count: 1 }
    const end =
      ph.endDate ??
      (ph.duration
        ? addInterval(cursor, ph.duration.interval, ph.duration.interval_count)
        : addInterval(cursor, rec.interval, rec.interval_count * (ph.iterations ?? 1)))
    if (end <= cursor)
      throw invalidRequest(
        `phases[${i}][end_date] must be after the phase's start.`,
        `phases[${i}][end_date]`,
      )
    out.push(
      newPhase({
        start_date: cursor,
        end_date: end,
        items: ph.items.map((it) => phaseItem(it.price, it.quantity, it.metadata)),
        metadata: ph.metadata ?? {},
        proration_behavior: ph.prorationBehavior ?? 'create_prorations',
        collection_method: ph.collectionMethod ?? null,
        currency: (prices[0] as NonNullable<(typeof prices)[0]>).currency,
      }),
    )
    cursor = end
  })
  return out
}

/** A phase item with the fields the pinned version always carries (the legacy plan is the price). */
export function phaseItem(price: string, quantity: number, metadata: Metadata): PhaseItem {
  return { billing_thresholds: null, discounts: [], plan: price, price, quantity, metadata }
}

/** A phase with the fields the pinned version always carries, empty where Concord sets none. */
export function newPhase(
  p: Pick<
    SchedulePhase,
    | 'start_date'
    | 'end_date'
    | 'items'
    | 'metadata'
    | 'proration_behavior'
    | 'collection_method'
    | 'currency'
  >,
): SchedulePhase {
  return {
    add_invoice_items: [],
    application_fee_percent: null,
    billing_cycle_anchor: null,
    billing_thresholds: null,
    default_payment_method: null,
    description: null,
    discounts: [],
    invoice_settings: null,
    on_behalf_of: null,
    transfer_data: null,
    trial_end: null,
    ...p,
  }
}

/** The `items[]` changes that turn a subscription's items into a phase's items (ids kept per price). */
function changesFor(sub: Subscription, phase: SchedulePhase, ctx: Ctx): ItemChange[] {
  const changes: ItemChange[] = []
  for (const it of phase.items) {
    const existing = sub.items.data.find((si) => si.price.id === it.price)
    if (existing) changes.push({ id: existing.id, quantity: it.quantity })
    else
      changes.push({
        price: ctx.store.prices.get(it.price),
        quantity: it.quantity,
        metadata: it.metadata,
      })
  }
  for (const si of sub.items.data)
    if (!phase.items.some((it) => it.price === si.price.id))
      changes.push({ id: si.id, deleted: true })
  return changes
}

/** Puts a phase's items on the subscription at time `at`, with the phase's proration behaviour. */
export function enterPhase(
  ctx: Ctx,
  schedule: SubscriptionSchedule,
  sub: Subscription,
  phase: SchedulePhase,
  at: number,
): void {
  const changes = changesFor(sub, phase, ctx)
  const before = snapshot(sub)
  const plan = planUpdate(ctx, sub, changes, phase.proration_behavior, at)
  if (plan.changed || plan.resetAnchor) applyPlan(ctx, sub, plan, phase.proration_behavior, before)
  schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date }
}

/** Starts a `not_started` schedule: creates its subscription from the first phase. */
export function startSchedule(ctx: Ctx, schedule: SubscriptionSchedule): void {
  const phase = schedule.phases[0] as SchedulePhase
  const customer = ctx.store.customers.get(schedule.customer)
  if (!customer) return
  const before = snapshot(schedule)
  const sub = createSubscription(ctx, {
    customer,
    items: phase.items.map((it) => ({
      price: ctx.store.prices.get(it.price) as NonNullable<ReturnType<typeof ctx.store.prices.get>>,
      quantity: it.quantity,
      metadata: it.metadata,
    })),
    metadata: { ...schedule.metadata, ...phase.metadata },
    collectionMethod: phase.collection_method ?? 'charge_automatically',
    daysUntilDue: phase.collection_method === 'send_invoice' ? 30 : null,
    paymentBehavior: 'allow_incomplete',
    description: null,
    cancelAtPeriodEnd: false,
    automaticTax: false,
  })
  sub.schedule = schedule.id
  schedule.subscription = sub.id
  schedule.status = 'active'
  schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date }
  ctx.effect('schedule.start', schedule.id, schedule.metadata, { subscription: sub.id })
  ctx.emit('subscription_schedule.updated', schedule, before)
}

/**
 * Stripe shows a schedule's ending on the subscription it manages: with `end_behavior=cancel`
 * the subscription's `cancel_at` (and `canceled_at`) are set to the end of the last phase, and
 * cleared again when the schedule stops ending it that way.
 */
export function syncScheduledCancel(
  ctx: Ctx,
  schedule: SubscriptionSchedule,
  sub: Subscription,
): void {
  const managing = schedule.status === 'active' && schedule.subscription === sub.id
  const at =
    managing && schedule.end_behavior === 'cancel'
      ? (schedule.phases.at(-1)?.end_date ?? null)
      : null
  if (sub.cancel_at === at) return
  const before = snapshot(sub)
  sub.cancel_at = at
  sub.cancel_at_period_end = false
  sub.canceled_at = at === null ? null : ctx.now()
  sub.cancellation_details.reason = at === null ? null : 'cancellation_requested'
  ctx.emit('customer.subscription.updated', sub, before)
}

/** Detaches the subscription, which keeps running on its current items. */
export function releaseSchedule(ctx: Ctx, schedule: SubscriptionSchedule): void {
  const sub = schedule.subscription ? ctx.store.subscriptions.get(schedule.subscription) : undefined
  schedule.status = 'released'
  schedule.released_at = ctx.now()
  schedule.released_subscription = schedule.subscription
  schedule.subscription = null
  schedule.current_phase = null
  ctx.effect('schedule.release', schedule.id, schedule.metadata, {
    subscription: schedule.released_subscription,
  })
  ctx.emit('subscription_schedule.released', schedule)
  if (sub) {
    const before = snapshot(sub)
    sub.schedule = null
    if (schedule.end_behavior === 'cancel' && sub.cancel_at !== null) {
      sub.cancel_at = null
      sub.canceled_at = null
      sub.cancellation_details.reason = null
    }
    ctx.emit('customer.subscription.updated', sub, before)
  }
}

/** Cancels the schedule and, if it runs one, its subscription (Stripe's defaults: prorate, invoice now). */
export function cancelSchedule(
  ctx: Ctx,
  schedule: SubscriptionSchedule,
  opts: { invoiceNow: boolean; prorate: boolean },
): void {
  const sub = schedule.subscription ? ctx.store.subscriptions.get(schedule.subscription) : undefined
  schedule.status = 'canceled'
  schedule.canceled_at = ctx.now()
  schedule.current_phase = null
  ctx.effect('schedule.cancel', schedule.id, schedule.metadata)
  ctx.emit('subscription_schedule.canceled', schedule)
  if (sub && sub.status !== 'canceled')
    cancelSubscription(ctx, sub, { ...opts, reason: 'cancellation_requested' })
}

/** At the end of the current phase: enter the next one, or end per `end_behavior`. */
export function advanceSchedule(ctx: Ctx, schedule: SubscriptionSchedule): void {
  const current = schedule.current_phase
  const sub = schedule.subscription ? ctx.store.subscriptions.get(schedule.subscription) : undefined
  if (!current || !sub) return
  const idx = schedule.phases.findIndex((p) => p.start_date === current.start_date)
  const next = schedule.phases[idx + 1]
  if (next) {
    const before = snapshot(schedule)
    enterPhase(ctx, schedule, sub, next, current.end_date)
    ctx.effect('schedule.phase', schedule.id, schedule.metadata, {
      phase: idx + 1,
      subscription: sub.id,
    })
    ctx.emit('subscription_schedule.updated', schedule, before)
    return
  }
  if (schedule.end_behavior === 'cancel') {
    schedule.status = 'completed'
    schedule.completed_at = ctx.now()
    schedule.current_phase = null
    ctx.effect('schedule.complete', schedule.id, schedule.metadata, { subscription: sub.id })
    ctx.emit('subscription_schedule.completed', schedule)
    cancelSubscription(ctx, sub, {
      invoiceNow: false,
      prorate: false,
      reason: 'cancellation_requested',
    })
    return
  }
  releaseSchedule(ctx, schedule)
}
