import {
  startStripeEmulator,
  type StartedStripeEmulator,
  type StripeEmulatorOptions,
} from './index.ts'
import { StripeTestClient } from './test-client.ts'
import type { Customer, Subscription } from './types.ts'

/** 2026-01-01T00:00:00Z: the frozen start of every test clock, so period math is exact. */
export const START = Date.UTC(2026, 0, 1) / 1000
export const DAY = 86_400
export const KEY = 'sk_test_concord_fixture'

/** A seat product sold monthly ($10) and yearly ($100), plus a monthly add-on ($5). */
export const CATALOG: StripeEmulatorOptions['catalog'] = {
  products: [
    { id: 'prod_seat', name: 'Concord Seat' },
    { id: 'prod_addon', name: 'Concord Add-on' },
  ],
  prices: [
    {
      id: 'price_seat_monthly',
      product: 'prod_seat',
      currency: 'usd',
      unit_amount: 1000,
      recurring: { interval: 'month' },
    },
    {
      id: 'price_seat_annual',
      product: 'prod_seat',
      currency: 'usd',
      unit_amount: 10000,
      recurring: { interval: 'year' },
    },
    {
      id: 'price_addon_monthly',
      product: 'prod_addon',
      currency: 'usd',
      unit_amount: 500,
      recurring: { interval: 'month' },
    },
  ],
}

export interface Harness {
  emu: StartedStripeEmulator
  api: StripeTestClient
}

/** Starts an emulator with the catalog and a frozen clock at `START`. */
export async function harness(options: StripeEmulatorOptions = {}): Promise<Harness> {
  const emu = await startStripeEmulator({
    apiKey: KEY,
    startTime: START,
    seed: 42,
    catalog: CATALOG,
    ...options,
  })
  return { emu, api: new StripeTestClient(emu.url, KEY) }
}

/** Creates a customer for a Salesforce account and a monthly seat subscription on it. */
export async function customerWithSubscription(
  api: StripeTestClient,
  opts: {
    quantity?: number
    price?: string
    extra?: Record<string, unknown>
    correlationId?: string
  } = {},
): Promise<{ customer: Customer; sub: Subscription }> {
  const customer = await api.post<Customer>('/v1/customers', {
    name: 'Acme',
    email: 'billing@acme.test',
    metadata: { sf_account_id: '001000000000001AAA' },
  })
  if (customer.status !== 200)
    throw new Error(`customer create failed: ${JSON.stringify(customer.body)}`)
  const sub = await api.post<Subscription>('/v1/subscriptions', {
    customer: customer.body.id,
    items: [{ price: opts.price ?? 'price_seat_monthly', quantity: opts.quantity ?? 5 }],
    metadata: { correlation_id: opts.correlationId ?? 'corr-create' },
    ...opts.extra,
  })
  if (sub.status !== 200) throw new Error(`subscription create failed: ${JSON.stringify(sub.body)}`)
  return { customer: customer.body, sub: sub.body }
}
