import { afterEach, describe, expect, it } from 'vitest'
import { customerWithSubscription, harness, type Harness } from './fixtures.ts'
import type { Charge, CreditNote, Customer, Invoice, Refund, Subscription } from './types.ts'

let h: Harness
afterEach(async () => {
  await h.emu.close()
})

const eventTypes = () => [...h.emu.stripe.store.events.values()].map((e) => e.type)

describe('invoice payments', () => {
  it('leaves a declined first payment incomplete, activates on payment, and expires unpaid ones after 23 h', async () => {
    h = await harness({ autoPay: 'fail' })
    const { sub } = await customerWithSubscription(h.api)
    expect(sub.status).toBe('incomplete')
    const inv = h.emu.stripe.store.invoices.get(sub.latest_invoice as string)
    expect(inv).toMatchObject({
      status: 'open',
      attempt_count: 1,
      attempted: true,
      amount_remaining: 5000,
    })
    expect(eventTypes()).toEqual(
      expect.arrayContaining(['charge.failed', 'invoice.payment_failed']),
    )

    const declined = await h.api.post(`/v1/invoices/${sub.latest_invoice}/pay`)
    expect(declined.status).toBe(402)
    expect(declined.body.error).toMatchObject({ type: 'card_error', code: 'card_declined' })
    expect(h.emu.effects.counts()['invoice.payment_failed']).toBe(2)

    h.emu.stripe.setAutoPay('succeed')
    const paid = await h.api.post<Invoice>(`/v1/invoices/${sub.latest_invoice}/pay`)
    expect(paid.body).toMatchObject({
      status: 'paid',
      amount_paid: 5000,
      amount_remaining: 0,
      attempt_count: 3,
    })
    expect((await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body.status).toBe(
      'active',
    )

    h.emu.stripe.setAutoPay('fail')
    const second = await customerWithSubscription(h.api)
    h.emu.stripe.advance(24 * 3600)
    expect(h.emu.stripe.store.subscriptions.get(second.sub.id)?.status).toBe('incomplete_expired')
    expect(h.emu.stripe.store.invoices.get(second.sub.latest_invoice as string)?.status).toBe(
      'void',
    )
    expect(h.emu.effects.counts()['subscription.expire']).toBe(1)
  })

  it("declines one customer's payments (auto_pay with a customer) while others still pay", async () => {
    h = await harness()
    const control = (body: unknown) =>
      fetch(`${h.emu.url}/__control/stripe/auto_pay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const unknown = await control({ mode: 'fail', customer: 'cus_nope' })
    expect(unknown.status).toBe(400)
    const declining = await h.api.post<Customer>('/v1/customers', { name: 'Declines' })
    expect((await control({ mode: 'fail', customer: declining.body.id })).status).toBe(200)
    const declined = await h.api.post<Subscription>('/v1/subscriptions', {
      customer: declining.body.id,
      items: [{ price: 'price_seat_monthly', quantity: 1 }],
      payment_behavior: 'allow_incomplete',
    })
    expect(declined.body.status).toBe('incomplete')
    expect(h.emu.stripe.store.invoices.get(declined.body.latest_invoice as string)).toMatchObject({
      status: 'open',
      attempt_count: 1,
    })
    const { sub } = await customerWithSubscription(h.api)
    expect(sub.status).toBe('active')
  })

  it('refunds a charge through POST /v1/refunds and refuses refunding more than is left', async () => {
    h = await harness()
    const { sub } = await customerWithSubscription(h.api)
    const charge = h.emu.stripe.store.invoiceCharge.get(sub.latest_invoice as string) as string
    const refund = await h.api.post<Refund>('/v1/refunds', { charge, amount: 2000 })
    expect(refund.body).toMatchObject({
      object: 'refund',
      amount: 2000,
      charge,
      status: 'succeeded',
    })
    expect(refund.body.id).toMatch(/^re_/)
    const too = await h.api.post('/v1/refunds', { charge, amount: 3001 })
    expect(too.status).toBe(400)
    const rest = await h.api.post<Refund>('/v1/refunds', { charge })
    expect(rest.body.amount).toBe(3000)
    const ch = await h.api.get<Charge>(`/v1/charges/${charge}`)
    expect(ch.body).toMatchObject({ amount_refunded: 5000, refunded: true })
    expect(ch.body.refunds.data).toHaveLength(2)
    expect(h.emu.effects.counts()['charge.refund']).toBe(2)
    expect(h.emu.stripe.store.invoices.get(sub.latest_invoice as string)?.status).toBe('paid')
  })

  it('credits an open invoice down to paid, and a paid one onto the customer balance', async () => {
    h = await harness()
    const { customer, sub } = await customerWithSubscription(h.api, {
      extra: { collection_method: 'send_invoice', days_until_due: 30 },
    })
    const open = sub.latest_invoice as string
    const partial = await h.api.post<CreditNote>('/v1/credit_notes', {
      invoice: open,
      amount: 1500,
      reason: 'order_change',
    })
    expect(partial.body).toMatchObject({
      object: 'credit_note',
      type: 'pre_payment',
      amount: 1500,
      status: 'issued',
    })
    expect(partial.body.number).toMatch(/-0001-CN-01$/)
    expect(h.emu.stripe.store.invoices.get(open)).toMatchObject({
      status: 'open',
      amount_due: 3500,
      amount_remaining: 3500,
    })
    await h.api.post('/v1/credit_notes', { invoice: open, amount: 3500 })
    expect(h.emu.stripe.store.invoices.get(open)).toMatchObject({
      status: 'paid',
      amount_remaining: 0,
    })

    h.emu.stripe.advance(32 * 86_400)
    const renewal = h.emu.stripe.store.subscriptions.get(sub.id)?.latest_invoice as string
    await h.api.control('stripe/pay_invoice', { invoice: renewal })
    const post = await h.api.post<CreditNote>('/v1/credit_notes', {
      invoice: renewal,
      amount: 1000,
    })
    expect(post.body.type).toBe('post_payment')
    expect((await h.api.get<Customer>(`/v1/customers/${customer.id}`)).body.balance).toBe(-1000)
    const voided = await h.api.post<CreditNote>(`/v1/credit_notes/${post.body.id}/void`)
    expect(voided.body.status).toBe('void')
    expect((await h.api.get<Customer>(`/v1/customers/${customer.id}`)).body.balance).toBe(0)
    expect(h.emu.effects.counts()).toMatchObject({ 'credit_note.create': 3, 'credit_note.void': 1 })
  })
})

describe('expand and reset', () => {
  it('expands ids named by expand[]', async () => {
    h = await harness()
    const { customer } = await customerWithSubscription(h.api)
    const list = await h.api.get<{ data: { customer: Customer; latest_invoice: Invoice }[] }>(
      '/v1/subscriptions',
      { customer: customer.id, expand: ['data.customer', 'data.latest_invoice'] },
    )
    expect(list.body.data[0]?.customer).toMatchObject({ object: 'customer', id: customer.id })
    expect(list.body.data[0]?.latest_invoice).toMatchObject({ object: 'invoice', status: 'paid' })
  })

  it('forgets state, effects and idempotency keys on /__control/reset but keeps the catalog', async () => {
    h = await harness()
    await h.api.post('/v1/customers', { name: 'A' }, 'k')
    const reset = await h.api.control('reset')
    expect(reset.status).toBe(200)
    expect(h.emu.stripe.store.customers.size).toBe(0)
    expect(h.emu.effects.all()).toHaveLength(0)
    expect(h.emu.stripe.store.prices.has('price_seat_monthly')).toBe(true)
    const again = await h.api.post('/v1/customers', { name: 'B' }, 'k')
    expect(again.status).toBe(200)
    expect(again.headers.get('idempotent-replayed')).toBeNull()
  })
})
