import { stripeClientOf } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import {
  StripeBilling,
  type StripeClient,
  type StripeInvoice,
  type StripeSubscription,
} from '../../../worker/connectors/stripe/index.ts'
import type { StepContext } from '../../../worker/connectors/types.ts'
import { newAccountId } from '../support/helpers.ts'

const STRIPE = env.STRIPE_API_BASE as string
const PRICES = DEMO_CATALOG.prices
const DAY = 86_400

async function stripeGet<T>(path: string): Promise<T> {
  const res = await fetch(`${STRIPE}${path}`, {
    headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
  })
  expect(res.status, path).toBe(200)
  return await res.json()
}

/** Every effect on the customer's objects, and the customer's invoices and subscriptions: what a preview must not touch. */
async function footprint(customerId: string, subscriptionId?: string): Promise<string> {
  const res = await fetch(`${STRIPE}/__control/effects`)
  const mine = (
    await res.json<{ effects: Array<{ target: string; kind: string }> }>()
  ).effects.filter((e) => e.target === customerId || e.target === subscriptionId)
  const invoices = await stripeGet<{ data: unknown[] }>(
    `/v1/invoices?customer=${customerId}&limit=100`,
  )
  const items = await stripeGet<{ data: unknown[] }>(
    `/v1/invoiceitems?customer=${customerId}&limit=100`,
  )
  const subs = await stripeGet<{ data: unknown[] }>(
    `/v1/subscriptions?customer=${customerId}&status=all`,
  )
  return JSON.stringify([mine, invoices.data, items.data, subs.data])
}

function amendment(accountId: string, fields: Record<string, unknown>): Amendment {
  return Amendment.parse({
    id: crypto.randomUUID(),
    accountId,
    subscriptionKey: 'SUB-P',
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

async function customer() {
  const stripe = new StripeBilling(stripeClientOf(env) as StripeClient)
  const accountId = newAccountId()
  const { customerId } = await stripe.ensureCustomer(
    { accountId, name: 'Preview Ltd' },
    { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
  )
  return { stripe, accountId, customerId }
}

async function subscribed(quantity = 5) {
  const { stripe, accountId, customerId } = await customer()
  const subscriptionKey = `SUB-${crypto.randomUUID().slice(0, 8)}`
  const create = amendment(accountId, {
    subscriptionKey,
    sequence: 1,
    action: 'create',
    priceKey: 'pro-monthly-usd',
    quantity,
  })
  const { subscriptionId } = await stripe.applyAmendment(
    { amendment: create, customerId, price: PRICES['pro-monthly-usd'] },
    stepOf(create),
  )
  const input = (fields: Record<string, unknown>, prorationDate?: number) => {
    const a = amendment(accountId, { subscriptionKey, ...fields })
    return {
      amendment: a,
      customerId,
      subscriptionId,
      price: a.priceKey ? PRICES[a.priceKey] : undefined,
      prorationDate,
    }
  }
  return { stripe, customerId, subscriptionId, input }
}

const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b)

describe('StripeBilling.previewAmendment', () => {
  it('changes nothing, and the apply at its proration date invoices exactly its total', async () => {
    const { stripe, customerId, subscriptionId, input } = await subscribed(5)
    const before = await footprint(customerId, subscriptionId)
    const fields = { action: 'change_quantity', quantity: 8, proration: 'always_invoice' }
    const preview = await stripe.previewAmendment(input(fields))
    expect(await footprint(customerId, subscriptionId)).toBe(before)
    expect(preview.currency).toBe('USD')
    expect(preview.prorationDate).toEqual(expect.any(Number))
    expect(preview.lines.map((l) => l.proration)).toEqual([true, true])
    expect(preview.total).toBe(preview.lines.reduce((sum, l) => sum + l.amount, 0))
    expect(preview.total).toBeGreaterThan(0)

    const apply = input(fields, preview.prorationDate)
    await stripe.applyAmendment(apply, stepOf(apply.amendment))
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${subscriptionId}`)
    const invoice = await stripeGet<StripeInvoice>(`/v1/invoices/${sub.latest_invoice}`)
    expect(invoice.billing_reason).toBe('subscription_update')
    expect(invoice.total).toBe(preview.total)
    expect(invoice.amount_due).toBe(preview.amountDue)
    expect(sortNum(invoice.lines.data.map((l) => l.amount))).toEqual(
      sortNum(preview.lines.map((l) => l.amount)),
    )
  })

  it('shows the prorations a create_prorations change leaves for the next invoice', async () => {
    const { stripe, customerId, input } = await subscribed(5)
    const fields = { action: 'change_quantity', quantity: 3, proration: 'create_prorations' }
    const preview = await stripe.previewAmendment(input(fields))
    const prorations = preview.lines.filter((l) => l.proration)
    expect(prorations).toHaveLength(2)
    expect(preview.lines.find((l) => !l.proration)).toMatchObject({ amount: 3 * 5000 })

    const apply = input(fields, preview.prorationDate)
    await stripe.applyAmendment(apply, stepOf(apply.amendment))
    const pending = await stripeGet<{ data: Array<{ amount: number }> }>(
      `/v1/invoiceitems?customer=${customerId}&pending=true`,
    )
    expect(sortNum(pending.data.map((ii) => ii.amount))).toEqual(
      sortNum(prorations.map((l) => l.amount)),
    )
  })

  it('previews monthly to annual as the invoice Stripe sends at once', async () => {
    const { stripe, subscriptionId, input } = await subscribed(2)
    const fields = {
      action: 'change_price',
      priceKey: 'pro-annual-usd',
      proration: 'create_prorations',
    }
    const preview = await stripe.previewAmendment(input(fields))
    expect(preview.lines.map((l) => [l.proration, l.amount > 0])).toEqual([
      [true, false],
      [false, true],
    ])
    const apply = input(fields, preview.prorationDate)
    await stripe.applyAmendment(apply, stepOf(apply.amendment))
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${subscriptionId}`)
    expect((await stripeGet<StripeInvoice>(`/v1/invoices/${sub.latest_invoice}`)).total).toBe(
      preview.total,
    )
  })

  it('previews the first invoice of a create and makes no subscription', async () => {
    const { stripe, accountId, customerId } = await customer()
    const before = await footprint(customerId)
    const a = amendment(accountId, {
      sequence: 1,
      action: 'create',
      priceKey: 'team-monthly-usd',
      quantity: 4,
    })
    const preview = await stripe.previewAmendment({
      amendment: a,
      customerId,
      price: PRICES['team-monthly-usd'],
    })
    expect(preview).toMatchObject({ currency: 'USD', subtotal: 8000, total: 8000, amountDue: 8000 })
    expect(preview.lines).toEqual([expect.objectContaining({ amount: 8000, proration: false })])
    expect(await footprint(customerId)).toBe(before)
  })

  it('previews the final credit of an immediate cancel, as the cancel then bills it', async () => {
    const { stripe, subscriptionId, input } = await subscribed(4)
    const fields = { action: 'cancel', cancelMode: 'immediately', proration: 'always_invoice' }
    const preview = await stripe.previewAmendment(input(fields))
    expect(preview.lines).toEqual([expect.objectContaining({ proration: true })])
    expect(preview.total).toBeLessThan(0)
    const apply = input(fields)
    await stripe.applyAmendment(apply, stepOf(apply.amendment))
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${subscriptionId}`)
    const final = await stripeGet<StripeInvoice>(`/v1/invoices/${sub.latest_invoice}`)
    // The cancel is priced when Stripe runs it, a moment after the preview: within a cent or two.
    expect(Math.abs(final.total - preview.total)).toBeLessThanOrEqual(2)
  })

  it('bills nothing more for a cancel at period end', async () => {
    const { stripe, input } = await subscribed(4)
    expect(
      await stripe.previewAmendment(input({ action: 'cancel', cancelMode: 'at_period_end' })),
    ).toEqual({ currency: 'USD', lines: [], subtotal: 0, total: 0, amountDue: 0 })
  })

  it('prices a future change inside the period at its date, and one beyond it at renewal', async () => {
    const { stripe, subscriptionId, input } = await subscribed(5)
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${subscriptionId}`)
    const end = sub.items.data[0]?.current_period_end ?? 0
    const inside = Math.floor(Date.now() / 1000 / DAY) * DAY + 5 * DAY
    const date = (t: number) => new Date(t * 1000).toISOString().slice(0, 10)
    const soon = await stripe.previewAmendment(
      input({ action: 'change_quantity', quantity: 6, effectiveDate: date(inside) }),
    )
    expect(soon.prorationDate).toBe(inside)
    expect(soon.lines.filter((l) => l.proration).map((l) => l.periodStart)).toEqual([
      date(inside),
      date(inside),
    ])
    const later = await stripe.previewAmendment(
      input({ action: 'change_quantity', quantity: 6, effectiveDate: date(end + 2 * DAY) }),
    )
    expect(later.prorationDate).toBeUndefined()
    expect(later.lines).toEqual([expect.objectContaining({ proration: false, amount: 6 * 5000 })])
  })
})

describe('StripeBilling.planAmendment (the dry run of an apply)', () => {
  it('plans the calls from Stripe’s state, priced at the given instant, and changes nothing', async () => {
    const { stripe, customerId, subscriptionId, input } = await subscribed(5)
    const before = await footprint(customerId, subscriptionId)
    const fields = { action: 'change_quantity', quantity: 8, proration: 'always_invoice' }
    const asked = input(fields)
    const priceAt = Math.floor(Date.now() / 1000)
    const plan = await stripe.planAmendment({ ...asked, priceAt }, stepOf(asked.amendment))
    expect(await footprint(customerId, subscriptionId)).toBe(before)
    expect(plan.calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/v1/subscriptions/${subscriptionId}`,
        idempotencyKey: `${asked.amendment.id}:billing`,
        params: expect.objectContaining({
          'items[0][quantity]': '8',
          proration_behavior: 'always_invoice',
        }),
      }),
    ])
    expect(plan.preview).toMatchObject({ currency: 'USD', prorationDate: priceAt })
    expect(plan.preview.amountDue).toBeGreaterThan(0)
    const again = await stripe.planAmendment({ ...asked, priceAt }, stepOf(asked.amendment))
    expect(again).toEqual(plan)

    // Applied at the same instant, Stripe invoices exactly what the dry run priced.
    const apply = input(fields, priceAt)
    const applyAsked = { ...apply, amendment: asked.amendment }
    await stripe.applyAmendment(applyAsked, stepOf(asked.amendment))
    const sub = await stripeGet<StripeSubscription>(`/v1/subscriptions/${subscriptionId}`)
    const invoice = await stripeGet<StripeInvoice>(`/v1/invoices/${sub.latest_invoice}`)
    expect(invoice.amount_due).toBe(plan.preview.amountDue)
  })
})
