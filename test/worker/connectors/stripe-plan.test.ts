import { describe, expect, it } from 'vitest'
import { Amendment, type CatalogEntry } from '../../../shared/index.ts'
import { NEW_SCHEDULE } from '../../../worker/connectors/stripe/calls.ts'
import { planAmendment, type PlanInput } from '../../../worker/connectors/stripe/plan.ts'
import type {
  StripeSchedule,
  StripeSubscription,
} from '../../../worker/connectors/stripe/stripe-types.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'

// The planner is pure: every case here is data in, data out — no emulator, no fetch.
const DAY = 86_400
const NOW = Date.UTC(2026, 0, 10) / 1000
const JAN_1 = Date.UTC(2026, 0, 1) / 1000
const FEB_1 = Date.UTC(2026, 1, 1) / 1000
const MAR_1 = Date.UTC(2026, 2, 1) / 1000
const ACCOUNT = '001000000000001AAA'
const KEY = 'a1:billing'
const CORR = 'corr-1'

const MONTHLY: CatalogEntry = {
  billingPriceId: 'price_pro_monthly_usd',
  erpItemId: '10',
  interval: 'month',
  currency: 'USD',
  productName: 'Pro seat',
  unitAmount: 5000,
}
const TEAM: CatalogEntry = { ...MONTHLY, billingPriceId: 'price_team_monthly_usd' }
const EUR: CatalogEntry = { ...MONTHLY, billingPriceId: 'price_pro_monthly_eur', currency: 'EUR' }

function amendment(fields: Record<string, unknown>): Amendment {
  return Amendment.parse({
    id: '7f0c3a8e-3b9d-4a51-9e0f-2a8c1d5e6b7a',
    accountId: ACCOUNT,
    subscriptionKey: 'SUB-1',
    sequence: 2,
    correlationId: CORR,
    createdAt: '2026-01-10T00:00:00Z',
    ...fields,
  })
}

function sub(fields: Partial<StripeSubscription> = {}): StripeSubscription {
  return {
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status: 'active',
    currency: 'usd',
    cancel_at: null,
    cancel_at_period_end: false,
    schedule: null,
    metadata: { subscription_key: 'SUB-1' },
    items: {
      object: 'list',
      has_more: false,
      data: [
        {
          id: 'si_1',
          price: {
            id: 'price_pro_monthly_usd',
            currency: 'usd',
            unit_amount: 5000,
            recurring: { interval: 'month', interval_count: 1 },
          },
          quantity: 5,
          current_period_start: JAN_1,
          current_period_end: FEB_1,
        },
      ],
    },
    latest_invoice: 'in_1',
    billing_cycle_anchor: JAN_1,
    created: JAN_1,
    ...fields,
  }
}

function schedule(fields: Partial<StripeSchedule> = {}): StripeSchedule {
  return {
    id: 'sub_sched_1',
    object: 'subscription_schedule',
    customer: 'cus_1',
    status: 'active',
    subscription: 'sub_1',
    end_behavior: 'release',
    current_phase: { start_date: JAN_1, end_date: FEB_1 },
    phases: [
      {
        start_date: JAN_1,
        end_date: FEB_1,
        items: [{ price: 'price_pro_monthly_usd', quantity: 5 }],
        proration_behavior: 'create_prorations',
        metadata: {},
        currency: 'usd',
      },
    ],
    metadata: {},
    ...fields,
  }
}

function plan(a: Amendment, extra: Partial<PlanInput> = {}) {
  const s = extra.target?.subscription ?? sub()
  return planAmendment({
    amendment: a,
    customerId: 'cus_1',
    subscriptionId: 'sub_1',
    price: a.priceKey ? (a.priceKey === 'team' ? TEAM : MONTHLY) : undefined,
    target: { subscription: s },
    now: NOW,
    ctx: { idempotencyKey: KEY, correlationId: CORR },
    ...extra,
  })
}

const metadata = { correlation_id: CORR }

describe('planAmendment', () => {
  it('plans a create as one subscription create under the step key', () => {
    const p = plan(amendment({ action: 'create', sequence: 1, priceKey: 'pro', quantity: 7 }), {
      target: undefined,
      subscriptionId: undefined,
    })
    expect(p).toEqual({
      calls: [
        {
          method: 'POST',
          path: '/v1/subscriptions',
          params: {
            customer: 'cus_1',
            items: [{ price: 'price_pro_monthly_usd', quantity: 7 }],
            proration_behavior: 'create_prorations',
            payment_behavior: 'allow_incomplete',
            metadata: { subscription_key: 'SUB-1', sf_account_id: ACCOUNT, correlation_id: CORR },
            expand: ['schedule'],
          },
          idempotencyKey: KEY,
        },
      ],
      result: { kind: 'subscription' },
    })
  })

  it('plans nothing for a create whose subscription key already names a subscription', () => {
    const p = plan(amendment({ action: 'create', sequence: 1, priceKey: 'pro', quantity: 7 }))
    expect(p.calls).toEqual([])
    expect(p.result).toMatchObject({ kind: 'known', result: { subscriptionId: 'sub_1' } })
  })

  it('plans a future-dated create as a schedule that starts it at the date', () => {
    const a = amendment({
      action: 'create',
      sequence: 1,
      priceKey: 'pro',
      quantity: 3,
      effectiveDate: '2026-01-20',
    })
    const p = plan(a, { target: undefined })
    const start = Date.UTC(2026, 0, 20) / 1000
    expect(p.calls).toEqual([
      {
        method: 'POST',
        path: '/v1/subscription_schedules',
        params: expect.objectContaining({
          customer: 'cus_1',
          start_date: start,
          end_behavior: 'release',
          phases: [expect.objectContaining({ end_date: Date.UTC(2026, 1, 20) / 1000 })],
        }),
        idempotencyKey: KEY,
      },
    ])
    expect(p.result).toEqual({ kind: 'schedule' })
  })

  it('plans a quantity change now as one subscription update with the preview proration date', () => {
    const a = amendment({ action: 'change_quantity', quantity: 12 })
    const p = plan(a, { prorationDate: NOW - 60 })
    expect(p).toEqual({
      calls: [
        {
          method: 'POST',
          path: '/v1/subscriptions/sub_1',
          params: {
            items: [{ id: 'si_1', price: undefined, quantity: 12 }],
            proration_behavior: 'create_prorations',
            proration_date: NOW - 60,
            metadata,
            expand: ['schedule'],
          },
          idempotencyKey: KEY,
        },
      ],
      result: { kind: 'subscription' },
    })
  })

  it('plans a price change now as one update swapping the item price', () => {
    const p = plan(amendment({ action: 'change_price', priceKey: 'team', proration: 'none' }))
    expect(p.calls).toHaveLength(1)
    expect(p.calls[0]).toMatchObject({
      method: 'POST',
      path: '/v1/subscriptions/sub_1',
      params: {
        items: [{ id: 'si_1', price: 'price_team_monthly_usd' }],
        proration_behavior: 'none',
      },
    })
  })

  it('refuses a price in another currency before any call', () => {
    const a = amendment({ action: 'change_price', priceKey: 'eur' })
    expect(() => plan(a, { price: EUR })).toThrow(ConnectorError)
    expect(() => plan(a, { price: EUR })).toThrow(/bills in USD/)
  })

  it('plans a future-dated change as schedule from the subscription alone, then phases with the metadata, then a re-read', () => {
    const a = amendment({ action: 'change_quantity', quantity: 9, effectiveDate: '2026-02-11' })
    const date = Date.UTC(2026, 1, 11) / 1000
    const p = plan(a)
    expect(p.calls.map((c) => [c.method, c.path, c.idempotencyKey])).toEqual([
      ['POST', '/v1/subscription_schedules', `${KEY}:1`],
      ['POST', `/v1/subscription_schedules/${NEW_SCHEDULE}`, `${KEY}:2`],
      ['GET', '/v1/subscriptions/sub_1', undefined],
    ])
    // Stripe takes nothing beside from_subscription: the metadata rides on the update.
    expect(p.calls[0]?.params).toEqual({ from_subscription: 'sub_1' })
    expect(p.calls[0]?.makesSchedule).toBe(true)
    expect(p.calls[1]?.params).toMatchObject({
      end_behavior: 'release',
      metadata,
      phases: [
        { start_date: JAN_1, end_date: FEB_1, items: [{ quantity: 5 }] },
        { start_date: undefined, end_date: date, items: [{ quantity: 5 }] },
        {
          end_date: Date.UTC(2026, 2, 11) / 1000,
          items: [{ quantity: 9 }],
          metadata: { correlation_id: CORR },
        },
      ],
    })
    expect(p.result).toEqual({ kind: 'subscription', ref: NEW_SCHEDULE })
  })

  it('plans the same phase update on a retry, reading the schedule the first try made', () => {
    const a = amendment({ action: 'change_quantity', quantity: 9, effectiveDate: '2026-02-11' })
    const first = plan(a)
    const sent = first.calls[1]?.params['phases'] as Array<{
      end_date: number
      items: Array<{ price: string; quantity: number }>
      proration_behavior: 'create_prorations'
      metadata: Record<string, string>
    }>
    let start = JAN_1
    const phases = sent.map((ph) => {
      const out = { ...ph, start_date: start, currency: 'usd' }
      start = ph.end_date
      return out
    })
    const attached = schedule({ phases })
    const retry = plan(a, {
      target: { subscription: sub({ schedule: attached }), schedule: attached },
    })
    expect(retry.calls.map((c) => c.path)).toEqual([
      '/v1/subscription_schedules/sub_sched_1',
      '/v1/subscriptions/sub_1',
    ])
    expect(retry.calls[0]?.params).toEqual(first.calls[1]?.params)
    expect(retry.calls[0]?.idempotencyKey).toBe(`${KEY}:2`)
  })

  it('routes an immediate change through an attached schedule, from its current phase', () => {
    const attached = schedule()
    const p = plan(amendment({ action: 'change_quantity', quantity: 8, proration: 'none' }), {
      target: { subscription: sub({ schedule: attached }), schedule: attached },
    })
    expect(p.calls.map((c) => c.path)).toEqual([
      '/v1/subscription_schedules/sub_sched_1',
      '/v1/subscriptions/sub_1',
    ])
    expect(p.calls[0]?.params).toMatchObject({
      proration_behavior: 'none',
      phases: [{ start_date: JAN_1, items: [{ quantity: 8 }] }],
    })
    expect(p.result).toEqual({ kind: 'subscription', ref: 'sub_sched_1' })
  })

  it('refuses to schedule a change on a subscription set to end', () => {
    const a = amendment({ action: 'change_quantity', quantity: 9, effectiveDate: '2026-02-11' })
    const ending = sub({ cancel_at_period_end: true, cancel_at: FEB_1 })
    expect(() => plan(a, { target: { subscription: ending } })).toThrow(/set to end/)
  })

  it('plans a cancel at period end as one update setting cancel_at_period_end', () => {
    const p = plan(amendment({ action: 'cancel', cancelMode: 'at_period_end' }))
    expect(p.calls).toEqual([
      {
        method: 'POST',
        path: '/v1/subscriptions/sub_1',
        params: { cancel_at_period_end: true, metadata, expand: ['schedule'] },
        idempotencyKey: KEY,
      },
    ])
  })

  it('plans a cancel at period end through an attached schedule as end_behavior=cancel at that end', () => {
    const attached = schedule()
    const p = plan(amendment({ action: 'cancel', cancelMode: 'at_period_end' }), {
      target: { subscription: sub({ schedule: attached }), schedule: attached },
    })
    expect(p.calls[0]).toMatchObject({
      path: '/v1/subscription_schedules/sub_sched_1',
      params: { end_behavior: 'cancel', phases: [{ end_date: FEB_1 }] },
      idempotencyKey: `${KEY}:2`,
    })
  })

  it('plans an immediate cancel as a DELETE with the prorated final invoice asked for', () => {
    const p = plan(
      amendment({ action: 'cancel', cancelMode: 'immediately', proration: 'always_invoice' }),
    )
    expect(p.calls).toHaveLength(1)
    expect(p.calls[0]).toMatchObject({
      method: 'DELETE',
      path: '/v1/subscriptions/sub_1',
      params: { invoice_now: true, prorate: true },
    })
    expect(p.calls[0]?.idempotencyKey).toBeUndefined()
    expect(p.calls[0]?.params['cancellation_details']).toEqual({
      comment: expect.stringContaining(CORR),
    })
  })

  it('plans an immediate cancel of a scheduled subscription as the schedule cancel', () => {
    const attached = schedule()
    const p = plan(amendment({ action: 'cancel', cancelMode: 'immediately', proration: 'none' }), {
      target: { subscription: sub({ schedule: attached }), schedule: attached },
    })
    expect(p.calls.map((c) => [c.method, c.path, c.params])).toEqual([
      [
        'POST',
        '/v1/subscription_schedules/sub_sched_1/cancel',
        { invoice_now: false, prorate: false },
      ],
      ['GET', '/v1/subscriptions/sub_1', { expand: ['schedule'] }],
    ])
  })

  it('plans a future-dated cancel after this period as cancel_at that period end', () => {
    const p = plan(
      amendment({ action: 'cancel', cancelMode: 'at_period_end', effectiveDate: '2026-02-15' }),
    )
    expect(p.calls[0]?.params).toMatchObject({ cancel_at: MAR_1 })
  })

  it('plans nothing for a cancel of a subscription that has already ended', () => {
    const p = plan(amendment({ action: 'cancel', cancelMode: 'immediately' }), {
      target: { subscription: sub({ status: 'canceled' }) },
    })
    expect(p).toMatchObject({
      calls: [],
      result: { kind: 'known', result: { status: 'canceled' } },
    })
  })

  it('plans nothing for a renew with no new terms and nothing to undo', () => {
    expect(plan(amendment({ action: 'renew' })).calls).toEqual([])
  })

  it('plans a renew of a subscription set to end as one update undoing the cancellation', () => {
    const p = plan(amendment({ action: 'renew' }), {
      target: { subscription: sub({ cancel_at_period_end: true, cancel_at: FEB_1 }) },
    })
    expect(p.calls).toEqual([
      {
        method: 'POST',
        path: '/v1/subscriptions/sub_1',
        params: { cancel_at_period_end: false, metadata, expand: ['schedule'] },
        idempotencyKey: KEY,
      },
    ])
  })

  it('plans a renew at new terms: undo the cancellation, schedule from the subscription, new terms from the term end', () => {
    const p = plan(amendment({ action: 'renew', quantity: 20 }), {
      target: { subscription: sub({ cancel_at_period_end: true, cancel_at: FEB_1 }) },
    })
    expect(p.calls.map((c) => [c.method, c.path, c.idempotencyKey])).toEqual([
      ['POST', '/v1/subscriptions/sub_1', `${KEY}:3`],
      ['POST', '/v1/subscription_schedules', `${KEY}:1`],
      ['POST', `/v1/subscription_schedules/${NEW_SCHEDULE}`, `${KEY}:2`],
      ['GET', '/v1/subscriptions/sub_1', undefined],
    ])
    expect(p.calls[1]?.params).toEqual({ from_subscription: 'sub_1' })
    expect(p.calls[2]?.params).toMatchObject({
      end_behavior: 'release',
      metadata,
      phases: [
        { start_date: JAN_1, end_date: FEB_1, items: [{ quantity: 5 }] },
        { end_date: MAR_1, items: [{ quantity: 20 }] },
      ],
    })
  })

  it('refuses to change or renew a subscription that has ended', () => {
    const ended = { target: { subscription: sub({ status: 'canceled' }) } }
    expect(() => plan(amendment({ action: 'renew' }), ended)).toThrow(/has ended/)
    expect(() => plan(amendment({ action: 'change_quantity', quantity: 2 }), ended)).toThrow(
      /has ended/,
    )
  })

  it('plans a change to a schedule yet to start as a rewrite of its phases, with the interval read first', () => {
    const pending = schedule({
      status: 'not_started',
      subscription: null,
      current_phase: null,
      phases: [
        {
          start_date: FEB_1,
          end_date: MAR_1,
          items: [{ price: 'price_pro_monthly_usd', quantity: 3 }],
          proration_behavior: 'create_prorations',
          metadata: {},
          currency: 'usd',
        },
      ],
    })
    const a = amendment({ action: 'change_quantity', quantity: 4 })
    const p = plan(a, { target: { schedule: pending }, phaseInterval: 'month' })
    expect(p.calls).toEqual([
      expect.objectContaining({
        path: '/v1/subscription_schedules/sub_sched_1',
        params: expect.objectContaining({
          phases: [
            expect.objectContaining({
              start_date: FEB_1,
              items: [{ price: 'price_pro_monthly_usd', quantity: 4 }],
            }),
          ],
        }),
      }),
    ])
    expect(p.result).toEqual({ kind: 'schedule' })
    expect(
      plan(amendment({ action: 'cancel', cancelMode: 'immediately' }), {
        target: { schedule: pending },
      }).calls,
    ).toEqual([
      {
        method: 'POST',
        path: '/v1/subscription_schedules/sub_sched_1/cancel',
        params: {},
        idempotencyKey: KEY,
      },
    ])
  })

  it('is pure: the same input always plans the same calls', () => {
    const a = amendment({ action: 'change_quantity', quantity: 9, effectiveDate: '2026-02-11' })
    expect(plan(a)).toEqual(plan(a))
    // …and a date that has come by `now` is a change now, not a scheduled one.
    expect(plan(a, { now: Date.UTC(2026, 1, 11) / 1000 + DAY }).calls).toHaveLength(1)
  })
})
