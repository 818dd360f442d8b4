import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import type { Customer, CustomerTax, TaxAmount, TaxRate } from '../types.ts'

/**
 * Stripe Tax, reduced to a small documented rate table (see the README's *Tax*): where a customer
 * is (`tax.location` from its billing address), whether Stripe can tax it (`tax.automatic_tax`),
 * and the tax of an amount there (one `txr_` rate per jurisdiction, as Stripe Tax creates them).
 * https://docs.stripe.com/tax/customer-locations
 */

interface Jurisdiction {
  country: string
  state: string | null
  name: string
  level: 'country' | 'state'
  type: 'sales_tax' | 'vat' | 'gst' | 'hst'
  /** Percent, e.g. 7.25. */
  percentage: number
}

/** Where the emulated account is registered to collect tax, and at what rate. */
const REGISTERED: Jurisdiction[] = [
  {
    country: 'US',
    state: 'CA',
    name: 'California',
    level: 'state',
    type: 'sales_tax',
    percentage: 7.25,
  },
  {
    country: 'US',
    state: 'NY',
    name: 'New York',
    level: 'state',
    type: 'sales_tax',
    percentage: 4,
  },
  {
    country: 'US',
    state: 'TX',
    name: 'Texas',
    level: 'state',
    type: 'sales_tax',
    percentage: 6.25,
  },
  {
    country: 'US',
    state: 'WA',
    name: 'Washington',
    level: 'state',
    type: 'sales_tax',
    percentage: 6.5,
  },
  { country: 'CA', state: 'ON', name: 'Ontario', level: 'state', type: 'hst', percentage: 13 },
  { country: 'DE', state: null, name: 'Germany', level: 'country', type: 'vat', percentage: 19 },
  { country: 'FR', state: null, name: 'France', level: 'country', type: 'vat', percentage: 20 },
  {
    country: 'GB',
    state: null,
    name: 'United Kingdom',
    level: 'country',
    type: 'vat',
    percentage: 20,
  },
  { country: 'AU', state: null, name: 'Australia', level: 'country', type: 'gst', percentage: 10 },
]

/** The first three ZIP digits of the table's US states (USPS prefixes), for a ZIP without state. */
const ZIP3: [from: number, to: number, state: string][] = [
  [900, 961, 'CA'],
  [100, 149, 'NY'],
  [750, 799, 'TX'],
  [885, 885, 'TX'],
  [980, 994, 'WA'],
]

const US_STATES = new Set(
  (
    'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ ' +
    'NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP'
  ).split(' '),
)
const CA_PROVINCES = new Set('AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' '))
const REGIONS = new Intl.DisplayNames(['en'], { type: 'region' })

/** An ISO 3166-1 alpha-2 code the runtime's ICU knows as a region. */
function isCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code)) return false
  try {
    return REGIONS.of(code) !== code
  } catch {
    return false
  }
}

interface Located {
  country: string
  state: string | null
}

/** Where Stripe would place this address, or why it cannot. */
export function placeAddress(address: unknown): Located | { problem: string } {
  const a = (address ?? {}) as Record<string, unknown>
  const text = (k: string) => (typeof a[k] === 'string' && a[k] !== '' ? a[k] : null)
  const country = text('country')
  if (!country) return { problem: 'no country' }
  if (!isCountry(country)) return { problem: `country ${country} is not an ISO 3166-1 code` }
  const postal = text('postal_code')
  const state = text('state')?.toUpperCase() ?? null
  if (country === 'US') {
    if (!postal) return { problem: 'a US address needs a postal code' }
    if (!/^\d{5}(-\d{4})?$/.test(postal))
      return { problem: `postal code ${postal} is not a US ZIP` }
    if (state && !US_STATES.has(state)) return { problem: `state ${state} is not a US state` }
    const zip3 = Number(postal.slice(0, 3))
    const byZip = ZIP3.find(([from, to]) => zip3 >= from && zip3 <= to)?.[2] ?? null
    if (state && byZip && state !== byZip)
      return { problem: `postal code ${postal} is not in ${state}` }
    return { country, state: state ?? byZip }
  }
  if (country === 'CA') {
    if (state && !CA_PROVINCES.has(state)) return { problem: `province ${state} is not Canadian` }
    if (postal && !/^[A-Z]\d[A-Z] ?\d[A-Z]\d$/i.test(postal))
      return { problem: `postal code ${postal} is not Canadian` }
    if (!state && !postal) return { problem: 'a Canadian address needs a province or postal code' }
    return { country, state }
  }
  return { country, state }
}

function jurisdictionOf(place: Located): Jurisdiction | undefined {
  return REGISTERED.find(
    (j) => j.country === place.country && (j.state === null || j.state === place.state),
  )
}

/** The customer's `tax` hash (returned with `expand[]=tax`). */
export function customerTax(customer: Customer): CustomerTax {
  const place = placeAddress(customer.address)
  if ('problem' in place)
    return {
      automatic_tax: 'unrecognized_location',
      ip_address: null,
      location: null,
      provider: 'stripe',
    }
  return {
    automatic_tax: jurisdictionOf(place) ? 'supported' : 'not_collecting',
    ip_address: null,
    location: { country: place.country, source: 'billing_address', state: place.state },
    provider: 'stripe',
  }
}

/**
 * 400 `customer_tax_location_invalid`, as Stripe answers automatic tax (or
 * `tax[validate_location]=immediately`) for a customer it cannot place.
 */
export function taxLocationInvalid(customer: Customer, param: string): Error {
  const place = placeAddress(customer.address)
  const why = 'problem' in place ? ` (${place.problem})` : ''
  return invalidRequest(
    `The customer's location isn't recognized${why}. Provide a valid address with country and postal code to calculate tax.`,
    param,
    'customer_tax_location_invalid',
  )
}

/** @throws StripeError 400 `customer_tax_location_invalid` when Stripe Tax cannot place the customer. */
export function requireTaxLocation(customer: Customer, param: string): void {
  if (customerTax(customer).automatic_tax === 'unrecognized_location')
    throw taxLocationInvalid(customer, param)
}

/** Whether the customer buys as a business Stripe reverse-charges: a VAT id of its own country. */
function reverseCharged(ctx: Ctx, customer: Customer, country: string): boolean {
  if (customer.tax_exempt === 'reverse') return true
  return [...ctx.store.taxIds.values()].some(
    (t) =>
      t.customer === customer.id &&
      (t.type === 'eu_vat' || t.type === 'gb_vat') &&
      t.country === country &&
      country !== 'US',
  )
}

/**
 * The taxes of a line of `amount` (exclusive tax, rounded half up per line). None where the
 * account does not collect (`not_collecting`); a zero amount naming why for exempt and
 * reverse-charged customers.
 */
export function taxLine(ctx: Ctx, customer: Customer, amount: number): TaxAmount[] {
  const place = placeAddress(customer.address)
  if ('problem' in place) return []
  const j = jurisdictionOf(place)
  if (!j) return []
  const reason =
    customer.tax_exempt === 'exempt'
      ? 'customer_exempt'
      : reverseCharged(ctx, customer, place.country)
        ? 'reverse_charge'
        : 'standard_rated'
  const effective = reason === 'standard_rated' ? j.percentage : 0
  const rate = taxRate(ctx, j, effective)
  const tax =
    amount > 0 ? Math.round((amount * effective) / 100) : -Math.round((-amount * effective) / 100)
  return [
    {
      amount: tax,
      tax_behavior: 'exclusive',
      tax_rate_details: { tax_rate: rate.id },
      taxability_reason: reason,
      taxable_amount: amount,
      type: 'tax_rate_details',
    },
  ]
}

/** Sums line taxes per rate and reason, as `invoice.total_taxes`. */
export function totalTaxes(lines: TaxAmount[][]): TaxAmount[] {
  const out = new Map<string, TaxAmount>()
  for (const t of lines.flat()) {
    const key = `${t.tax_rate_details.tax_rate}:${t.taxability_reason}`
    const seen = out.get(key)
    if (seen) {
      seen.amount += t.amount
      seen.taxable_amount += t.taxable_amount
    } else out.set(key, { ...t, tax_rate_details: { ...t.tax_rate_details } })
  }
  return [...out.values()]
}

/** The Stripe Tax rate of a jurisdiction at an effective percentage, made once (stable ids). */
function taxRate(ctx: Ctx, j: Jurisdiction, effective: number): TaxRate {
  const id = `txr_1Concord${j.country}${j.state ?? 'XX'}${String(Math.round(effective * 100)).padStart(4, '0')}`
  const known = ctx.store.taxRates.get(id)
  if (known) return known
  const rate: TaxRate = {
    id,
    object: 'tax_rate',
    active: true,
    country: j.country,
    created: ctx.now(),
    description: null,
    display_name: j.type === 'sales_tax' ? 'Sales Tax' : j.type.toUpperCase(),
    effective_percentage: effective,
    flat_amount: null,
    inclusive: false,
    jurisdiction: j.name,
    jurisdiction_level: j.level,
    livemode: false,
    metadata: null,
    percentage: j.percentage,
    rate_type: 'percentage',
    state: j.state,
    tax_type: j.type,
  }
  ctx.store.add(ctx.store.taxRates, rate)
  return rate
}
