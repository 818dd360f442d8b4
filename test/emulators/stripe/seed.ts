import type { Ctx } from './context.ts'
import { invalidRequest } from './errors.ts'
import { createMeter, type MeterInput } from './billing/meters.ts'
import { createPrice, createProduct, type PriceInput, type ProductInput } from './routes/catalog.ts'
import { blankCustomer } from './routes/customers.ts'
import type { Metadata } from './types.ts'

/** A customer fixture; `id` may be chosen so tests can refer to it directly. */
export interface CustomerSeed {
  id?: string
  email?: string
  name?: string
  metadata?: Metadata
  balance?: number
  invoice_prefix?: string
}

/** Fixture data loaded without events or effects (it is the world before the test, not a change). */
export interface SeedInput {
  products?: ProductInput[]
  prices?: PriceInput[]
  customers?: CustomerSeed[]
  meters?: MeterInput[]
}

export interface SeedResult {
  products: string[]
  prices: string[]
  customers: string[]
  meters: string[]
}

/**
 * Loads fixtures. Ids are kept when given (`prod_basic`, `price_pro_monthly`), which Stripe
 * also allows for products.
 * @throws StripeError 400 when an id is already taken.
 */
export function seed(ctx: Ctx, input: SeedInput): SeedResult {
  return ctx.quiet(() => {
    const out: SeedResult = { products: [], prices: [], customers: [], meters: [] }
    for (const p of input.products ?? []) {
      if (p.id && ctx.store.products.has(p.id))
        throw invalidRequest(`Product ${p.id} already exists.`, 'id')
      out.products.push(createProduct(ctx, p).id)
    }
    for (const p of input.prices ?? []) {
      if (p.id && ctx.store.prices.has(p.id))
        throw invalidRequest(`Price ${p.id} already exists.`, 'id')
      out.prices.push(createPrice(ctx, p).id)
    }
    for (const c of input.customers ?? []) {
      if (c.id && ctx.store.customers.has(c.id))
        throw invalidRequest(`Customer ${c.id} already exists.`, 'id')
      const customer = blankCustomer(ctx, c.id)
      customer.balance = c.balance ?? 0
      customer.email = c.email ?? null
      customer.name = c.name ?? null
      customer.metadata = { ...(c.metadata ?? {}) }
      if (c.invoice_prefix) customer.invoice_prefix = c.invoice_prefix
      ctx.store.add(ctx.store.customers, customer)
      ctx.store.searchableAt.set(customer.id, 0)
      out.customers.push(customer.id)
    }
    for (const m of input.meters ?? []) out.meters.push(createMeter(ctx, m).id)
    return out
  })
}
