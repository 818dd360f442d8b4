import Stripe from 'stripe'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { STRIPE_API_VERSION } from '../../../worker/connectors/stripe/client.ts'
import { harness, KEY, type Harness } from './fixtures.ts'
import { loadSpec, specProblems } from './spec.ts'

// What the catalog check reads of a price (`active`, `currency`, `unit_amount`, `recurring`),
// driven with the official `stripe` SDK; every answer is checked against the pinned version's
// shapes (spec.ts).

let h: Harness
let stripe: Stripe
const bodies: Array<{ path: string; body: unknown }> = []

const recording: typeof fetch = async (input, init) => {
  const res = await fetch(input, init)
  const text = await res.clone().text()
  const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
  bodies.push({ path: url.pathname, body: text ? JSON.parse(text) : undefined })
  return res
}

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
  const problems = bodies.flatMap((x) => specProblems(x.body).map((p) => `${x.path} ${p}`))
  bodies.length = 0
  expect(problems).toEqual([])
})

describe('Stripe emulator: prices as the catalog check reads them', () => {
  it('retrieves a price with its currency, amount and interval, and archives it', async () => {
    const product = await stripe.products.create({ name: 'Governed seat' })
    const created = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 1234,
      recurring: { interval: 'year' },
    })
    const read = await stripe.prices.retrieve(created.id)
    expect(read).toMatchObject({
      id: created.id,
      active: true,
      currency: 'eur',
      unit_amount: 1234,
      recurring: { interval: 'year' },
    })
    await stripe.prices.update(created.id, { active: false })
    expect((await stripe.prices.retrieve(created.id)).active).toBe(false)
    const archived = await stripe.prices.list({ active: false, limit: 100 })
    expect(archived.data.map((p) => p.id)).toContain(created.id)
  })

  it('answers resource_missing (404) for a price that does not exist', async () => {
    const err = await stripe.prices.retrieve('price_nowhere').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' })
  })
})
