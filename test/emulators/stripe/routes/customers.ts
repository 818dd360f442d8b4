import type { Api } from '../api.ts'
import { cancelSubscription } from '../billing/subscriptions.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { hash, int, mergeMetadata, str, type Params } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCustomer } from '../lookup.ts'
import { snapshot } from '../state.ts'
import type { Customer } from '../types.ts'

const WRITABLE = [
  'address',
  'balance',
  'description',
  'email',
  'invoice_prefix',
  'invoice_settings',
  'metadata',
  'name',
  'phone',
  'preferred_locales',
  'shipping',
  'tax_exempt',
]
const CREATE = [
  ...WRITABLE,
  'payment_method',
  'source',
  'tax',
  'tax_id_data',
  'test_clock',
  'cash_balance',
  'next_invoice_sequence',
]
const UPDATE = [
  ...WRITABLE,
  'default_source',
  'source',
  'tax',
  'cash_balance',
  'next_invoice_sequence',
]

function applyFields(c: Customer, p: Params): void {
  const set = <K extends 'description' | 'email' | 'name' | 'phone'>(k: K) => {
    if (p[k] !== undefined) c[k] = str(p, k) ?? null
  }
  set('description')
  set('email')
  set('name')
  set('phone')
  if (p['address'] !== undefined) c.address = hash(p, 'address') ?? null
  if (p['shipping'] !== undefined) c.shipping = hash(p, 'shipping') ?? null
  const balance = int(p, 'balance')
  if (balance !== undefined) c.balance = balance
  const prefix = str(p, 'invoice_prefix')
  if (prefix !== undefined) {
    if (!/^[A-Z0-9]{3,12}$/.test(prefix))
      throw invalidRequest(
        'Invoice prefix must be 3-12 uppercase letters or numbers.',
        'invoice_prefix',
      )
    c.invoice_prefix = prefix
  }
  const seq = int(p, 'next_invoice_sequence')
  if (seq !== undefined) c.next_invoice_sequence = seq
  c.metadata = mergeMetadata(c.metadata, p)
}

/**
 * A tiny subset of Stripe's search query language: `field:'value'` clauses (`email`, `name`,
 * `phone`, `metadata['key']`, `-` negation) joined by all-AND or all-OR, exact matches.
 * @throws StripeError 400 for a query it cannot parse.
 */
function matcher(query: string): (c: Customer) => boolean {
  const hasAnd = /\sAND\s/.test(query)
  const hasOr = /\sOR\s/.test(query)
  if (hasAnd && hasOr) throw invalidRequest('Search queries cannot mix AND and OR.', 'query')
  const clauses = query.split(/\s+(?:AND|OR)\s+/).map((raw) => {
    const m = /^(-?)(email|name|phone|metadata\[['"]([^'"]+)['"]\])\s*:\s*(['"])(.*)\4$/.exec(
      raw.trim(),
    )
    if (!m) throw invalidRequest(`Invalid search query: ${raw}`, 'query')
    const [, neg, field, metaKey, , value] = m
    return (c: Customer) => {
      const actual = metaKey ? c.metadata[metaKey] : c[field as 'email' | 'name' | 'phone']
      return (actual === value) !== (neg === '-')
    }
  })
  return (c) => (hasOr ? clauses.some((f) => f(c)) : clauses.every((f) => f(c)))
}

/** A customer with Stripe's defaults and a fresh id and invoice prefix. */
export function blankCustomer(ctx: Ctx, id?: string): Customer {
  return {
    id: id ?? ctx.ids.next('cus_', 14),
    object: 'customer',
    address: null,
    balance: 0,
    created: ctx.now(),
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    email: null,
    invoice_prefix: ctx.ids.hex(8),
    invoice_settings: {
      custom_fields: null,
      default_payment_method: null,
      footer: null,
      rendering_options: null,
    },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  }
}

/** Customers: create, retrieve, update, delete, list, search. */
export function customerRoutes(api: Api, ctx: Ctx): void {
  api.on('POST', '/v1/customers', CREATE, async (r) => {
    const p = r.params
    await r.begin([])
    const c = blankCustomer(ctx)
    applyFields(c, p)
    ctx.store.add(ctx.store.customers, c)
    ctx.store.searchableAt.set(c.id, Date.now() + ctx.settings.searchLagMs)
    ctx.effect('customer.create', c.id, c.metadata, { email: c.email, name: c.name })
    ctx.emit('customer.created', c)
    return snapshot(c)
  })

  api.on('GET', '/v1/customers/search', ['query', 'limit', 'page'], (r) => {
    const query = str(r.params, 'query', true) as string
    const limit = int(r.params, 'limit') ?? 10
    if (limit < 1 || limit > 100)
      throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit')
    const page = Number(str(r.params, 'page') ?? '0')
    const match = matcher(query)
    const now = Date.now()
    const hits = [...ctx.store.customers.values()]
      .filter((c) => (ctx.store.searchableAt.get(c.id) ?? 0) <= now && match(c))
      .sort(
        (a, b) =>
          b.created - a.created ||
          (ctx.store.order.get(b.id) ?? 0) - (ctx.store.order.get(a.id) ?? 0),
      )
    const data = hits.slice(page, page + limit)
    const more = hits.length > page + limit
    return {
      object: 'search_result',
      data: data.map(snapshot),
      has_more: more,
      next_page: more ? String(page + limit) : null,
      url: '/v1/customers/search',
    }
  })

  api.on('GET', '/v1/customers/:id', [], (r) => snapshot(requireCustomer(ctx, r.path['id'] ?? '')))

  api.on('POST', '/v1/customers/:id', UPDATE, async (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    await r.begin([c.id])
    const before = snapshot(c)
    applyFields(c, r.params)
    ctx.effect('customer.update', c.id, c.metadata)
    ctx.emit('customer.updated', c, before)
    return snapshot(c)
  })

  api.on('DELETE', '/v1/customers/:id', [], async (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    await r.begin([c.id])
    // Deleting a customer cancels its subscriptions at once, as on Stripe.
    for (const sub of ctx.store.subscriptions.values()) {
      if (
        sub.customer === c.id &&
        sub.status !== 'canceled' &&
        sub.status !== 'incomplete_expired'
      ) {
        cancelSubscription(ctx, sub, { invoiceNow: false, prorate: false })
      }
    }
    ctx.store.customers.delete(c.id)
    ctx.effect('customer.delete', c.id, c.metadata)
    ctx.emit('customer.deleted', c)
    return { id: c.id, object: 'customer', deleted: true }
  })

  api.on(
    'GET',
    '/v1/customers',
    ['email', 'limit', 'starting_after', 'ending_before', 'created', 'test_clock'],
    (r) => {
      const email = str(r.params, 'email')
      const all = filterCreated([...ctx.store.customers.values()], r.params).filter(
        (c) => !email || c.email === email,
      )
      return paginate(all, r.params, '/v1/customers', ctx.store)
    },
  )
}
