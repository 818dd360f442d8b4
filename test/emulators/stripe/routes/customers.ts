import type { Api } from '../api.ts'
import { cancelSubscription } from '../billing/subscriptions.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { customerTax, requireTaxLocation } from '../billing/tax.ts'
import { hash, hashes, int, list, mergeMetadata, str, type Params } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCustomer } from '../lookup.ts'
import { searchMatcher, type SearchFields } from '../search-query.ts'
import { snapshot } from '../state.ts'
import type { Customer, TaxId } from '../types.ts'

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

const ADDRESS_FIELDS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const

/**
 * An address in Stripe's shape (every field present, `null` when not given).
 * @throws StripeError 400 for an unknown address field.
 */
function readAddress(p: Params, name: string): Customer['address'] {
  const a = hash(p, name)
  if (!a) return null
  for (const k of Object.keys(a))
    if (!(ADDRESS_FIELDS as readonly string[]).includes(k))
      throw invalidRequest(
        `Received unknown parameter: ${name}[${k}]`,
        `${name}[${k}]`,
        'parameter_unknown',
      )
  return Object.fromEntries(ADDRESS_FIELDS.map((k) => [k, str(a, k) ?? null]))
}

/**
 * `tax[validate_location]`: `immediately` refuses an address Stripe Tax cannot place, with 400
 * `customer_tax_location_invalid` (https://docs.stripe.com/tax/customer-locations).
 * @throws StripeError 400.
 */
function validateLocation(c: Customer, p: Params): void {
  const tax = hash(p, 'tax')
  const mode = tax ? str(tax, 'validate_location') : undefined
  if (mode !== undefined && !['immediately', 'deferred', 'auto'].includes(mode))
    throw invalidRequest(
      'Invalid tax[validate_location]: must be one of auto, deferred, or immediately',
      'tax[validate_location]',
    )
  if (mode === 'immediately') requireTaxLocation(c, 'tax[validate_location]')
}

/** The customer as answered: with `tax` and `tax_ids` when `expand[]` names them. */
function view(ctx: Ctx, c: Customer, p: Params): Customer {
  const out = snapshot(c)
  const ask = list(p, 'expand') ?? []
  if (ask.includes('tax')) out.tax = customerTax(c)
  if (ask.includes('tax_ids')) {
    const data = [...ctx.store.taxIds.values()].filter((t) => t.customer === c.id).map(snapshot)
    out.tax_ids = { object: 'list', data, has_more: false, url: `/v1/customers/${c.id}/tax_ids` }
  }
  return out
}

function applyFields(c: Customer, p: Params): void {
  const set = <K extends 'description' | 'email' | 'name' | 'phone'>(k: K) => {
    if (p[k] !== undefined) c[k] = str(p, k) ?? null
  }
  set('description')
  set('email')
  set('name')
  set('phone')
  if (p['address'] !== undefined) c.address = readAddress(p, 'address')
  const exempt = str(p, 'tax_exempt')
  if (exempt !== undefined) {
    if (exempt !== 'none' && exempt !== 'exempt' && exempt !== 'reverse')
      throw invalidRequest(
        'Invalid tax_exempt: must be one of none, exempt, or reverse',
        'tax_exempt',
      )
    c.tax_exempt = exempt
  }
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

/** The customer fields search matches exactly. https://docs.stripe.com/search#query-fields-for-customers */
const SEARCH_FIELDS: SearchFields<Customer> = {
  plain: { email: (c) => c.email, name: (c) => c.name, phone: (c) => c.phone },
  metadata: (c) => c.metadata,
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
    validateLocation(c, p)
    const taxIds = (hashes(p, 'tax_id_data') ?? []).map((d, i) =>
      readTaxId(ctx, c.id, d, `tax_id_data[${i}]`),
    )
    ctx.store.add(ctx.store.customers, c)
    for (const t of taxIds) ctx.store.add(ctx.store.taxIds, t)
    ctx.store.searchableAt.set(c.id, Date.now() + ctx.settings.searchLagMs)
    ctx.effect('customer.create', c.id, c.metadata, { email: c.email, name: c.name })
    ctx.emit('customer.created', c)
    return view(ctx, c, p)
  })

  api.on('GET', '/v1/customers/search', ['query', 'limit', 'page'], (r) => {
    const query = str(r.params, 'query', true) as string
    const limit = int(r.params, 'limit') ?? 10
    if (limit < 1 || limit > 100)
      throw invalidRequest('Invalid limit: must be between 1 and 100', 'limit')
    const page = Number(str(r.params, 'page') ?? '0')
    const match = searchMatcher(query, SEARCH_FIELDS)
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

  api.on('GET', '/v1/customers/:id', [], (r) =>
    view(ctx, requireCustomer(ctx, r.path['id'] ?? ''), r.params),
  )

  api.on('POST', '/v1/customers/:id', UPDATE, async (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    await r.begin([c.id])
    const before = snapshot(c)
    const next = snapshot(c)
    applyFields(next, r.params)
    validateLocation(next, r.params)
    Object.assign(c, next)
    ctx.effect('customer.update', c.id, c.metadata)
    ctx.emit('customer.updated', c, before)
    return view(ctx, c, r.params)
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

/** Formats of the tax id types the emulator checks; any other known type takes any value. */
const TAX_ID_FORMATS: Record<string, [country: string | null, format: RegExp]> = {
  eu_vat: [
    null,
    /^(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|SE|SI|SK|XI)[0-9A-Z]{8,12}$/,
  ],
  gb_vat: ['GB', /^GB(\d{9}|\d{12})$/],
  us_ein: ['US', /^\d{2}-\d{7}$/],
  ca_bn: ['CA', /^\d{9}$/],
  au_abn: ['AU', /^\d{11}$/],
}
const OTHER_TAX_ID_TYPES = new Set(['ca_gst_hst', 'ca_qst', 'ch_vat', 'no_vat', 'nz_gst', 'in_gst'])

/**
 * A tax id as `POST /v1/customers/:id/tax_ids` (or `tax_id_data[]`) makes it; Stripe verifies EU
 * VAT numbers later (`verification.status: pending`).
 * @throws StripeError 400 `tax_id_invalid` for a value not in the type's format.
 */
function readTaxId(ctx: Ctx, customer: string, p: Params, prefix = ''): TaxId {
  const name = (k: string) => (prefix ? `${prefix}[${k}]` : k)
  const type = str(p, 'type')
  const value = str(p, 'value')?.replaceAll(' ', '').toUpperCase()
  if (!type)
    throw invalidRequest(
      `Missing required param: ${name('type')}.`,
      name('type'),
      'parameter_missing',
    )
  if (!value)
    throw invalidRequest(
      `Missing required param: ${name('value')}.`,
      name('value'),
      'parameter_missing',
    )
  const format = TAX_ID_FORMATS[type]
  if (!format && !OTHER_TAX_ID_TYPES.has(type))
    throw invalidRequest(
      `Invalid ${name('type')}: ${type} is not a supported tax id type`,
      name('type'),
    )
  if (format && !format[1].test(value))
    throw invalidRequest(`Invalid value for ${type}.`, name('value'), 'tax_id_invalid')
  const country = type === 'eu_vat' ? value.slice(0, 2).replace('EL', 'GR') : (format?.[0] ?? null)
  return {
    id: ctx.ids.next('txi_', 24),
    object: 'tax_id',
    country,
    created: ctx.now(),
    customer,
    customer_account: null,
    livemode: false,
    owner: { customer, customer_account: null, type: 'customer' },
    type,
    value,
    verification:
      type === 'eu_vat' || type === 'gb_vat'
        ? { status: 'pending', verified_address: null, verified_name: null }
        : null,
  }
}

/** A customer's tax ids: create, retrieve, list, delete. */
export function taxIdRoutes(api: Api, ctx: Ctx): void {
  api.on('POST', '/v1/customers/:id/tax_ids', ['type', 'value'], async (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    const taxId = readTaxId(ctx, c.id, r.params)
    await r.begin([c.id])
    ctx.store.add(ctx.store.taxIds, taxId)
    ctx.effect('tax_id.create', taxId.id, c.metadata, { type: taxId.type })
    ctx.emit('customer.tax_id.created', taxId)
    return snapshot(taxId)
  })

  const requireTaxId = (customer: string, id: string): TaxId => {
    const t = ctx.store.taxIds.get(id)
    if (!t || t.customer !== customer) throw resourceMissing('tax_id', id)
    return t
  }

  api.on('GET', '/v1/customers/:id/tax_ids/:tax', [], (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    return snapshot(requireTaxId(c.id, r.path['tax'] ?? ''))
  })

  api.on('GET', '/v1/customers/:id/tax_ids', ['limit', 'starting_after', 'ending_before'], (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    const all = [...ctx.store.taxIds.values()].filter((t) => t.customer === c.id)
    return paginate(all, r.params, `/v1/customers/${c.id}/tax_ids`, ctx.store)
  })

  api.on('DELETE', '/v1/customers/:id/tax_ids/:tax', [], async (r) => {
    const c = requireCustomer(ctx, r.path['id'] ?? '')
    const t = requireTaxId(c.id, r.path['tax'] ?? '')
    await r.begin([c.id])
    ctx.store.taxIds.delete(t.id)
    ctx.effect('tax_id.delete', t.id, c.metadata)
    ctx.emit('customer.tax_id.deleted', t)
    return { id: t.id, object: 'tax_id', deleted: true }
  })
}

/** Tax rates (Stripe Tax makes one per jurisdiction it taxes): retrieve and list. */
export function taxRateRoutes(api: Api, ctx: Ctx): void {
  api.on('GET', '/v1/tax_rates/:id', [], (r) => {
    const rate = ctx.store.taxRates.get(r.path['id'] ?? '')
    if (!rate) throw resourceMissing('tax_rate', r.path['id'] ?? '')
    return snapshot(rate)
  })
  api.on(
    'GET',
    '/v1/tax_rates',
    ['active', 'inclusive', 'limit', 'starting_after', 'ending_before', 'created'],
    (r) =>
      paginate(
        filterCreated([...ctx.store.taxRates.values()], r.params),
        r.params,
        '/v1/tax_rates',
        ctx.store,
      ),
  )
}
