import type { Api, ApiRequest } from '../api.ts'
import { prorationBehavior } from '../billing/plan.ts'
import {
  cancelSchedule,
  enterPhase,
  newPhase,
  phaseItem,
  releaseSchedule,
  resolvePhases,
  syncScheduledCancel,
  startSchedule,
  type PhaseInput,
} from '../billing/schedules.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, notWithFromSubscription } from '../errors.ts'
import { bool, hash, hashes, int, mergeMetadata, str, type Params } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCustomer, requireSchedule, requireSubscription } from '../lookup.ts'
import { snapshot } from '../state.ts'
import type { Interval, Metadata, SchedulePhase, SubscriptionSchedule } from '../types.ts'

function dateParam(ctx: Ctx, p: Params, name: string): number | undefined {
  return str(p, name) === 'now' ? ctx.now() : int(p, name)
}

function endBehavior(p: Params): SubscriptionSchedule['end_behavior'] | undefined {
  const v = str(p, 'end_behavior')
  if (v !== undefined && !['release', 'cancel', 'none', 'renew'].includes(v))
    throw invalidRequest('Invalid end_behavior: must be one of release, cancel', 'end_behavior')
  return v as SubscriptionSchedule['end_behavior'] | undefined
}

/** Reads `phases[i][…]`. @throws StripeError 400 for malformed phases. */
function readPhases(ctx: Ctx, p: Params): PhaseInput[] | undefined {
  const raw = hashes(p, 'phases')
  if (!raw) return undefined
  return raw.map((ph, i) => {
    const items = (hashes(ph, 'items') ?? []).map((it) => ({
      price: str(it, 'price', true) as string,
      quantity: int(it, 'quantity') ?? 1,
      metadata: mergeMetadata({}, it),
    }))
    if (items.length === 0)
      throw invalidRequest(
        `Missing required param: phases[${i}][items].`,
        `phases[${i}][items]`,
        'parameter_missing',
      )
    const duration = hash(ph, 'duration')
    const method = str(ph, 'collection_method')
    return {
      startDate: dateParam(ctx, ph, 'start_date'),
      endDate: dateParam(ctx, ph, 'end_date'),
      iterations: int(ph, 'iterations'),
      duration: duration
        ? {
            interval: str(duration, 'interval', true) as Interval,
            interval_count: int(duration, 'interval_count') ?? 1,
          }
        : undefined,
      items,
      prorationBehavior: prorationBehavior(ph),
      metadata: mergeMetadata({}, ph),
      collectionMethod:
        method === 'send_invoice' || method === 'charge_automatically' ? method : undefined,
    }
  })
}

function newSchedule(
  ctx: Ctx,
  customer: string,
  phases: SchedulePhase[],
  metadata: Metadata,
  end: SubscriptionSchedule['end_behavior'],
): SubscriptionSchedule {
  return {
    id: ctx.ids.next('sub_sched_', 24),
    object: 'subscription_schedule',
    application: null,
    billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible' },
    canceled_at: null,
    completed_at: null,
    created: ctx.now(),
    current_phase: null,
    customer,
    customer_account: null,
    default_settings: {
      application_fee_percent: null,
      billing_cycle_anchor: 'automatic',
      billing_thresholds: null,
      collection_method: null,
      default_payment_method: null,
      description: null,
      invoice_settings: {
        account_tax_ids: null,
        custom_fields: null,
        days_until_due: null,
        description: null,
        footer: null,
        issuer: { type: 'self' },
      },
      on_behalf_of: null,
      transfer_data: null,
    },
    end_behavior: end,
    livemode: false,
    metadata,
    pause_schedules: [],
    phases,
    released_at: null,
    released_subscription: null,
    status: 'not_started',
    subscription: null,
    test_clock: null,
  }
}

const CREATE = [
  'customer',
  'from_subscription',
  'phases',
  'end_behavior',
  'metadata',
  'start_date',
  'default_settings',
  'billing_mode',
]
const UPDATE = ['phases', 'end_behavior', 'metadata', 'proration_behavior', 'default_settings']

/**
 * `from_subscription`: the schedule takes over the subscription's current period and items.
 * Stripe takes no other parameter beside it (metadata and phases follow in an update).
 * @throws StripeError 400 for any other parameter, a missing, canceled or already scheduled subscription.
 */
async function fromSubscription(
  ctx: Ctx,
  r: ApiRequest,
  fromId: string,
): Promise<SubscriptionSchedule> {
  for (const name of Object.keys(r.params))
    if (name !== 'from_subscription' && name !== 'expand') throw notWithFromSubscription(name)
  const sub = requireSubscription(ctx, fromId, 'from_subscription')
  if (sub.schedule)
    throw invalidRequest(
      `You cannot migrate a subscription that is already attached to a schedule: \`${sub.schedule}\`.`,
      'from_subscription',
    )
  if (sub.status === 'canceled')
    throw invalidRequest(
      'You cannot create a schedule from a canceled subscription.',
      'from_subscription',
    )
  await r.begin([sub.id])
  const first = sub.items.data[0]
  const phase: SchedulePhase = newPhase({
    start_date: first?.current_period_start ?? ctx.now(),
    end_date: first?.current_period_end ?? ctx.now(),
    items: sub.items.data.map((si) => phaseItem(si.price.id, si.quantity, { ...si.metadata })),
    metadata: {},
    proration_behavior: 'create_prorations',
    collection_method: sub.collection_method,
    currency: sub.currency,
  })
  const schedule = newSchedule(ctx, sub.customer, [phase], {}, 'release')
  schedule.status = 'active'
  schedule.subscription = sub.id
  schedule.current_phase = { start_date: phase.start_date, end_date: phase.end_date }
  ctx.store.add(ctx.store.schedules, schedule)
  const before = snapshot(sub)
  sub.schedule = schedule.id
  const created = ctx.effect('schedule.create', schedule.id, schedule.metadata, {
    from_subscription: sub.id,
  })
  if (created && !created.correlationId) ctx.store.unattributed.set(schedule.id, created)
  ctx.emit('subscription_schedule.created', schedule)
  ctx.emit('customer.subscription.updated', sub, before)
  return snapshot(schedule)
}

/** Subscription schedules: create (from a subscription or from phases), update phases, release, cancel. */
export function scheduleRoutes(api: Api, ctx: Ctx): void {
  api.on('POST', '/v1/subscription_schedules', CREATE, async (r) => {
    const p = r.params
    const fromId = str(p, 'from_subscription')
    if (fromId) return fromSubscription(ctx, r, fromId)
    const customer = requireCustomer(ctx, str(p, 'customer', true) as string, 'customer')
    const inputs = readPhases(ctx, p)
    if (!inputs)
      throw invalidRequest('Missing required param: phases.', 'phases', 'parameter_missing')
    const start = dateParam(ctx, p, 'start_date') ?? ctx.now()
    const phases = resolvePhases(ctx, inputs, start)
    const end = endBehavior(p) ?? 'release'
    await r.begin([customer.id])
    const schedule = newSchedule(ctx, customer.id, phases, mergeMetadata({}, p), end)
    ctx.store.add(ctx.store.schedules, schedule)
    ctx.effect('schedule.create', schedule.id, schedule.metadata, {
      customer: customer.id,
      phases: phases.length,
    })
    ctx.emit('subscription_schedule.created', schedule)
    if (start <= ctx.now()) startSchedule(ctx, schedule)
    return snapshot(schedule)
  })

  api.on('GET', '/v1/subscription_schedules/:id', [], (r) =>
    snapshot(requireSchedule(ctx, r.path['id'] ?? '')),
  )

  api.on('POST', '/v1/subscription_schedules/:id', UPDATE, async (r) => {
    const schedule = requireSchedule(ctx, r.path['id'] ?? '')
    if (schedule.status !== 'active' && schedule.status !== 'not_started') {
      throw invalidRequest(
        `You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status.`,
        undefined,
      )
    }
    const inputs = readPhases(ctx, r.params)
    const end = endBehavior(r.params)
    const override = prorationBehavior(r.params)
    const current = schedule.current_phase
    if (
      inputs &&
      current &&
      inputs[0]?.startDate !== undefined &&
      inputs[0].startDate !== current.start_date
    ) {
      throw invalidRequest(
        'You can not modify the start date of the current phase.',
        'phases[0][start_date]',
      )
    }
    const phases = inputs
      ? resolvePhases(
          ctx,
          inputs,
          current?.start_date ?? schedule.phases[0]?.start_date ?? ctx.now(),
        )
      : undefined
    if (phases && current && (phases.at(-1) as SchedulePhase).end_date <= ctx.now()) {
      throw invalidRequest('The last phase of an active schedule must end in the future.', 'phases')
    }
    const sub = schedule.subscription
      ? ctx.store.subscriptions.get(schedule.subscription)
      : undefined
    await r.begin([schedule.id, sub?.id])
    const before = snapshot(schedule)
    if (phases) {
      const now = ctx.now()
      const active = phases.find((ph) => ph.start_date <= now && now < ph.end_date)
      // Changing the current phase's items takes effect now (it may still refuse, before any write).
      if (schedule.status === 'active' && sub && active) {
        enterPhase(
          ctx,
          schedule,
          sub,
          override ? { ...active, proration_behavior: override } : active,
          now,
        )
      }
      schedule.phases = phases
    }
    if (end) schedule.end_behavior = end
    schedule.metadata = mergeMetadata(schedule.metadata, r.params)
    const updated = ctx.effect(
      'schedule.update',
      schedule.id,
      { ...(sub?.metadata ?? {}), ...schedule.metadata },
      { phases: schedule.phases.length, end_behavior: schedule.end_behavior },
    )
    const created = ctx.store.unattributed.get(schedule.id)
    if (created && ctx.current?.correlationId) {
      created.correlationId = updated?.correlationId
      ctx.store.unattributed.delete(schedule.id)
    }
    ctx.emit('subscription_schedule.updated', schedule, before)
    if (sub) syncScheduledCancel(ctx, schedule, sub)
    return snapshot(schedule)
  })

  api.on('POST', '/v1/subscription_schedules/:id/release', ['preserve_cancel_date'], async (r) => {
    const schedule = requireSchedule(ctx, r.path['id'] ?? '')
    if (schedule.status !== 'active' && schedule.status !== 'not_started') {
      throw invalidRequest(
        `You cannot release a subscription schedule that is currently in the \`${schedule.status}\` status.`,
        undefined,
      )
    }
    await r.begin([schedule.id, schedule.subscription])
    releaseSchedule(ctx, schedule)
    return snapshot(schedule)
  })

  api.on('POST', '/v1/subscription_schedules/:id/cancel', ['invoice_now', 'prorate'], async (r) => {
    const schedule = requireSchedule(ctx, r.path['id'] ?? '')
    if (schedule.status !== 'active' && schedule.status !== 'not_started') {
      throw invalidRequest(
        `You cannot cancel a subscription schedule that is currently in the \`${schedule.status}\` status.`,
        undefined,
      )
    }
    const invoiceNow = bool(r.params, 'invoice_now') ?? true
    const prorate = bool(r.params, 'prorate') ?? true
    await r.begin([schedule.id, schedule.subscription])
    cancelSchedule(ctx, schedule, { invoiceNow, prorate })
    return snapshot(schedule)
  })

  api.on(
    'GET',
    '/v1/subscription_schedules',
    [
      'customer',
      'limit',
      'starting_after',
      'ending_before',
      'created',
      'scheduled',
      'released_at',
      'canceled_at',
      'completed_at',
    ],
    (r) => {
      const customer = str(r.params, 'customer')
      const all = filterCreated([...ctx.store.schedules.values()], r.params).filter(
        (s) => !customer || s.customer === customer,
      )
      return paginate(all, r.params, '/v1/subscription_schedules', ctx.store)
    },
  )
}
