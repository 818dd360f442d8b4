import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { expectSafeError, operatorFetch } from '../support/helpers.ts'
import { createAccount } from '../support/vendors.ts'
import { deliver, stripeApi, stripeSignature } from './support.ts'

const event = (type: string, object: Record<string, unknown>) => ({
  id: `evt_${crypto.randomUUID().replace(/-/g, '')}`,
  object: 'event',
  type,
  created: Math.floor(Date.now() / 1000),
  data: { object },
})

async function quarantined(requestId: string | null) {
  const { items } = await (
    await operatorFetch('/v1/quarantine?limit=50')
  ).json<{
    items: Array<{ requestId: string; source: string; reasons: Array<{ message: string }> }>
  }>()
  return items.find((i) => i.requestId === requestId)
}

describe('POST /v1/webhooks/stripe', () => {
  it('refuses a wrong signature, a stale timestamp and a malformed body with 400, and records each', async () => {
    const body = JSON.stringify(event('invoice.paid', { id: 'in_x', customer: 'cus_x' }))
    const wrong = await deliver(body, await stripeSignature(body, 'whsec_wrong'))
    expect(wrong.status).toBe(400)
    expect((await expectSafeError(wrong)).code).toBe('bad_signature')
    expect((await quarantined(wrong.headers.get('x-request-id')))?.reasons[0]?.message).toMatch(
      /signature_mismatch/,
    )

    const stale = await deliver(
      body,
      await stripeSignature(body, undefined, Math.floor(Date.now() / 1000) - 301),
    )
    expect(stale.status).toBe(400)
    expect((await quarantined(stale.headers.get('x-request-id')))?.reasons[0]?.message).toMatch(
      /timestamp_out_of_tolerance/,
    )

    const malformed = await deliver('{"id": "evt_1", "type": 42}')
    expect(malformed.status).toBe(400)
    await expectSafeError(malformed)
    expect((await quarantined(malformed.headers.get('x-request-id')))?.source).toBe(
      'stripe.webhook',
    )
  })

  it('acknowledges an event for an unknown customer and keeps it visible as unrouted', async () => {
    // A customer of its own: linking it at the end must not route other tests' events.
    const nobody = `cus_nobody${crypto.randomUUID().slice(0, 8)}`
    const e = event('invoice.finalized', { id: 'in_unknown', customer: nobody })
    const res = await deliver(e)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, outcome: 'unrouted' })
    const report = await (
      await operatorFetch('/v1/webhooks/stripe/events?outcome=unrouted')
    ).json<{ events: Array<{ id: string; customerId: string }> }>()
    expect(report.events.find((x) => x.id === e.id)).toMatchObject({ customerId: nobody })
    // The exception work queue keeps it, found by the event or the customer, until the
    // customer is linked to an account.
    const queued = async (q: string) =>
      (await (await operatorFetch(`/v1/exceptions?q=${q}`)).json<{ items: unknown[] }>()).items
    expect(await queued(nobody)).toEqual([
      expect.objectContaining({
        id: `unmatched_webhook:${e.id}`,
        category: 'needs_data_fix',
        system: 'stripe',
        code: 'customer_not_linked',
      }),
    ])
    expect(await queued(e.id)).toHaveLength(1)
    await env.OPS_REGISTRY.getByName('global').rememberCustomer(nobody, await createAccount())
    expect(await queued(e.id)).toEqual([])
  })

  it('acknowledges and counts an unhandled type', async () => {
    const e = event('payout.paid', { id: 'po_1' })
    expect(await (await deliver(e)).json()).toEqual({ received: true, outcome: 'ignored' })
    const report = await (
      await operatorFetch('/v1/webhooks/stripe/events')
    ).json<{
      counts: Array<{ type: string; outcome: string; n: number }>
    }>()
    expect(
      report.counts.find((c) => c.type === 'payout.paid' && c.outcome === 'ignored')?.n,
    ).toBeGreaterThanOrEqual(1)
  })

  it('routes by the customer’s Salesforce account and answers duplicate for a redelivery', async () => {
    const account = await createAccount()
    const customer = await stripeApi('POST', '/v1/customers', {
      name: 'Routed Co',
      'metadata[sf_account_id]': account,
    })
    const e = event('invoice.created', { id: 'in_missing', customer: customer.id })
    expect(await (await deliver(e)).json()).toEqual({ received: true, outcome: 'queued' })
    expect(await (await deliver(e)).json()).toEqual({ received: true, outcome: 'duplicate' })
  })

  // Found by the fuzz suite (test/worker/fuzz): each of these was a 500 or a 503.
  it.each([
    ['a number', 0],
    ['a string', '1e3'],
    ['an object', {}],
    ['a list of non-objects', ['\u0000', 0, null]],
    ['an item whose period ends past any date', [{ current_period_end: 1e300, quantity: 1.5 }]],
  ])('acknowledges a subscription event whose items are %s instead of failing', async (_, data) => {
    const res = await deliver(
      event('customer.subscription.updated', {
        id: 'sub_odd',
        customer: 'cus_nobody',
        items: { data },
      }),
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, outcome: 'unrouted' })
  })

  it.each([-1, 0, 1.5, 1e300])(
    'refuses an event whose created (%s) is not unix seconds, and keeps it',
    async (created) => {
      const res = await deliver({
        ...event('invoice.paid', { id: 'in_x', customer: 'cus_x' }),
        created,
      })
      expect(res.status).toBe(400)
      expect((await expectSafeError(res)).code).toBe('invalid_request')
      expect((await quarantined(res.headers.get('x-request-id')))?.source).toBe('stripe.webhook')
    },
  )

  it('keeps invoice_payment.paid for an invoice billing does not know as unrouted, not an outage', async () => {
    const e = event('invoice_payment.paid', { id: 'inpay_1', invoice: 'in_nowhere' })
    const res = await deliver(e)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, outcome: 'unrouted' })
  })

  it('never asks billing about a customer that is no Stripe id', async () => {
    const e = event('invoice.paid', { id: 'in_y', customer: '😀'.repeat(5_000) })
    const res = await deliver(e)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ received: true, outcome: 'unrouted' })
    const report = await (
      await operatorFetch('/v1/webhooks/stripe/events?outcome=unrouted')
    ).json<{ events: Array<{ id: string; customerId?: string }> }>()
    expect(report.events.find((x) => x.id === e.id)?.customerId).toBeUndefined()
  })
})
