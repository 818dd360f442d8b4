import { createHmac, timingSafeEqual } from 'node:crypto'
import Stripe from 'stripe'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { STRIPE_API_VERSION } from '../../../worker/connectors/stripe/client.ts'
import { customerWithSubscription, harness, KEY, type Harness } from './fixtures.ts'
import type { Customer, StripeEvent } from './types.ts'
import type { Delivery } from './webhooks.ts'
import { startWebhookSink, type WebhookSink } from './webhook-sink.ts'

const SECRET = 'whsec_test_concord_secret'
let h: Harness
let sink: WebhookSink

beforeEach(async () => {
  sink = await startWebhookSink()
})
afterEach(async () => {
  await h.emu.close()
  await sink.close()
})

/** Verifies a Stripe-Signature header the way Stripe's libraries do, independently of the emulator. */
function verify(header: string, raw: string, secret: string, toleranceS = 300): boolean {
  const parts = header.split(',').map((p) => p.split('=') as [string, string])
  const t = Number(parts.find(([k]) => k === 't')?.[1])
  if (!Number.isFinite(t) || Math.abs(Date.now() / 1000 - t) > toleranceS) return false
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`, 'utf8').digest()
  return parts
    .filter(([k]) => k === 'v1')
    .some(([, v]) => {
      const got = Buffer.from(v, 'hex')
      return got.length === expected.length && timingSafeEqual(got, expected)
    })
}

async function createCustomers(n: number): Promise<string[]> {
  const ids: string[] = []
  for (let i = 0; i < n; i++)
    ids.push((await h.api.post<Customer>('/v1/customers', { name: `c${i}` })).body.id)
  return ids
}

const createdEventIds = () =>
  [...h.emu.stripe.store.events.values()]
    .filter((e) => e.type === 'customer.created')
    .map((e) => e.id)

describe('webhook delivery', () => {
  it('delivers each event once, signed with the endpoint secret, matching GET /v1/events/:id', async () => {
    h = await harness({ webhooks: [{ url: sink.url, secret: SECRET }] })
    const c = await h.api.post<Customer>('/v1/customers', {
      name: 'Acme',
      metadata: { sf_account_id: '001A' },
    })
    await h.emu.stripe.webhooks.idle()
    expect(sink.received).toHaveLength(1)
    const [got] = sink.received
    const signature = String(got?.headers['stripe-signature'])
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
    expect(verify(signature, got?.raw ?? '', SECRET)).toBe(true)
    expect(verify(signature, got?.raw ?? '', 'whsec_wrong')).toBe(false)
    expect(verify(signature, (got?.raw ?? '').replace('Acme', 'Acmf'), SECRET)).toBe(false)
    expect(got?.event).toMatchObject({
      object: 'event',
      type: 'customer.created',
      livemode: false,
      data: { object: { id: c.body.id, name: 'Acme' } },
    })
    expect(got?.event.id).toMatch(/^evt_/)
    const fetched = await h.api.get<StripeEvent>(`/v1/events/${got?.event.id}`)
    expect(fetched.body).toMatchObject({
      id: got?.event.id,
      type: 'customer.created',
      pending_webhooks: 0,
      request: { id: expect.stringMatching(/^req_/) },
    })
  })

  it('retries a failing endpoint with backoff, boundedly', async () => {
    h = await harness({
      webhooks: [{ url: sink.url, secret: SECRET }],
      delivery: { retryBaseMs: 10, maxAttempts: 3 },
    })
    sink.script.push(500, 503)
    await h.api.post('/v1/customers', { name: 'A' })
    await h.emu.stripe.webhooks.idle()
    const log = h.emu.stripe.webhooks.deliveries()
    expect(log.map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 200, true],
    ])
    expect(new Set(sink.received.map((r) => r.event.id)).size).toBe(1)

    sink.script.push(500, 500, 500, 500)
    await h.api.post('/v1/customers', { name: 'B' })
    await h.emu.stripe.webhooks.idle()
    const second = h.emu.stripe.webhooks.deliveries().slice(3)
    expect(second.map((d) => d.status)).toEqual([500, 500, 500])
    expect(h.emu.stripe.webhooks.pending()).toHaveLength(0)
  })

  it('holds deliveries while paused and delivers them on flush, shuffled and replayable from the seed', async () => {
    const orderFor = async (seed: number) => {
      h = await harness({
        webhooks: [{ url: sink.url, secret: SECRET }],
        delivery: { paused: true, shuffle: true, seed },
      })
      await createCustomers(8)
      expect(sink.received).toHaveLength(0)
      const delivered: Delivery[] = await h.emu.stripe.webhooks.flush()
      const created = createdEventIds()
      const order = delivered.map((d) => d.eventId)
      expect([...order].sort()).toEqual([...created].sort())
      await h.emu.close()
      sink.received.length = 0
      return { order, created }
    }
    const a = await orderFor(7)
    const b = await orderFor(7)
    const c = await orderFor(8)
    expect(a.order).not.toEqual(a.created)
    expect(b.order).toEqual(a.order)
    expect(c.order).not.toEqual(a.order)
    h = await harness()
  })

  it('duplicates deliveries under duplicateRate with the same event id', async () => {
    h = await harness({
      webhooks: [{ url: sink.url, secret: SECRET }],
      delivery: { duplicateRate: 1 },
    })
    await createCustomers(3)
    await h.emu.stripe.webhooks.idle()
    const ids = sink.received.map((r) => r.event.id)
    expect(ids).toHaveLength(6)
    expect(new Set(ids).size).toBe(3)
    expect(h.emu.stripe.webhooks.deliveries().filter((d) => d.duplicate)).toHaveLength(3)
    expect(
      sink.received.every((r) => verify(String(r.headers['stripe-signature']), r.raw, SECRET)),
    ).toBe(true)
  })

  it('loses events under loseTypes and loseRate; Stripe’s own client still finds them in GET /v1/events', async () => {
    h = await harness({ webhooks: [{ url: sink.url, secret: SECRET }] })
    await h.api.control('stripe/delivery', { loseTypes: ['customer.*'] })
    const ids = await createCustomers(3)
    await h.emu.stripe.webhooks.idle()
    expect(sink.received).toHaveLength(0)
    const lost = h.emu.stripe.webhooks.deliveries().filter((d) => d.lost)
    expect(lost.map((d) => d.type)).toEqual(Array(3).fill('customer.created'))
    const url = new URL(h.emu.url)
    const stripe = new Stripe(KEY, {
      apiVersion: STRIPE_API_VERSION,
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 0,
      httpClient: Stripe.createFetchHttpClient(),
    })
    // Stripe's documented catch-up: list events since a moment, by type, a page at a time.
    await h.api.control('stripe/advance', { seconds: 120 })
    await createCustomers(1)
    const found: string[] = []
    for await (const e of stripe.events.list({
      created: { gte: h.emu.stripe.now() - 60 },
      types: ['customer.created', 'invoice.paid'],
      limit: 2,
    }))
      found.push((e.data.object as { id: string }).id)
    expect(found).toHaveLength(1)
    expect(ids).not.toContain(found[0])
    const all: string[] = []
    for await (const e of stripe.events.list({ types: ['customer.created'], limit: 2 }))
      all.push((e.data.object as { id: string }).id)
    expect(all).toHaveLength(4)
    expect(all).toEqual(expect.arrayContaining(ids))

    await h.api.control('stripe/delivery', { loseTypes: [], loseRate: 1 })
    await createCustomers(1)
    await h.api.control('stripe/delivery', { loseRate: 0 })
    await createCustomers(1)
    await h.emu.stripe.webhooks.idle()
    expect(sink.received).toHaveLength(1)
    expect(h.emu.stripe.webhooks.deliveries().filter((d) => d.lost)).toHaveLength(5)
  })

  it('delays deliveries by delayMs and takes endpoints and modes from the control API', async () => {
    h = await harness()
    const ep = await h.api.control<{ secret: string }>('stripe/webhook_endpoint', {
      url: sink.url,
      enabled_events: ['customer.created'],
    })
    expect(ep.body.secret).toMatch(/^whsec_/)
    await h.api.control('stripe/delivery', { delayMs: 400 })
    const sent = Date.now()
    await h.api.post('/v1/customers', { name: 'A' })
    const [queued] = h.emu.stripe.webhooks.pending()
    expect(queued?.dueAt).toBeGreaterThanOrEqual(sent + 400)
    expect(sink.received).toHaveLength(0)
    await h.emu.stripe.webhooks.idle()
    expect(sink.received).toHaveLength(1)
    expect(
      verify(
        String(sink.received[0]?.headers['stripe-signature']),
        sink.received[0]?.raw ?? '',
        ep.body.secret,
      ),
    ).toBe(true)
    const listed = await h.api.control<{ deliveries: Delivery[] }>('stripe/deliveries')
    expect(listed.body.deliveries.map((d) => [d.type, d.status])).toEqual([
      ['customer.created', 200],
    ])
  })
})

describe('invoice payment lifecycle control actions', () => {
  it('emit the events and effects Stripe would', async () => {
    h = await harness({ webhooks: [{ url: sink.url, secret: SECRET }] })
    const types = () => sink.received.map((r) => r.event.type)
    const { sub } = await customerWithSubscription(h.api, {
      extra: { collection_method: 'send_invoice', days_until_due: 30 },
    })
    const first = sub.latest_invoice as string
    await h.api.control('stripe/pay_invoice', { invoice: first })
    const charge = h.emu.stripe.store.invoiceCharge.get(first) as string
    await h.api.control('stripe/refund', { charge, amount: 1000 })
    await h.api.control('stripe/credit_note', { invoice: first, amount: 500 })
    await h.emu.stripe.webhooks.idle()
    expect(types()).toEqual(
      expect.arrayContaining([
        'invoice.paid',
        'invoice_payment.paid',
        'charge.refunded',
        'credit_note.created',
      ]),
    )
    expect(h.emu.stripe.store.charges.get(charge)).toMatchObject({
      amount_refunded: 1000,
      refunded: false,
    })

    h.emu.stripe.advance(31 * 86_400)
    const renewal = h.emu.stripe.store.subscriptions.get(sub.id)?.latest_invoice as string
    expect(renewal).not.toBe(first)
    const failed = await h.api.control('stripe/fail_payment', { invoice: renewal })
    expect(failed.status).toBe(200)
    expect(h.emu.stripe.store.subscriptions.get(sub.id)?.status).toBe('past_due')
    await h.api.control('stripe/mark_uncollectible', { invoice: renewal })
    await h.api.control('stripe/void_invoice', { invoice: renewal })
    const note = [...h.emu.stripe.store.creditNotes.values()][0]
    await h.api.control('stripe/void_credit_note', { credit_note: note?.id })
    expect((await h.api.control('stripe/void_invoice', { invoice: renewal })).status).toBe(400)
    await h.emu.stripe.webhooks.idle()
    expect(types()).toEqual(
      expect.arrayContaining([
        'invoice.payment_failed',
        'invoice.marked_uncollectible',
        'invoice.voided',
        'credit_note.voided',
        'customer.subscription.updated',
      ]),
    )
    expect(h.emu.stripe.store.invoices.get(renewal)?.status).toBe('void')
    expect(h.emu.effects.counts()).toMatchObject({
      'invoice.pay': 1,
      'charge.refund': 1,
      'credit_note.create': 1,
      'invoice.payment_failed': 1,
      'invoice.mark_uncollectible': 1,
      'invoice.void': 1,
      'credit_note.void': 1,
    })
    expect(
      sink.received.every((r) => verify(String(r.headers['stripe-signature']), r.raw, SECRET)),
    ).toBe(true)
  })
})
