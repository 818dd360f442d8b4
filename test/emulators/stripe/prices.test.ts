import Stripe from 'stripe'
import { describe, expect, it } from 'vitest'
import { useStripeSdk } from './sdk-support.ts'

// What the catalog check reads of a price (`active`, `currency`, `unit_amount`, `recurring`),
// driven with the official `stripe` SDK; every answer is checked against the pinned version's
// shapes (spec.ts).

const sdk = useStripeSdk()

describe('Stripe emulator: prices as the catalog check reads them', () => {
  it('retrieves a price with its currency, amount and interval, and archives it', async () => {
    const product = await sdk.stripe.products.create({ name: 'Governed seat' })
    const created = await sdk.stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 1234,
      recurring: { interval: 'year' },
    })
    const read = await sdk.stripe.prices.retrieve(created.id)
    expect(read).toMatchObject({
      id: created.id,
      active: true,
      currency: 'eur',
      unit_amount: 1234,
      recurring: { interval: 'year' },
    })
    await sdk.stripe.prices.update(created.id, { active: false })
    expect((await sdk.stripe.prices.retrieve(created.id)).active).toBe(false)
    const archived = await sdk.stripe.prices.list({ active: false, limit: 100 })
    expect(archived.data.map((p) => p.id)).toContain(created.id)
  })

  it('answers resource_missing (404) for a price that does not exist', async () => {
    const err = await sdk.stripe.prices.retrieve('price_nowhere').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError)
    expect(err).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' })
  })
})
