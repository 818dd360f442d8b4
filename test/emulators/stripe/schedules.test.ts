import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { customerWithSubscription, DAY, harness, START, type Harness } from './fixtures.ts'
import type { Invoice, Subscription, SubscriptionSchedule } from './types.ts'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.emu.close()
})

const FEB_1 = Date.UTC(2026, 1, 1) / 1000
const MAR_1 = Date.UTC(2026, 2, 1) / 1000

/** Puts an existing subscription on a schedule and gives it a second phase. */
async function scheduleSecondPhase(
  sub: Subscription,
  phase: Record<string, unknown>,
  endBehavior = 'release',
): Promise<SubscriptionSchedule> {
  const created = await h.api.post<SubscriptionSchedule>('/v1/subscription_schedules', {
    from_subscription: sub.id,
  })
  expect(created.status).toBe(200)
  expect(created.body).toMatchObject({
    object: 'subscription_schedule',
    status: 'active',
    subscription: sub.id,
    end_behavior: 'release',
  })
  expect(created.body.phases).toHaveLength(1)
  const current = created.body.phases[0]
  const updated = await h.api.post<SubscriptionSchedule>(
    `/v1/subscription_schedules/${created.body.id}`,
    {
      end_behavior: endBehavior,
      phases: [
        {
          start_date: current?.start_date,
          end_date: current?.end_date,
          items: [{ price: 'price_seat_monthly', quantity: sub.items.data[0]?.quantity }],
        },
        { items: [phase], iterations: 1 },
      ],
      metadata: { correlation_id: 'corr-sched' },
    },
  )
  expect(updated.status).toBe(200)
  return updated.body
}

describe('POST /v1/subscription_schedules', () => {
  it('takes over a subscription and applies the next phase when the clock reaches it', async () => {
    const { sub } = await customerWithSubscription(h.api, { quantity: 5 })
    const schedule = await scheduleSecondPhase(sub, { price: 'price_seat_monthly', quantity: 12 })
    expect(schedule.id).toMatch(/^sub_sched_/)
    expect(schedule.phases.map((p) => [p.start_date, p.end_date])).toEqual([
      [START, FEB_1],
      [FEB_1, MAR_1],
    ])
    expect((await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body).toMatchObject({
      schedule: schedule.id,
      items: { data: [{ quantity: 5 }] },
    })
    expect(h.emu.effects.counts()).toMatchObject({ 'schedule.create': 1, 'schedule.update': 1 })
    expect(h.emu.effects.all().find((e) => e.kind === 'schedule.update')?.correlationId).toBe(
      'corr-sched',
    )

    h.emu.stripe.advance(FEB_1 - START)
    const after = await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)
    expect(after.body.items.data[0]).toMatchObject({
      quantity: 12,
      current_period_start: FEB_1,
      current_period_end: MAR_1,
    })
    const renewal = await h.api.get<Invoice>(`/v1/invoices/${after.body.latest_invoice}`)
    expect(renewal.body).toMatchObject({ billing_reason: 'subscription_cycle', total: 12_000 })
    expect(renewal.body.lines.data.some((l) => l.parent.subscription_item_details?.proration)).toBe(
      false,
    )

    h.emu.stripe.advance(MAR_1 - FEB_1)
    const released = await h.api.get<SubscriptionSchedule>(
      `/v1/subscription_schedules/${schedule.id}`,
    )
    expect(released.body).toMatchObject({
      status: 'released',
      released_subscription: sub.id,
      subscription: null,
      released_at: MAR_1,
    })
    const free = await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)
    expect(free.body).toMatchObject({
      status: 'active',
      schedule: null,
      items: { data: [{ quantity: 12 }] },
    })
    expect(h.emu.effects.counts()).toMatchObject({
      'schedule.phase': 1,
      'schedule.release': 1,
      'subscription.renew': 2,
    })
  })

  it('cancels the subscription at the end with end_behavior=cancel', async () => {
    const { sub } = await customerWithSubscription(h.api, { quantity: 2 })
    const schedule = await scheduleSecondPhase(
      sub,
      { price: 'price_seat_monthly', quantity: 2 },
      'cancel',
    )
    // Stripe shows the schedule's ending on the subscription, as a cancel_at date.
    expect((await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body).toMatchObject({
      status: 'active',
      cancel_at: MAR_1,
      cancel_at_period_end: false,
    })
    const kept = await h.api.post(`/v1/subscription_schedules/${schedule.id}`, {
      end_behavior: 'release',
    })
    expect(kept.status).toBe(200)
    expect((await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body.cancel_at).toBe(null)
    await h.api.post(`/v1/subscription_schedules/${schedule.id}`, { end_behavior: 'cancel' })
    h.emu.stripe.advance(MAR_1 - START + DAY)
    const after = await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)
    expect(after.body).toMatchObject({ status: 'canceled', ended_at: MAR_1 })
  })

  it('refuses phases together with from_subscription, and cancelation flags on a scheduled subscription', async () => {
    const { sub } = await customerWithSubscription(h.api)
    const both = await h.api.post('/v1/subscription_schedules', {
      from_subscription: sub.id,
      phases: [{ items: [{ price: 'price_seat_monthly' }] }],
    })
    expect(both.status).toBe(400)
    expect(h.emu.stripe.store.schedules.size).toBe(0)
    await h.api.post('/v1/subscription_schedules', { from_subscription: sub.id })
    const cap = await h.api.post(`/v1/subscriptions/${sub.id}`, { cancel_at_period_end: true })
    expect(cap.status).toBe(400)
    expect(cap.body.error?.message).toMatch(/managed by the subscription schedule/)
  })

  it('refuses every parameter beside from_subscription, as Stripe does', async () => {
    const { sub } = await customerWithSubscription(h.api)
    for (const [name, value] of [
      ['metadata', { correlation_id: 'corr-x' }],
      ['end_behavior', 'cancel'],
      ['start_date', START],
      ['customer', sub.customer],
      ['default_settings', { collection_method: 'send_invoice' }],
    ] as const) {
      const res = await h.api.post('/v1/subscription_schedules', {
        from_subscription: sub.id,
        [name]: value,
      })
      expect(res.status, name).toBe(400)
      expect(res.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'parameter_unknown',
        param: name,
        message: `You cannot set \`${name}\` if \`from_subscription\` is set.`,
      })
    }
    expect(h.emu.stripe.store.schedules.size).toBe(0)
    expect(h.emu.effects.counts()['schedule.create']).toBeUndefined()
  })

  it('answers 400 resource_missing for a missing subscription named in from_subscription', async () => {
    const res = await h.api.post('/v1/subscription_schedules', { from_subscription: 'sub_nope' })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'resource_missing',
      param: 'from_subscription',
      message: "No such subscription: 'sub_nope'",
    })
    expect((await h.api.get('/v1/subscription_schedules/sub_sched_nope')).status).toBe(404)
  })

  it('credits a from_subscription create to the correlation id its following update sets', async () => {
    const { sub } = await customerWithSubscription(h.api, { correlationId: 'corr-create' })
    const schedule = await scheduleSecondPhase(sub, { price: 'price_seat_monthly', quantity: 3 })
    const mine = h.emu.effects.all().filter((e) => e.target === schedule.id)
    expect(mine.map((e) => [e.kind, e.correlationId])).toEqual([
      ['schedule.create', 'corr-sched'],
      ['schedule.update', 'corr-sched'],
    ])
  })

  it('releases and cancels on request', async () => {
    const { sub } = await customerWithSubscription(h.api)
    const s1 = await h.api.post<SubscriptionSchedule>('/v1/subscription_schedules', {
      from_subscription: sub.id,
    })
    const rel = await h.api.post<SubscriptionSchedule>(
      `/v1/subscription_schedules/${s1.body.id}/release`,
    )
    expect(rel.body).toMatchObject({ status: 'released', released_subscription: sub.id })
    expect((await h.api.post(`/v1/subscription_schedules/${s1.body.id}/release`)).status).toBe(400)

    const s2 = await h.api.post<SubscriptionSchedule>('/v1/subscription_schedules', {
      from_subscription: sub.id,
    })
    const can = await h.api.post<SubscriptionSchedule>(
      `/v1/subscription_schedules/${s2.body.id}/cancel`,
      { prorate: false },
    )
    expect(can.body.status).toBe('canceled')
    expect((await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body.status).toBe(
      'canceled',
    )
    expect(h.emu.effects.counts()).toMatchObject({
      'schedule.create': 2,
      'schedule.release': 1,
      'schedule.cancel': 1,
      'subscription.cancel': 1,
    })
  })

  it('starts a future subscription from phases when its start date arrives', async () => {
    const c = await h.api.post<{ id: string }>('/v1/customers', { name: 'Future' })
    const start = START + 10 * DAY
    const s = await h.api.post<SubscriptionSchedule>('/v1/subscription_schedules', {
      customer: c.body.id,
      start_date: start,
      phases: [{ items: [{ price: 'price_seat_annual', quantity: 3 }], iterations: 1 }],
      end_behavior: 'release',
    })
    expect(s.body).toMatchObject({ status: 'not_started', subscription: null })
    expect(h.emu.stripe.store.subscriptions.size).toBe(0)
    h.emu.stripe.advance(11 * DAY)
    const started = await h.api.get<SubscriptionSchedule>(`/v1/subscription_schedules/${s.body.id}`)
    expect(started.body.status).toBe('active')
    const sub = await h.api.get<Subscription>(`/v1/subscriptions/${started.body.subscription}`)
    expect(sub.body).toMatchObject({
      status: 'active',
      start_date: start,
      schedule: s.body.id,
      items: { data: [{ quantity: 3, current_period_start: start }] },
    })
  })
})
