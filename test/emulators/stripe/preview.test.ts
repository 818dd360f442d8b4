import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { customerWithSubscription, DAY, harness, START, type Harness } from './fixtures.ts'
import type { Invoice, Subscription } from './types.ts'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.emu.close()
})

const FEB_1 = Date.UTC(2026, 1, 1) / 1000
const AT = START + 10 * DAY

/** The emulator's whole state as `GET /__control/state` shows it. */
const dump = async () => {
  const res = await fetch(`${h.emu.url}/__control/state`)
  return res.text()
}

describe('POST /v1/invoices/create_preview', () => {
  it('previews a seat change exactly as the update later bills it, and changes nothing', async () => {
    const { customer, sub } = await customerWithSubscription(h.api, { quantity: 5 })
    const si = sub.items.data[0]?.id
    const stateBefore = await dump()
    const effectsBefore = JSON.stringify(h.emu.effects.all())
    const eventsBefore = h.emu.stripe.store.events.size

    const preview = await h.api.post<Invoice>('/v1/invoices/create_preview', {
      customer: customer.id,
      subscription: sub.id,
      subscription_details: {
        items: [{ id: si, quantity: 8 }],
        proration_date: AT,
        proration_behavior: 'create_prorations',
      },
    })
    expect(preview.status).toBe(200)
    expect(preview.body).toMatchObject({
      object: 'invoice',
      status: 'draft',
      billing_reason: 'upcoming',
      customer: customer.id,
      period_start: START,
      period_end: FEB_1,
    })
    expect(preview.body.id).toMatch(/^upcoming_in_/)
    const prorations = preview.body.lines.data.filter(
      (l) => l.parent.subscription_item_details?.proration,
    )
    const fraction = (FEB_1 - AT) / (FEB_1 - START)
    expect(prorations.map((l) => l.amount)).toEqual([
      -Math.round(5000 * fraction),
      Math.round(8000 * fraction),
    ])
    expect(
      preview.body.lines.data.find((l) => !l.parent.subscription_item_details?.proration),
    ).toMatchObject({
      amount: 8000,
      period: { start: FEB_1 },
    })
    expect(preview.body.total).toBe(
      8000 - Math.round(5000 * fraction) + Math.round(8000 * fraction),
    )

    expect(await dump()).toBe(stateBefore)
    expect(JSON.stringify(h.emu.effects.all())).toBe(effectsBefore)
    expect(h.emu.stripe.store.events.size).toBe(eventsBefore)
    expect((await h.api.get<Invoice>(`/v1/invoices/${preview.body.id}`)).status).toBe(404)

    await h.api.post(`/v1/subscriptions/${sub.id}`, {
      items: [{ id: si, quantity: 8 }],
      proration_date: AT,
      proration_behavior: 'create_prorations',
    })
    h.emu.stripe.advance(FEB_1 - START)
    const renewed = await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)
    const actual = await h.api.get<Invoice>(`/v1/invoices/${renewed.body.latest_invoice}`)
    expect(
      actual.body.lines.data
        .filter((l) => l.parent.subscription_item_details?.proration)
        .map((l) => l.amount)
        .sort((a, b) => a - b),
    ).toEqual(prorations.map((l) => l.amount).sort((a, b) => a - b))
    expect(actual.body.total).toBe(preview.body.total)
  })

  it('previews an interval change as the immediate invoice', async () => {
    const { sub } = await customerWithSubscription(h.api, { quantity: 1 })
    const preview = await h.api.post<Invoice>('/v1/invoices/create_preview', {
      subscription: sub.id,
      subscription_details: {
        items: [{ id: sub.items.data[0]?.id, price: 'price_seat_annual' }],
        proration_date: AT,
      },
    })
    expect(preview.status).toBe(200)
    expect(preview.body.billing_reason).toBe('subscription_update')
    expect(
      preview.body.lines.data.map((l) => [l.amount, l.parent.subscription_item_details?.proration]),
    ).toEqual([
      [-Math.round((1000 * (FEB_1 - AT)) / (FEB_1 - START)), true],
      [10_000, false],
    ])
    expect(
      (await h.api.get<Subscription>(`/v1/subscriptions/${sub.id}`)).body.items.data[0]?.price.id,
    ).toBe('price_seat_monthly')
  })

  it('previews the first invoice of a new subscription', async () => {
    const c = await h.api.post<{ id: string }>('/v1/customers', { name: 'New' })
    const preview = await h.api.post<Invoice>('/v1/invoices/create_preview', {
      customer: c.body.id,
      subscription_details: {
        items: [
          { price: 'price_seat_monthly', quantity: 3 },
          { price: 'price_addon_monthly', quantity: 1 },
        ],
      },
    })
    expect(preview.body).toMatchObject({
      billing_reason: 'subscription_create',
      total: 3500,
      amount_due: 3500,
    })
    expect(h.emu.stripe.store.subscriptions.size).toBe(0)
    expect(h.emu.stripe.store.invoices.size).toBe(0)
  })
})
