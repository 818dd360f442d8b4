import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import { StripeBilling, type StripeSubscription } from '../../../worker/connectors/stripe/index.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import { stripeClientOf } from '../support/connectors.ts'
import { newAccountId } from '../support/helpers.ts'

// Planning from billing's last answer: the saga hands the connector the subscription as Stripe
// answered the previous change (`answer.snapshot`), so the next change is one write, no read.
const STRIPE = env.STRIPE_API_BASE as string
const PRICE = DEMO_CATALOG.prices['pro-monthly-usd']

function billing(): StripeBilling {
  const client = stripeClientOf(env)
  if (!client) throw new Error('the worker test env has no Stripe settings')
  return new StripeBilling(client)
}

/** Every request this test's code sends, as `METHOD /path`. */
function recordRequests(): () => string[] {
  const spy = vi.spyOn(globalThis, 'fetch')
  return () =>
    spy.mock.calls.map(([input, init]) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      return `${init?.method ?? 'GET'} ${url.pathname}`
    })
}
afterEach(() => vi.restoreAllMocks())

async function subscribed() {
  const stripe = billing()
  const accountId = newAccountId()
  const { customerId } = await stripe.ensureCustomer(
    { accountId, name: `Acme ${accountId}` },
    { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
  )
  const subscriptionKey = `SUB-${crypto.randomUUID().slice(0, 8)}`
  let sequence = 0
  const amendment = (fields: Partial<Record<keyof Amendment, unknown>>) =>
    Amendment.parse({
      id: crypto.randomUUID(),
      accountId,
      subscriptionKey,
      sequence: ++sequence,
      correlationId: crypto.randomUUID(),
      createdAt: new Date().toISOString(),
      ...fields,
    })
  const create = amendment({ action: 'create', priceKey: 'pro-monthly-usd', quantity: 3 })
  const ctx = (a: Amendment) => ({
    idempotencyKey: `${a.id}:billing`,
    correlationId: a.correlationId,
  })
  const created = await stripe.applyAmendment(
    { amendment: create, customerId, price: PRICE },
    { ...ctx(create), keyFirstUsedAt: Date.now() },
  )
  return { stripe, customerId, created, amendment, ctx }
}

describe('StripeBilling.applyAmendment from its last answer', () => {
  it('answers a create and a change with the subscription as Stripe returned it, fresh', async () => {
    const { created } = await subscribed()
    expect(created.answer?.subscription).toMatchObject({
      id: created.subscriptionId,
      quantity: 3,
      priceId: PRICE?.billingPriceId,
      status: 'active',
    })
    const kept = JSON.parse(created.answer?.snapshot ?? '{}') as StripeSubscription
    expect(kept.id).toBe(created.subscriptionId)
    expect(kept.items.data[0]?.quantity).toBe(3)
  })

  it('plans a change from the kept answer with one write and no read', async () => {
    const { stripe, customerId, created, amendment, ctx } = await subscribed()
    const change = amendment({ action: 'change_quantity', quantity: 8 })
    const requests = recordRequests()
    const changed = await stripe.applyAmendment(
      {
        amendment: change,
        customerId,
        subscriptionId: created.subscriptionId,
        known: created.answer?.snapshot,
      },
      ctx(change),
    )
    expect(requests()).toEqual([`POST /v1/subscriptions/${created.subscriptionId}`])
    expect(changed.answer?.subscription.quantity).toBe(8)
    const res = await fetch(`${STRIPE}/v1/subscriptions/${created.subscriptionId}`, {
      headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
    })
    const sub = await res.json<StripeSubscription>()
    expect(sub.items.data[0]?.quantity).toBe(8)
  })

  it('gives no answer to keep when Stripe replays the first answer to a retried write', async () => {
    const { stripe, customerId, created, amendment, ctx } = await subscribed()
    const change = amendment({ action: 'change_quantity', quantity: 4 })
    const input = {
      amendment: change,
      customerId,
      subscriptionId: created.subscriptionId,
      known: created.answer?.snapshot,
    }
    const first = await stripe.applyAmendment(input, ctx(change))
    const again = await stripe.applyAmendment(input, ctx(change))
    expect(first.answer).toBeDefined()
    expect(again.answer).toBeUndefined()
    expect(again.subscriptionId).toBe(first.subscriptionId)
  })

  it('reads instead when the kept answer is of another subscription', async () => {
    const one = await subscribed()
    const other = await subscribed()
    const change = one.amendment({ action: 'change_quantity', quantity: 6 })
    const requests = recordRequests()
    const changed = await one.stripe.applyAmendment(
      {
        amendment: change,
        customerId: one.customerId,
        subscriptionId: one.created.subscriptionId,
        known: other.created.answer?.snapshot,
      },
      one.ctx(change),
    )
    expect(requests()).toEqual([
      `GET /v1/subscriptions/${one.created.subscriptionId}`,
      `POST /v1/subscriptions/${one.created.subscriptionId}`,
    ])
    expect(changed.answer?.subscription.quantity).toBe(6)
  })

  it('is refused as a business error when the kept answer no longer holds', async () => {
    const { stripe, customerId, created, amendment, ctx } = await subscribed()
    const cancel = amendment({ action: 'cancel', cancelMode: 'immediately', proration: 'none' })
    await stripe.applyAmendment(
      { amendment: cancel, customerId, subscriptionId: created.subscriptionId },
      ctx(cancel),
    )
    const change = amendment({ action: 'change_quantity', quantity: 9 })
    const err = await stripe
      .applyAmendment(
        {
          amendment: change,
          customerId,
          subscriptionId: created.subscriptionId,
          known: created.answer?.snapshot,
        },
        ctx(change),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(ConnectorError)
    expect(err).toMatchObject({ kind: 'business' })
  })
})
