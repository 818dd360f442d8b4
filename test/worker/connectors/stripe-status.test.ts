import { describe, expect, it } from 'vitest'
import { concordStatus } from '../../../worker/connectors/stripe/mirror.ts'
import { subscriptionResult } from '../../../worker/connectors/stripe/subscriptions.ts'
import type {
  StripeSchedule,
  StripeSubscription,
  StripeSubscriptionStatus,
} from '../../../worker/connectors/stripe/stripe-types.ts'
import { classifyStripeEvent } from '../../../worker/webhooks/stripe-events.ts'

const PERIOD_END = Date.UTC(2026, 1, 1) / 1000

function subscription(
  status: StripeSubscriptionStatus,
  fields: Partial<StripeSubscription> = {},
): StripeSubscription {
  return {
    id: 'sub_1',
    object: 'subscription',
    customer: 'cus_1',
    status,
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
          price: { id: 'price_1', currency: 'usd', unit_amount: 1000, recurring: null },
          quantity: 3,
          current_period_start: PERIOD_END - 31 * 86_400,
          current_period_end: PERIOD_END,
        },
      ],
    },
    latest_invoice: null,
    created: 0,
    ...fields,
  }
}

/** What each path reports for one subscription: the saga's result and the webhook mirror. */
function bothReadings(sub: StripeSubscription) {
  const event = classifyStripeEvent({
    id: 'evt_1',
    type: 'customer.subscription.updated',
    created: 1,
    // Events never expand the schedule: the payload names it by id.
    data: {
      object: {
        ...sub,
        schedule: typeof sub.schedule === 'object' ? sub.schedule?.id : sub.schedule,
      },
    },
  })
  return { saga: subscriptionResult(sub), mirror: event.subscription }
}

const schedule = (end_behavior: StripeSchedule['end_behavior']): StripeSchedule => ({
  id: 'sub_sched_1',
  object: 'subscription_schedule',
  customer: 'cus_1',
  status: 'active',
  subscription: 'sub_1',
  end_behavior,
  current_phase: null,
  phases: [],
  metadata: {},
})

describe('concordStatus', () => {
  const cases: Array<[StripeSubscriptionStatus, string]> = [
    ['incomplete', 'pending'],
    ['incomplete_expired', 'canceled'],
    ['trialing', 'active'],
    ['active', 'active'],
    ['past_due', 'past_due'],
    ['canceled', 'canceled'],
    ['unpaid', 'past_due'],
    ['paused', 'pending'],
  ]
  for (const [stripe, concord] of cases) {
    it(`reads ${stripe} as ${concord}, in the saga's result and the webhook mirror alike`, () => {
      const { saga, mirror } = bothReadings(subscription(stripe))
      expect(saga.status).toBe(concord)
      expect(mirror?.status).toBe(concord)
    })
  }

  it('reads an active or trialing subscription set to end at period end as scheduled_cancel', () => {
    for (const status of ['active', 'trialing'] as const) {
      const { saga, mirror } = bothReadings(
        subscription(status, { cancel_at_period_end: true, cancel_at: PERIOD_END }),
      )
      expect([saga.status, mirror?.status]).toEqual(['scheduled_cancel', 'scheduled_cancel'])
    }
  })

  it('reads a cancel_at date alone as scheduled_cancel (the webhook used to say active)', () => {
    const { saga, mirror } = bothReadings(subscription('active', { cancel_at: PERIOD_END + 9 }))
    expect([saga.status, mirror?.status]).toEqual(['scheduled_cancel', 'scheduled_cancel'])
  })

  it('keeps a payment condition over a cancellation still to come (the webhook used to say scheduled_cancel)', () => {
    const ending = { cancel_at_period_end: true, cancel_at: PERIOD_END }
    for (const [status, concord] of [
      ['past_due', 'past_due'],
      ['unpaid', 'past_due'],
      ['incomplete', 'pending'],
      ['paused', 'pending'],
    ] as const) {
      const { saga, mirror } = bothReadings(subscription(status, ending))
      expect([saga.status, mirror?.status]).toEqual([concord, concord])
    }
  })

  it('reads an attached schedule that ends with cancel as scheduled_cancel, and one that releases as active', () => {
    expect(concordStatus(subscription('active', { schedule: schedule('cancel') }))).toBe(
      'scheduled_cancel',
    )
    expect(concordStatus(subscription('active', { schedule: schedule('release') }))).toBe('active')
    // A schedule that no longer manages the subscription decides nothing.
    expect(
      concordStatus(
        subscription('active', { schedule: { ...schedule('cancel'), status: 'released' } }),
      ),
    ).toBe('active')
  })

  it('reads a status Stripe may add later as pending, never as in force', () => {
    expect(concordStatus({ status: 'something_new' })).toBe('pending')
  })

  it('reports the same period end both ways: the latest item period', () => {
    const sub = subscription('active')
    const second = { ...(sub.items.data[0] as StripeSubscription['items']['data'][number]) }
    sub.items.data.push({ ...second, id: 'si_2', current_period_end: PERIOD_END + 86_400 })
    const { saga, mirror } = bothReadings(sub)
    expect(saga.currentPeriodEnd).toBe('2026-02-02')
    expect(mirror?.currentPeriodEnd).toBe('2026-02-02')
  })
})
