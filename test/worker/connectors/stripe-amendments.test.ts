import { stripeClientOf } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { describe, expect, it, vi } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import {
  StripeBilling,
  type StripeSchedule,
  type StripeSubscription,
} from '../../../worker/connectors/stripe/index.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import type { StepContext } from '../../../worker/connectors/types.ts'
import { newAccountId } from '../support/helpers.ts'

// The emulator is shared by every worker test file: each test makes its own customer and reads
// effects by its own ids and correlation ids, never resetting anything.
const STRIPE = env.STRIPE_API_BASE as string
const PRICES = DEMO_CATALOG.prices
const DAY = 86_400

interface Effect {
  kind: string
  target: string
  correlationId?: string
}

async function effects(match: (e: Effect) => boolean): Promise<Effect[]> {
  const res = await fetch(`${STRIPE}/__control/effects`)
  return (await res.json<{ effects: Effect[] }>()).effects.filter(match)
}
const byCorrelation = (id: string) => effects((e) => e.correlationId === id)
const kinds = (list: Effect[]) => list.map((e) => e.kind).sort()

async function stripeGet<T>(path: string): Promise<T> {
  const res = await fetch(`${STRIPE}${path}`, {
    headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
  })
  expect(res.status, path).toBe(200)
  return await res.json()
}

function billing(): StripeBilling {
  const client = stripeClientOf(env)
  if (!client) throw new Error('the worker test env has no Stripe settings')
  return new StripeBilling(client)
}

function amendment(
  accountId: string,
  fields: Partial<Record<keyof Amendment, unknown>>,
): Amendment {
  return Amendment.parse({
    id: crypto.randomUUID(),
    accountId,
    subscriptionKey: 'SUB-1',
    sequence: 2,
    correlationId: crypto.randomUUID(),
    createdAt: new Date().toISOString(),
    ...fields,
  })
}
const stepOf = (a: Amendment): StepContext => ({
  idempotencyKey: `${a.id}:billing`,
  correlationId: a.correlationId,
})
const isoDay = (unix: number) => new Date(unix * 1000).toISOString().slice(0, 10)

/** A fresh account with its Stripe customer and a 5-seat monthly subscription. */
async function subscribed(quantity = 5, priceKey = 'pro-monthly-usd') {
  const stripe = billing()
  const accountId = newAccountId()
  const { customerId } = await stripe.ensureCustomer(
    { accountId, name: `Acme ${accountId}` },
    { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
  )
  const subscriptionKey = `SUB-${crypto.randomUUID().slice(0, 8)}`
  const create = amendment(accountId, {
    subscriptionKey,
    sequence: 1,
    action: 'create',
    priceKey,
    quantity,
  })
  const created = await stripe.applyAmendment(
    { amendment: create, customerId, price: PRICES[priceKey] },
    stepOf(create),
  )
  const apply = (
    fields: Partial<Record<keyof Amendment, unknown>>,
    extra: { subscriptionId?: string | null; prorationDate?: number } = {},
  ) => {
    const a = amendment(accountId, { subscriptionKey, ...fields })
    const subscriptionId =
      extra.subscriptionId === null ? undefined : (extra.subscriptionId ?? created.subscriptionId)
    const input = {
      amendment: a,
      customerId,
      subscriptionId,
      price: a.priceKey ? PRICES[a.priceKey] : undefined,
      prorationDate: extra.prorationDate,
    }
    return {
      a,
      run: () => stripe.applyAmendment(input, stepOf(a)),
      preview: () => stripe.previewAmendment(input),
    }
  }
  return { stripe, accountId, customerId, subscriptionKey, create, created, apply }
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConnectorError)
  return err as ConnectorError
}

describe('StripeBilling.ensureCustomer', () => {
  it('creates the customer once and finds it by sf_account_id after', async () => {
    const stripe = billing()
    const accountId = newAccountId()
    const ctx = {
      idempotencyKey: `${accountId}:customer:billing`,
      correlationId: crypto.randomUUID(),
    }
    const profile = {
      accountId,
      name: 'Globex',
      billingAddress: {
        street: '1 Main St\nSuite 5',
        city: 'Springfield',
        postalCode: '12345',
        country: 'US',
      },
    }
    const first = await stripe.ensureCustomer(profile, ctx)
    const again = await stripe.ensureCustomer(profile, {
      ...ctx,
      correlationId: crypto.randomUUID(),
    })
    expect(again.customerId).toBe(first.customerId)
    const customer = await stripeGet<{
      name: string
      metadata: Record<string, string>
      address: Record<string, string>
    }>(`/v1/customers/${first.customerId}`)
    expect(customer).toMatchObject({
      name: 'Globex',
      metadata: { sf_account_id: accountId, correlation_id: ctx.correlationId },
    })
    expect(customer.address).toMatchObject({
      line1: '1 Main St',
      line2: 'Suite 5',
      city: 'Springfield',
      postal_code: '12345',
      country: 'US',
    })
    expect(kinds(await effects((e) => e.target === first.customerId))).toEqual(['customer.create'])
  })

  it('replays a retried create while search still lags, instead of making a duplicate', async () => {
    const stripe = billing()
    const accountId = newAccountId()
    const ctx = {
      idempotencyKey: `${accountId}:customer:billing`,
      correlationId: crypto.randomUUID(),
    }
    await fetch(`${STRIPE}/__control/stripe/search_lag`, {
      method: 'POST',
      body: JSON.stringify({ ms: 60_000 }),
    })
    try {
      const first = await stripe.ensureCustomer({ accountId, name: 'Initech' }, ctx)
      const retried = await stripe.ensureCustomer({ accountId, name: 'Initech' }, ctx)
      expect(retried.customerId).toBe(first.customerId)
    } finally {
      await fetch(`${STRIPE}/__control/stripe/search_lag`, {
        method: 'POST',
        body: JSON.stringify({ ms: 0 }),
      })
    }
    expect(await byCorrelation(ctx.correlationId)).toHaveLength(1)
  })
})

describe('StripeBilling.applyAmendment', () => {
  it('creates the subscription with the catalog price, quantity and Concord metadata', async () => {
    const { accountId, subscriptionKey, create, created } = await subscribed(7)
    expect(created).toMatchObject({
      ref: created.subscriptionId,
      status: 'active',
      currency: 'USD',
    })
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)
    expect(sub.items.data).toHaveLength(1)
    expect(sub.items.data[0]).toMatchObject({ price: { id: 'price_pro_monthly_usd' }, quantity: 7 })
    expect(sub.metadata).toEqual({
      subscription_key: subscriptionKey,
      sf_account_id: accountId,
      correlation_id: create.correlationId,
    })
    expect(created.currentPeriodEnd).toBe(isoDay(sub.items.data[0]?.current_period_end ?? 0))
    expect(
      (await byCorrelation(create.correlationId)).filter((e) => e.kind.startsWith('subscription.')),
    ).toEqual([
      expect.objectContaining({ kind: 'subscription.create', target: created.subscriptionId }),
    ])
  })

  it('changes the quantity with the proration behaviour and date asked for', async () => {
    const { created, apply } = await subscribed(5)
    const before = await stripeGet<StripeSubscription>(
      `/v1/subscriptions/${created.subscriptionId}`,
    )
    const at = (before.items.data[0]?.current_period_start ?? 0) + 60
    const step = apply(
      { action: 'change_quantity', quantity: 12, proration: 'create_prorations' },
      { prorationDate: at },
    )
    const result = await step.run()
    expect(result).toMatchObject({
      subscriptionId: created.subscriptionId,
      ref: created.subscriptionId,
      status: 'active',
    })
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)
    expect(sub.items.data[0]?.quantity).toBe(12)
    expect(sub.metadata['correlation_id']).toBe(step.a.correlationId)
    const updates = await byCorrelation(step.a.correlationId)
    expect(updates).toEqual([
      expect.objectContaining({ kind: 'subscription.update', target: created.subscriptionId }),
    ])
    const pending = await stripeGet<{ data: Array<{ amount: number; period: { start: number } }> }>(
      `/v1/invoiceitems?customer=${sub.customer}&pending=true`,
    )
    expect(pending.data.map((ii) => ii.period.start)).toEqual([at, at])
  })

  it('swaps monthly for annual: Stripe resets the cycle and invoices at once', async () => {
    const { created, apply } = await subscribed(2)
    const before = await stripeGet<StripeSubscription>(
      `/v1/subscriptions/${created.subscriptionId}`,
    )
    const step = apply({
      action: 'change_price',
      priceKey: 'pro-annual-usd',
      proration: 'create_prorations',
    })
    const result = await step.run()
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)
    expect(sub.items.data[0]).toMatchObject({ price: { id: 'price_pro_annual_usd' }, quantity: 2 })
    const end = sub.items.data[0]?.current_period_end ?? 0
    expect(end - (sub.items.data[0]?.current_period_start ?? 0)).toBeGreaterThanOrEqual(365 * DAY)
    expect(result.currentPeriodEnd).toBe(isoDay(end))
    expect(sub.latest_invoice).not.toBe(before.latest_invoice)
    const invoice = await stripeGet<{ billing_reason: string; total: number }>(
      `/v1/invoices/${sub.latest_invoice}`,
    )
    expect(invoice.billing_reason).toBe('subscription_update')
    expect(
      kinds(await byCorrelation(step.a.correlationId)).filter((k) => k.startsWith('subscription.')),
    ).toEqual(['subscription.update'])
  })

  it('cancels at period end, and a renew undoes it', async () => {
    const { created, apply } = await subscribed()
    const cancel = apply({ action: 'cancel', cancelMode: 'at_period_end' })
    expect(await cancel.run()).toMatchObject({ status: 'scheduled_cancel' })
    expect(
      await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`),
    ).toMatchObject({ status: 'active', cancel_at_period_end: true })
    expect(kinds(await byCorrelation(cancel.a.correlationId))).toEqual(['subscription.update'])

    const renew = apply({ action: 'renew' })
    expect(await renew.run()).toMatchObject({ status: 'active', ref: created.subscriptionId })
    expect(
      await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`),
    ).toMatchObject({ cancel_at_period_end: false, cancel_at: null })
    expect(kinds(await byCorrelation(renew.a.correlationId))).toEqual(['subscription.update'])
  })

  it('cancels immediately with a prorated final invoice, once', async () => {
    const { created, apply } = await subscribed()
    const cancel = apply({
      action: 'cancel',
      cancelMode: 'immediately',
      proration: 'always_invoice',
    })
    expect(await cancel.run()).toMatchObject({ status: 'canceled' })
    const sub = await stripeGet<StripeSubscription & { cancellation_details: { comment: string } }>(
      `/v1/subscriptions/${created.subscriptionId}`,
    )
    expect(sub.status).toBe('canceled')
    expect(sub.cancellation_details.comment).toContain(cancel.a.correlationId)
    expect(await cancel.run()).toMatchObject({ status: 'canceled' })
    const mine = await effects(
      (e) => e.target === created.subscriptionId && e.kind === 'subscription.cancel',
    )
    expect(mine).toHaveLength(1)
  })

  it('puts a future-dated change on a schedule that starts it at the date', async () => {
    const { created, apply } = await subscribed(5)
    const before = await stripeGet<StripeSubscription>(
      `/v1/subscriptions/${created.subscriptionId}`,
    )
    const periodEnd = before.items.data[0]?.current_period_end ?? 0
    const date = isoDay(periodEnd + 10 * DAY)
    const dateUnix = Date.parse(`${date}T00:00:00Z`) / 1000
    const step = apply({ action: 'change_quantity', quantity: 9, effectiveDate: date })
    const result = await step.run()
    expect(result.ref).toMatch(/^sub_sched_/)
    expect(result).toMatchObject({ subscriptionId: created.subscriptionId, status: 'active' })
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)
    expect(sub.items.data[0]?.quantity).toBe(5)
    expect(sub.schedule).toBe(result.ref)
    const schedule = await stripeGet<StripeSchedule>(`/v1/subscription_schedules/${result.ref}`)
    expect(schedule.end_behavior).toBe('release')
    expect(schedule.phases.map((p) => [p.start_date, p.end_date, p.items[0]?.quantity])).toEqual([
      [before.items.data[0]?.current_period_start, periodEnd, 5],
      [periodEnd, dateUnix, 5],
      [dateUnix, expect.any(Number), 9],
    ])
    expect(schedule.phases[2]?.metadata).toMatchObject({ correlation_id: step.a.correlationId })
    expect(kinds(await byCorrelation(step.a.correlationId))).toEqual([
      'schedule.create',
      'schedule.update',
    ])

    // The same step again (its answer lost) replays both calls: nothing changes twice.
    expect(await step.run()).toEqual(result)
    expect(await byCorrelation(step.a.correlationId)).toHaveLength(2)
  })

  it('routes an immediate change through the attached schedule so its next phase keeps it', async () => {
    const { created, apply } = await subscribed(5)
    const end =
      (await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)).items
        .data[0]?.current_period_end ?? 0
    await apply({
      action: 'change_price',
      priceKey: 'team-monthly-usd',
      effectiveDate: isoDay(end + 3 * DAY),
    }).run()
    const now = apply({ action: 'change_quantity', quantity: 8, proration: 'none' })
    const result = await now.run()
    expect(result.ref).toMatch(/^sub_sched_/)
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)
    expect(sub.items.data[0]?.quantity).toBe(8)
    const schedule = await stripeGet<StripeSchedule>(`/v1/subscription_schedules/${result.ref}`)
    expect(schedule.phases.map((p) => [p.items[0]?.price, p.items[0]?.quantity])).toEqual([
      ['price_pro_monthly_usd', 8],
      ['price_pro_monthly_usd', 8],
      ['price_team_monthly_usd', 8],
    ])
  })

  it('renews at new terms from the end of the term through a schedule', async () => {
    const { created, apply } = await subscribed(5)
    await apply({ action: 'cancel', cancelMode: 'at_period_end' }).run()
    const renew = apply({ action: 'renew', quantity: 20 })
    const result = await renew.run()
    expect(result).toMatchObject({ status: 'active', subscriptionId: created.subscriptionId })
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)
    expect(sub).toMatchObject({ cancel_at_period_end: false, schedule: result.ref })
    const schedule = await stripeGet<StripeSchedule>(`/v1/subscription_schedules/${result.ref}`)
    const end = sub.items.data[0]?.current_period_end
    expect(schedule.phases.map((p) => [p.start_date === end, p.items[0]?.quantity])).toEqual([
      [false, 5],
      [true, 20],
    ])
    expect(kinds(await byCorrelation(renew.a.correlationId))).toEqual([
      'schedule.create',
      'schedule.update',
      'subscription.update',
    ])
  })

  it('cancels at period end through the schedule when one is attached', async () => {
    const { created, apply } = await subscribed(5)
    const end =
      (await stripeGet<StripeSubscription>(`/v1/subscriptions/${created.subscriptionId}`)).items
        .data[0]?.current_period_end ?? 0
    await apply({
      action: 'change_quantity',
      quantity: 6,
      effectiveDate: isoDay(end + 5 * DAY),
    }).run()
    const cancel = apply({ action: 'cancel', cancelMode: 'at_period_end' })
    expect(await cancel.run()).toMatchObject({ status: 'scheduled_cancel' })
    const schedule = await stripeGet<StripeSchedule>(
      `/v1/subscription_schedules/${(await cancel.run()).ref}`,
    )
    expect(schedule.end_behavior).toBe('cancel')
    expect(schedule.phases.at(-1)?.end_date).toBe(end)
  })

  it('starts a future-dated create from a schedule, which a cancel can still call off', async () => {
    const stripe = billing()
    const accountId = newAccountId()
    const { customerId } = await stripe.ensureCustomer(
      { accountId, name: 'Hooli' },
      { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
    )
    const subscriptionKey = `SUB-${crypto.randomUUID().slice(0, 8)}`
    const date = isoDay(Math.floor(Date.now() / 1000) + 20 * DAY)
    const create = amendment(accountId, {
      subscriptionKey,
      sequence: 1,
      action: 'create',
      priceKey: 'pro-annual-usd',
      quantity: 3,
      effectiveDate: date,
    })
    const result = await stripe.applyAmendment(
      { amendment: create, customerId, price: PRICES['pro-annual-usd'] },
      stepOf(create),
    )
    expect(result).toMatchObject({ status: 'pending', currency: 'USD' })
    expect(result.subscriptionId).toMatch(/^sub_sched_/)
    const schedule = await stripeGet<StripeSchedule>(
      `/v1/subscription_schedules/${result.subscriptionId}`,
    )
    expect(schedule).toMatchObject({
      status: 'not_started',
      customer: customerId,
      metadata: { subscription_key: subscriptionKey },
    })
    expect(schedule.phases[0]).toMatchObject({
      start_date: Date.parse(`${date}T00:00:00Z`) / 1000,
      items: [{ price: 'price_pro_annual_usd', quantity: 3 }],
    })

    const cancel = amendment(accountId, {
      subscriptionKey,
      action: 'cancel',
      cancelMode: 'immediately',
    })
    const canceled = await stripe.applyAmendment({ amendment: cancel, customerId }, stepOf(cancel))
    expect(canceled).toMatchObject({ subscriptionId: result.subscriptionId, status: 'canceled' })
  })

  it('finds the subscription by subscription_key when the saga has no id yet', async () => {
    const { created, apply } = await subscribed(5)
    const result = await apply(
      { action: 'change_quantity', quantity: 6 },
      { subscriptionId: null },
    ).run()
    expect(result.subscriptionId).toBe(created.subscriptionId)
  })

  it('parks a change for a subscription key Stripe does not know', async () => {
    const { customerId, stripe, accountId } = await subscribed()
    const a = amendment(accountId, {
      subscriptionKey: 'SUB-NOPE',
      action: 'change_quantity',
      quantity: 2,
    })
    const err = await failure(stripe.applyAmendment({ amendment: a, customerId }, stepOf(a)))
    expect(err).toMatchObject({ kind: 'business', code: 'subscription_not_found' })
  })

  it('creates with one call while the key covers every earlier try, and looks the key up once Stripe may have forgotten it', async () => {
    const stripe = billing()
    const calls = async (keyAgeMs: number) => {
      const accountId = newAccountId()
      const { customerId } = await stripe.ensureCustomer(
        { accountId, name: `Acme ${accountId}` },
        { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
      )
      const create = amendment(accountId, {
        subscriptionKey: `SUB-${crypto.randomUUID().slice(0, 8)}`,
        sequence: 1,
        action: 'create',
        priceKey: 'pro-monthly-usd',
        quantity: 2,
      })
      const spy = vi.spyOn(globalThis, 'fetch')
      await stripe.applyAmendment(
        { amendment: create, customerId, price: PRICES['pro-monthly-usd'] },
        { ...stepOf(create), keyFirstUsedAt: Date.now() - keyAgeMs },
      )
      const made = spy.mock.calls.map(([input, init]) => {
        const url = new URL(input instanceof Request ? input.url : String(input))
        return `${init?.method ?? 'GET'} ${url.pathname}`
      })
      spy.mockRestore()
      return made
    }
    expect(await calls(60_000)).toEqual(['POST /v1/subscriptions'])
    const old = await calls(25 * 3_600_000)
    expect(old).toContain('GET /v1/subscriptions')
    expect(old.at(-1)).toBe('POST /v1/subscriptions')
  })

  it('makes no second subscription when a create is retried', async () => {
    const { stripe, customerId, create, created } = await subscribed()
    const again = await stripe.applyAmendment(
      { amendment: create, customerId, price: PRICES['pro-monthly-usd'] },
      stepOf(create),
    )
    expect(again.subscriptionId).toBe(created.subscriptionId)
    expect(
      kinds(await byCorrelation(create.correlationId)).filter((k) => k === 'subscription.create'),
    ).toHaveLength(1)
  })
})
