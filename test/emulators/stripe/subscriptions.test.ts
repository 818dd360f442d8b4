import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { customerWithSubscription, DAY, harness, START, type Harness } from './fixtures.ts'
import type { Customer, Invoice, InvoiceItem, StripeList, Subscription } from './types.ts'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.emu.close()
})

const FEB_1 = Date.UTC(2026, 1, 1) / 1000
const JAN_16 = START + 15 * DAY
/** What Stripe charges for `unit × qty` over the rest of Jan 2026 from Jan 16 (16 of 31 days). */
const rest = (unit: number, qty: number) =>
  Math.round((unit * qty * (FEB_1 - JAN_16)) / (FEB_1 - START))

const invoice = async (id: string | null) => (await h.api.get<Invoice>(`/v1/invoices/${id}`)).body
const eventTypes = () => [...h.emu.stripe.store.events.values()].map((e) => e.type)

describe('POST /v1/subscriptions', () => {
  it('creates the subscription, items with their period, and a paid first invoice', async () => {
    const { customer, sub } = await customerWithSubscription(h.api, {
      quantity: 5,
      correlationId: 'corr-42',
    })
    expect(sub).toMatchObject({
      object: 'subscription',
      status: 'active',
      customer: customer.id,
      currency: 'usd',
      livemode: false,
      created: START,
    })
    expect(sub.id).toMatch(/^sub_/)
    const item = sub.items.data[0]
    expect(item).toMatchObject({
      object: 'subscription_item',
      quantity: 5,
      current_period_start: START,
      current_period_end: FEB_1,
      price: { id: 'price_seat_monthly', unit_amount: 1000 },
    })
    expect(item?.id).toMatch(/^si_/)

    const inv = await invoice(sub.latest_invoice)
    expect(inv).toMatchObject({
      object: 'invoice',
      status: 'paid',
      billing_reason: 'subscription_create',
      currency: 'usd',
      amount_due: 5000,
      amount_paid: 5000,
      amount_remaining: 0,
      total: 5000,
      customer: customer.id,
      parent: { type: 'subscription_details', subscription_details: { subscription: sub.id } },
      status_transitions: { finalized_at: START, paid_at: START },
    })
    expect(inv.number).toMatch(/^[0-9A-F]{8}-0001$/)
    expect(inv.hosted_invoice_url).toMatch(/^https:\/\/invoice\.stripe\.com\//)
    expect(inv.lines.data).toHaveLength(1)
    expect(inv.lines.data[0]).toMatchObject({
      object: 'line_item',
      amount: 5000,
      parent: { subscription_item_details: { proration: false } },
      quantity: 5,
      period: { start: START, end: FEB_1 },
    })
    // The pre-`basil` top-level flag is gone at the pinned version.
    expect(inv.lines.data[0]).not.toHaveProperty('proration')
    expect(inv.lines.data[0]?.id).toMatch(/^il_/)

    expect(h.emu.effects.counts()).toEqual({
      'customer.create': 1,
      'subscription.create': 1,
      'invoice.create': 1,
      'invoice.finalize': 1,
      'invoice.pay': 1,
    })
    const subEffect = h.emu.effects.all().find((e) => e.kind === 'subscription.create')
    expect(subEffect).toMatchObject({ target: sub.id, correlationId: 'corr-42' })
    expect(eventTypes()).toEqual(
      expect.arrayContaining([
        'customer.created',
        'customer.subscription.created',
        'invoice.created',
        'invoice.finalized',
        'invoice.paid',
        'invoice_payment.paid',
      ]),
    )
  })

  it('bills send_invoice subscriptions with a due date and reports them overdue once', async () => {
    const { sub } = await customerWithSubscription(h.api, {
      extra: { collection_method: 'send_invoice', days_until_due: 14 },
    })
    const inv = await invoice(sub.latest_invoice)
    expect(inv).toMatchObject({
      status: 'open',
      collection_method: 'send_invoice',
      due_date: START + 14 * DAY,
      amount_remaining: 5000,
    })
    h.emu.stripe.advance(20 * DAY)
    expect(eventTypes().filter((t) => t === 'invoice.overdue')).toHaveLength(1)
    h.emu.stripe.advance(DAY)
    expect(eventTypes().filter((t) => t === 'invoice.overdue')).toHaveLength(1)
  })

  it('refuses send_invoice without days_until_due and creates nothing', async () => {
    const c = await h.api.post<Customer>('/v1/customers', { name: 'x' })
    const res = await h.api.post('/v1/subscriptions', {
      customer: c.body.id,
      items: [{ price: 'price_seat_monthly' }],
      collection_method: 'send_invoice',
    })
    expect(res.status).toBe(400)
    expect(res.body.error?.param).toBe('days_until_due')
    expect(h.emu.stripe.store.subscriptions.size).toBe(0)
  })
})

describe('POST /v1/subscriptions/:id (item changes)', () => {
  it('prorates a seat increase with create_prorations into pending items billed at renewal', async () => {
    const { customer, sub } = await customerWithSubscription(h.api, { quantity: 5 })
    const si = sub.items.data[0]?.id
    const res = await h.api.post<Subscription>(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: si, quantity: 10 }],
      proration_behavior: 'create_prorations',
      proration_date: JAN_16,
      metadata: { correlation_id: 'corr-seats' },
    })
    expect(res.status).toBe(200)
    expect(res.body.items.data[0]).toMatchObject({
      id: si,
      quantity: 10,
      current_period_end: FEB_1,
    })
    const pending = await h.api.get<StripeList<InvoiceItem>>('/v1/invoiceitems', {
      customer: customer.id,
      pending: true,
    })
    const amounts = pending.body.data.map((ii) => ii.amount).sort((a, b) => a - b)
    expect(amounts).toEqual([-rest(1000, 5), rest(1000, 10)])
    expect(amounts).toEqual([-2581, 5161])
    expect(
      pending.body.data.every(
        (ii) => ii.proration && ii.period.start === JAN_16 && ii.period.end === FEB_1,
      ),
    ).toBe(true)
    expect(h.emu.effects.counts()['invoice.create']).toBe(1)
    expect(h.emu.effects.all().find((e) => e.kind === 'subscription.update')?.correlationId).toBe(
      'corr-seats',
    )

    h.emu.stripe.advance(FEB_1 - h.emu.stripe.now())
    const renewal = await invoice(
      (await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body.latest_invoice,
    )
    expect(renewal.billing_reason).toBe('subscription_cycle')
    expect(
      renewal.lines.data
        .filter((l) => l.parent.subscription_item_details?.proration)
        .map((l) => l.amount)
        .sort((a, b) => a - b),
    ).toEqual([-2581, 5161])
    expect(
      renewal.lines.data.find((l) => !l.parent.subscription_item_details?.proration),
    ).toMatchObject({
      amount: 10_000,
      quantity: 10,
      period: { start: FEB_1 },
    })
    expect(renewal.total).toBe(10_000 - 2581 + 5161)
    expect(
      (
        await h.api.get<StripeList<InvoiceItem>>('/v1/invoiceitems', {
          customer: customer.id,
          pending: true,
        })
      ).body.data,
    ).toHaveLength(0)
  })

  it('invoices prorations at once with always_invoice', async () => {
    const { sub } = await customerWithSubscription(h.api, { quantity: 5 })
    const res = await h.api.post<Subscription>(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: sub.items.data[0]?.id, quantity: 3 }],
      proration_behavior: 'always_invoice',
      proration_date: JAN_16,
    })
    expect(res.body.latest_invoice).not.toBe(sub.latest_invoice)
    const inv = await invoice(res.body.latest_invoice)
    expect(inv.billing_reason).toBe('subscription_update')
    expect(
      inv.lines.data.map((l) => [l.amount, l.parent.subscription_item_details?.proration]),
    ).toEqual([
      [-rest(1000, 5), true],
      [rest(1000, 3), true],
    ])
    // A net credit leaves the invoice at zero due and the rest on the customer's balance.
    expect(inv.total).toBe(-rest(1000, 5) + rest(1000, 3))
    expect(inv).toMatchObject({ amount_due: 0, status: 'paid', ending_balance: inv.total })
    const customer = await h.api.get<Customer>(`/v1/customers/${sub.customer}`)
    expect(customer.body.balance).toBe(inv.total)
  })

  it('creates no proration lines with proration_behavior=none', async () => {
    const { customer, sub } = await customerWithSubscription(h.api, { quantity: 5 })
    await h.api.post(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: sub.items.data[0]?.id, quantity: 8 }],
      proration_behavior: 'none',
    })
    expect(
      (await h.api.get<StripeList<InvoiceItem>>('/v1/invoiceitems', { customer: customer.id })).body
        .data,
    ).toHaveLength(0)
    expect(h.emu.effects.counts()['subscription.update']).toBe(1)
  })

  it('moves monthly to annual: credits unused time, charges the year, resets the cycle', async () => {
    const { sub } = await customerWithSubscription(h.api, { quantity: 2 })
    h.emu.stripe.advance(15 * DAY)
    const res = await h.api.post<Subscription>(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: sub.items.data[0]?.id, price: 'price_seat_annual' }],
      proration_behavior: 'create_prorations',
    })
    expect(res.status).toBe(200)
    const year = Date.UTC(2027, 0, 16) / 1000
    expect(res.body.billing_cycle_anchor).toBe(JAN_16)
    expect(res.body.items.data[0]).toMatchObject({
      id: sub.items.data[0]?.id,
      price: { id: 'price_seat_annual' },
      current_period_start: JAN_16,
      current_period_end: year,
    })
    const inv = await invoice(res.body.latest_invoice)
    expect(inv.billing_reason).toBe('subscription_update')
    expect(
      inv.lines.data.map((l) => [l.amount, l.parent.subscription_item_details?.proration]),
    ).toEqual([
      [-rest(1000, 2), true],
      [20_000, false],
    ])
    expect(inv.lines.data[1]?.period).toEqual({ start: JAN_16, end: year })
    expect(inv).toMatchObject({ total: 20_000 - rest(1000, 2), status: 'paid' })
  })

  it('takes the same change through POST /v1/subscription_items/:id', async () => {
    const { customer, sub } = await customerWithSubscription(h.api, { quantity: 5 })
    const si = sub.items.data[0]?.id
    const res = await h.api.post<{ id: string; quantity: number }>(`/v1/subscription_items/${si}`, {
      quantity: 10,
      proration_behavior: 'create_prorations',
      proration_date: JAN_16,
    })
    expect(res.body).toMatchObject({ id: si, quantity: 10 })
    const pending = await h.api.get<StripeList<InvoiceItem>>('/v1/invoiceitems', {
      customer: customer.id,
      pending: true,
    })
    expect(pending.body.data.map((ii) => ii.amount).sort((a, b) => a - b)).toEqual([-2581, 5161])
    expect(h.emu.effects.counts()['subscription.update']).toBe(1)
  })

  it('cancels the subscriptions of a deleted customer', async () => {
    const { customer, sub } = await customerWithSubscription(h.api)
    const res = await h.api.del(`/v1/customers/${customer.id}`)
    expect(res.body).toEqual({ id: customer.id, object: 'customer', deleted: true })
    expect(h.emu.stripe.store.subscriptions.get(sub.id)?.status).toBe('canceled')
    h.emu.stripe.advance(40 * DAY)
    expect(h.emu.effects.counts()['invoice.create']).toBe(1)
  })

  it('refuses a proration_date outside the current period and changes nothing', async () => {
    const { sub } = await customerWithSubscription(h.api)
    const res = await h.api.post(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: sub.items.data[0]?.id, quantity: 9 }],
      proration_date: FEB_1 + DAY,
    })
    expect(res.status).toBe(400)
    expect(
      (await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body.items.data[0]?.quantity,
    ).toBe(5)
    expect(h.emu.effects.counts()['subscription.update']).toBeUndefined()
  })
})

describe('subscription cancellation', () => {
  it('cancels at period end: flagged now, deleted at the end, never renewed', async () => {
    const { sub } = await customerWithSubscription(h.api)
    const res = await h.api.post<Subscription>(`/v1/subscriptions/${sub.id}`, {
      cancel_at_period_end: true,
    })
    expect(res.body).toMatchObject({
      status: 'active',
      cancel_at_period_end: true,
      cancel_at: FEB_1,
      canceled_at: START,
    })
    const updated = [...h.emu.stripe.store.events.values()].find(
      (e) => e.type === 'customer.subscription.updated',
    )
    expect(updated?.data.previous_attributes).toMatchObject({
      cancel_at_period_end: false,
      cancel_at: null,
    })
    h.emu.stripe.advance(40 * DAY)
    const after = await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)
    expect(after.body).toMatchObject({ status: 'canceled', ended_at: FEB_1 })
    expect(eventTypes().filter((t) => t === 'customer.subscription.deleted')).toHaveLength(1)
    expect(h.emu.effects.counts()).toMatchObject({ 'subscription.cancel': 1, 'invoice.create': 1 })
  })

  it('cancels immediately with prorate and invoice_now: a final credit invoice', async () => {
    const { customer, sub } = await customerWithSubscription(h.api, { quantity: 4 })
    h.emu.stripe.advance(15 * DAY)
    const res = await h.api.del<Subscription>(`/v1/subscriptions/${sub.id}`, {
      invoice_now: true,
      prorate: true,
    })
    expect(res.body).toMatchObject({ status: 'canceled', ended_at: JAN_16, canceled_at: JAN_16 })
    const final = await invoice(res.body.latest_invoice)
    expect(
      final.lines.data.map((l) => [l.amount, l.parent.subscription_item_details?.proration]),
    ).toEqual([[-rest(1000, 4), true]])
    expect(final).toMatchObject({ amount_due: 0, status: 'paid' })
    expect((await h.api.get<Customer>(`/v1/customers/${customer.id}`)).body.balance).toBe(
      -rest(1000, 4),
    )
    expect((await h.api.del(`/v1/subscriptions/${sub.id}`)).status).toBe(404)
    const listed = await h.api.get<StripeList<Subscription>>('/v1/subscriptions', {
      customer: customer.id,
    })
    expect(listed.body.data).toHaveLength(0)
    const all = await h.api.get<StripeList<Subscription>>('/v1/subscriptions', {
      customer: customer.id,
      status: 'all',
    })
    expect(all.body.data.map((s) => s.id)).toEqual([sub.id])
    expect(h.emu.effects.counts()['subscription.cancel']).toBe(1)
  })

  it('cancels immediately without proration by default', async () => {
    const { customer, sub } = await customerWithSubscription(h.api)
    await h.api.del(`/v1/subscriptions/${sub.id}`)
    expect(
      (await h.api.get<StripeList<InvoiceItem>>('/v1/invoiceitems', { customer: customer.id })).body
        .data,
    ).toHaveLength(0)
    expect(h.emu.effects.counts()['invoice.create']).toBe(1)
  })
})
