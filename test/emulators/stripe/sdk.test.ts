import Stripe from 'stripe'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { STRIPE_API_VERSION } from '../../../worker/connectors/stripe/client.ts'
import { DAY, harness, KEY, START, type Harness } from './fixtures.ts'
import { loadSpec, specProblems } from './spec.ts'

// The emulator driven the way Stripe's own SDK drives Stripe — the official `stripe` package, at
// the version that pins the connector's API version — with every body that comes back checked
// against the pinned version's shapes (see spec.ts for where they come from).

interface Exchange {
  /** The `Stripe-Version` the SDK sent. */
  version: string | null
  method: string
  path: string
  status: number
  body: unknown
}

let h: Harness
let stripe: Stripe
const seen: Exchange[] = []

/** `fetch` that keeps a copy of every answer, so the raw JSON is what gets validated. */
const recording: typeof fetch = async (input, init) => {
  const res = await fetch(input, init)
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
  const text = await res.clone().text()
  seen.push({
    version: new Headers(init?.headers).get('stripe-version'),
    method: init?.method ?? 'GET',
    path: url.pathname,
    status: res.status,
    body: text ? JSON.parse(text) : undefined,
  })
  return res
}

// The spec's type checker takes seconds to build: build it here, not in the first afterEach.
beforeAll(loadSpec, 120_000)
beforeAll(async () => {
  h = await harness()
  const url = new URL(h.emu.url)
  stripe = new Stripe(KEY, {
    apiVersion: STRIPE_API_VERSION,
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: 0,
    httpClient: Stripe.createFetchHttpClient(recording),
  })
})
afterAll(async () => {
  await h.emu.close()
})
afterEach(() => {
  // Every answer of the test, success or error, conforms to the pinned version's shapes.
  const problems = seen.flatMap((x) =>
    specProblems(x.body).map((p) => `${x.method} ${x.path} (${x.status}) ${p}`),
  )
  seen.length = 0
  expect(problems).toEqual([])
})

async function refusal(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Stripe.errors.StripeError)
  return err as Stripe.errors.StripeError
}

async function subscribed(quantity = 5) {
  const customer = await stripe.customers.create({
    name: 'Acme',
    metadata: { sf_account_id: '001000000000001AAA' },
  })
  const sub = await stripe.subscriptions.create(
    {
      customer: customer.id,
      items: [{ price: 'price_seat_monthly', quantity }],
      payment_behavior: 'allow_incomplete',
      metadata: { correlation_id: 'corr-sdk' },
    },
    { idempotencyKey: `create-${customer.id}` },
  )
  return { customer, sub }
}

describe('Stripe emulator, driven by the official stripe SDK', () => {
  it('sends the pinned API version and answers it back', async () => {
    const { sub } = await subscribed()
    expect(seen.map((x) => x.version)).toEqual([STRIPE_API_VERSION, STRIPE_API_VERSION])
    expect(sub.lastResponse.apiVersion).toBe(STRIPE_API_VERSION)
    expect(sub.status).toBe('active')
  })

  it('creates, reads and changes a subscription in the pinned version’s shapes', async () => {
    const { customer, sub } = await subscribed(5)
    const item = sub.items.data[0] as Stripe.SubscriptionItem
    const updated = await stripe.subscriptions.update(
      sub.id,
      {
        items: [{ id: item.id, quantity: 8 }],
        proration_behavior: 'always_invoice',
        proration_date: START + 15 * DAY,
        expand: ['schedule'],
      },
      { idempotencyKey: `qty-${sub.id}` },
    )
    expect(updated.items.data[0]?.quantity).toBe(8)
    const invoice = await stripe.invoices.retrieve(updated.latest_invoice as string)
    expect(invoice.billing_reason).toBe('subscription_update')
    // Prorations are flagged under `parent` only; the top-level flag was removed in `basil`.
    const flags = invoice.lines.data.map((l) => l.parent?.subscription_item_details?.proration)
    expect(flags).toEqual([true, true])
    expect(invoice.lines.data.every((l) => !('proration' in l))).toBe(true)
    await stripe.invoices.listLineItems(invoice.id)
    await stripe.invoices.list({ customer: customer.id })
    await stripe.invoicePayments.list({ invoice: invoice.id })
    await stripe.subscriptions.list({ customer: customer.id, status: 'all' })
    await stripe.subscriptionItems.retrieve(item.id)
    await stripe.customers.retrieve(customer.id)
    await stripe.prices.retrieve('price_seat_monthly')
    await stripe.products.retrieve('prod_seat')
  })

  it('previews an invoice in the pinned version’s shapes', async () => {
    const { customer, sub } = await subscribed(5)
    const preview = await stripe.invoices.createPreview({
      customer: customer.id,
      subscription: sub.id,
      subscription_details: {
        items: [{ id: sub.items.data[0]?.id, quantity: 7 }],
        proration_behavior: 'create_prorations',
        proration_date: START + 10 * DAY,
      },
    })
    expect(preview.lines.data.some((l) => l.parent?.subscription_item_details?.proration)).toBe(
      true,
    )
  })

  it('refuses metadata beside from_subscription, as Stripe does, and takes it on the update', async () => {
    const { sub } = await subscribed()
    const err = await refusal(
      stripe.subscriptionSchedules.create({
        from_subscription: sub.id,
        metadata: { correlation_id: 'corr-x' },
      }),
    )
    expect(err).toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'metadata',
    })
    const schedule = await stripe.subscriptionSchedules.create(
      { from_subscription: sub.id },
      { idempotencyKey: `sched-${sub.id}:1` },
    )
    expect(schedule).toMatchObject({ status: 'active', subscription: sub.id, metadata: {} })
    const phase = schedule.phases[0] as Stripe.SubscriptionSchedule.Phase
    const updated = await stripe.subscriptionSchedules.update(
      schedule.id,
      {
        end_behavior: 'release',
        metadata: { correlation_id: 'corr-x' },
        phases: [
          {
            start_date: phase.start_date,
            end_date: phase.end_date,
            items: [{ price: 'price_seat_monthly', quantity: 5 }],
          },
          {
            items: [{ price: 'price_seat_monthly', quantity: 9 }],
            duration: { interval: 'month' },
          },
        ],
      },
      { idempotencyKey: `sched-${sub.id}:2` },
    )
    expect(updated.metadata).toEqual({ correlation_id: 'corr-x' })
    expect(updated.phases.map((p) => p.items[0]?.quantity)).toEqual([5, 9])
    await stripe.subscriptionSchedules.retrieve(schedule.id)
    await stripe.subscriptionSchedules.list({ customer: sub.customer as string })
  })

  it('answers 400 resource_missing for a missing object named in a parameter, 404 for the URL’s', async () => {
    const inParam = await refusal(
      stripe.subscriptions.create({
        customer: 'cus_missing',
        items: [{ price: 'price_seat_monthly' }],
      }),
    )
    expect(inParam).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' })
    const inPrice = await refusal(
      stripe.subscriptionSchedules.create({ from_subscription: 'sub_missing' }),
    )
    expect(inPrice).toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'from_subscription',
    })
    const inPath = await refusal(stripe.subscriptions.retrieve('sub_missing'))
    expect(inPath).toMatchObject({ statusCode: 404, code: 'resource_missing' })
  })

  it('cancels, pays, refunds and credits in the pinned version’s shapes', async () => {
    const { customer, sub } = await subscribed(2)
    const invoice = await stripe.invoices.retrieve(sub.latest_invoice as string)
    const payments = await stripe.invoicePayments.list({ invoice: invoice.id })
    const charge = payments.data[0]?.payment.charge as string
    await stripe.charges.retrieve(charge, { expand: ['refunds'] })
    await stripe.refunds.create({ charge, amount: 100 }, { idempotencyKey: `refund-${charge}` })
    await stripe.charges.list({ customer: customer.id })
    await stripe.creditNotes.list({ invoice: invoice.id })
    const canceled = await stripe.subscriptions.cancel(sub.id, { prorate: true, invoice_now: true })
    expect(canceled.status).toBe('canceled')
    await stripe.invoiceItems.list({ customer: customer.id })
    const events = await stripe.events.list({ limit: 5 })
    expect(events.data.length).toBeGreaterThan(0)
    await stripe.events.retrieve(events.data[0]?.id as string)
  })

  it('issues and voids credit notes, and keeps webhook endpoints, in the pinned version’s shapes', async () => {
    const { sub } = await subscribed(3)
    const invoice = sub.latest_invoice as string
    const note = await stripe.creditNotes.create(
      { invoice, amount: 500, reason: 'order_change' },
      { idempotencyKey: `cn-${invoice}` },
    )
    expect(note).toMatchObject({ status: 'issued', amount: 500 })
    await stripe.creditNotes.retrieve(note.id)
    await stripe.creditNotes.voidCreditNote(note.id)
    await stripe.creditNotes.list({ invoice })
    const endpoint = await stripe.webhookEndpoints.create({
      url: 'http://127.0.0.1:9/hook',
      enabled_events: ['invoice.paid'],
    })
    await stripe.webhookEndpoints.retrieve(endpoint.id)
    await stripe.webhookEndpoints.list()
    await stripe.webhookEndpoints.del(endpoint.id)
  })

  it('searches customers and runs a schedule to release or cancel in the pinned version’s shapes', async () => {
    const { customer, sub } = await subscribed(1)
    await stripe.customers.search({ query: "metadata['sf_account_id']:'001000000000001AAA'" })
    await stripe.customers.update(customer.id, { name: 'Acme Corp' })
    const schedule = await stripe.subscriptionSchedules.create({ from_subscription: sub.id })
    await stripe.subscriptionSchedules.release(schedule.id)
    const again = await stripe.subscriptionSchedules.create({ from_subscription: sub.id })
    await stripe.subscriptionSchedules.cancel(again.id, { prorate: false })
    const future = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: START + 40 * DAY,
      end_behavior: 'release',
      phases: [
        { items: [{ price: 'price_seat_annual', quantity: 2 }], duration: { interval: 'year' } },
      ],
    })
    expect(future.status).toBe('not_started')
  })
})
