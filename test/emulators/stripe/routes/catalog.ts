import type { Api } from '../api.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { bool, hash, int, list, mergeMetadata, str } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { snapshot } from '../state.ts'
import type { Interval, Metadata, Price, Product } from '../types.ts'

/** A product as seeds and `POST /v1/products` describe it. */
export interface ProductInput {
  id?: string
  name: string
  description?: string | null
  active?: boolean
  metadata?: Metadata
}

/** A price as seeds and `POST /v1/prices` describe it. `recurring` absent = one-time. */
export interface PriceInput {
  id?: string
  product: string
  currency: string
  unit_amount: number
  recurring?: { interval: Interval; interval_count?: number } | null
  nickname?: string | null
  lookup_key?: string | null
  active?: boolean
  metadata?: Metadata
}

const INTERVALS: readonly Interval[] = ['day', 'week', 'month', 'year']

/** Stores a product (seeds may pick the id, as Stripe allows for products). */
export function createProduct(ctx: Ctx, input: ProductInput): Product {
  const now = ctx.now()
  const product: Product = {
    id: input.id ?? ctx.ids.next('prod_', 14),
    object: 'product',
    active: input.active ?? true,
    created: now,
    default_price: null,
    description: input.description ?? null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: { ...(input.metadata ?? {}) },
    name: input.name,
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_details: null,
    type: 'service',
    tax_code: null,
    unit_label: null,
    updated: now,
    url: null,
  }
  ctx.store.add(ctx.store.products, product)
  ctx.effect('product.create', product.id, product.metadata)
  ctx.emit('product.created', product)
  return product
}

/**
 * Stores a price.
 * @throws StripeError 400/404 for an unknown product, bad interval or amount.
 */
export function createPrice(ctx: Ctx, input: PriceInput): Price {
  if (!ctx.store.products.has(input.product))
    throw resourceMissing('product', input.product, 'product')
  if (!Number.isInteger(input.unit_amount) || input.unit_amount < 0)
    throw invalidRequest('Invalid integer: unit_amount', 'unit_amount')
  if (!/^[a-z]{3}$/.test(input.currency))
    throw invalidRequest(`Invalid currency: ${input.currency}`, 'currency')
  if (input.recurring && !INTERVALS.includes(input.recurring.interval)) {
    throw invalidRequest(
      `Invalid recurring[interval]: must be one of ${INTERVALS.join(', ')}`,
      'recurring[interval]',
    )
  }
  if (
    input.lookup_key &&
    [...ctx.store.prices.values()].some((p) => p.lookup_key === input.lookup_key)
  ) {
    throw invalidRequest(
      `A price (${input.lookup_key}) already uses that lookup key.`,
      'lookup_key',
    )
  }
  const price: Price = {
    id: input.id ?? ctx.ids.next('price_', 24),
    object: 'price',
    active: input.active ?? true,
    billing_scheme: 'per_unit',
    created: ctx.now(),
    currency: input.currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: input.lookup_key ?? null,
    metadata: { ...(input.metadata ?? {}) },
    nickname: input.nickname ?? null,
    product: input.product,
    recurring: input.recurring
      ? {
          interval: input.recurring.interval,
          interval_count: input.recurring.interval_count ?? 1,
          meter: null,
          usage_type: 'licensed',
          trial_period_days: null,
        }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: input.recurring ? 'recurring' : 'one_time',
    unit_amount: input.unit_amount,
    unit_amount_decimal: String(input.unit_amount),
  }
  ctx.store.add(ctx.store.prices, price)
  ctx.effect('price.create', price.id, price.metadata)
  ctx.emit('price.created', price)
  return price
}

/** Products and prices: create, retrieve, update (metadata/active/nickname), list. */
export function catalogRoutes(api: Api, ctx: Ctx): void {
  api.on(
    'POST',
    '/v1/products',
    [
      'id',
      'name',
      'description',
      'active',
      'metadata',
      'default_price_data',
      'images',
      'tax_code',
      'unit_label',
      'url',
      'shippable',
      'statement_descriptor',
      'marketing_features',
    ],
    async (r) => {
      const p = r.params
      const name = str(p, 'name', true) as string
      const id = str(p, 'id')
      if (id && ctx.store.products.has(id))
        throw invalidRequest(`Product already exists.`, 'id', 'resource_already_exists')
      await r.begin([])
      return snapshot(
        createProduct(ctx, {
          id,
          name,
          description: str(p, 'description'),
          active: bool(p, 'active'),
          metadata: mergeMetadata({}, p),
        }),
      )
    },
  )
  api.on('GET', '/v1/products/:id', [], (r) => {
    const found = ctx.store.products.get(r.path['id'] ?? '')
    if (!found) throw resourceMissing('product', r.path['id'] ?? '')
    return snapshot(found)
  })
  api.on(
    'GET',
    '/v1/products',
    ['active', 'ids', 'limit', 'starting_after', 'ending_before', 'created', 'shippable', 'url'],
    (r) => {
      const active = bool(r.params, 'active')
      const ids = list(r.params, 'ids')
      const all = filterCreated([...ctx.store.products.values()], r.params).filter(
        (x) => (active === undefined || x.active === active) && (!ids || ids.includes(x.id)),
      )
      return paginate(all, r.params, '/v1/products', ctx.store)
    },
  )

  api.on(
    'POST',
    '/v1/prices',
    [
      'product',
      'currency',
      'unit_amount',
      'unit_amount_decimal',
      'recurring',
      'nickname',
      'lookup_key',
      'active',
      'metadata',
      'billing_scheme',
      'tax_behavior',
      'product_data',
      'transfer_lookup_key',
    ],
    async (r) => {
      const p = r.params
      const recurring = hash(p, 'recurring')
      const input: PriceInput = {
        product: str(p, 'product', true) as string,
        currency: (str(p, 'currency', true) as string).toLowerCase(),
        unit_amount: int(p, 'unit_amount', true) as number,
        recurring: recurring
          ? {
              interval: str(recurring, 'interval', true) as Interval,
              interval_count: int(recurring, 'interval_count'),
            }
          : null,
        nickname: str(p, 'nickname') ?? null,
        lookup_key: str(p, 'lookup_key') ?? null,
        active: bool(p, 'active'),
        metadata: mergeMetadata({}, p),
      }
      await r.begin([])
      return snapshot(createPrice(ctx, input))
    },
  )
  api.on('GET', '/v1/prices/:id', [], (r) => {
    const found = ctx.store.prices.get(r.path['id'] ?? '')
    if (!found) throw resourceMissing('price', r.path['id'] ?? '')
    return snapshot(found)
  })
  api.on(
    'POST',
    '/v1/prices/:id',
    ['active', 'metadata', 'nickname', 'lookup_key', 'tax_behavior'],
    async (r) => {
      const price = ctx.store.prices.get(r.path['id'] ?? '')
      if (!price) throw resourceMissing('price', r.path['id'] ?? '')
      await r.begin([price.id])
      const before = snapshot(price)
      const active = bool(r.params, 'active')
      if (active !== undefined) price.active = active
      const nickname = str(r.params, 'nickname')
      if (nickname !== undefined) price.nickname = nickname
      price.metadata = mergeMetadata(price.metadata, r.params)
      ctx.effect('price.update', price.id, price.metadata)
      ctx.emit('price.updated', price, before)
      return snapshot(price)
    },
  )
  api.on(
    'GET',
    '/v1/prices',
    [
      'active',
      'currency',
      'product',
      'type',
      'lookup_keys',
      'recurring',
      'limit',
      'starting_after',
      'ending_before',
      'created',
    ],
    (r) => {
      const p = r.params
      const active = bool(p, 'active')
      const product = str(p, 'product')
      const currency = str(p, 'currency')
      const type = str(p, 'type')
      const keys = list(p, 'lookup_keys')
      const all = filterCreated([...ctx.store.prices.values()], p).filter(
        (x) =>
          (active === undefined || x.active === active) &&
          (!product || x.product === product) &&
          (!currency || x.currency === currency) &&
          (!type || x.type === type) &&
          (!keys || (x.lookup_key !== null && keys.includes(x.lookup_key))),
      )
      return paginate(all, p, '/v1/prices', ctx.store)
    },
  )
}
