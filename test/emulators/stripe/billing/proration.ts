import { addInterval } from '../clock.ts'
import type { Store } from '../state.ts'
import type { Price } from '../types.ts'

/** An invoice line before it is written to an invoice or a pending invoice item. */
export interface LineDraft {
  amount: number
  description: string
  proration: boolean
  period: { start: number; end: number }
  price: Price
  quantity: number
  subscription: string | null
  subscriptionItem: string
}

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
])

/** `$10.00`, `¥1,000`: an amount in minor units, formatted for descriptions. */
export function formatMoney(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency) ? amount : amount / 100
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
  }).format(major)
}

function formatDate(t: number): string {
  return new Date(t * 1000).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  })
}

function productName(store: Store, price: Price): string {
  return store.products.get(price.product)?.name ?? price.nickname ?? price.id
}

/** Rounds half away from zero, so a credit and the matching charge round to the same size. */
function roundMinor(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x))
}

/**
 * Proration as Stripe computes it for a change at time `at` (the request's `proration_date`,
 * else now) inside the item's period `[start, end)`:
 *
 *   fraction  = (end − at) / (end − start)                  — to the second
 *   credit    = −round(old.unit_amount × old.quantity × fraction)   "Unused time on …"
 *   charge    = +round(new.unit_amount × new.quantity × fraction)   "Remaining time on …"
 *
 * Both lines are `proration: true` with period `{start: at, end}`; Stripe credits the whole old
 * line and charges the whole new one rather than writing a net delta. When the change moves the
 * subscription to a different billing interval the cycle resets at `at`: only the credit is
 * prorated, and the new price is charged in full for a fresh period `[at, at + interval)`
 * (https://docs.stripe.com/billing/subscriptions/prorations,
 * https://docs.stripe.com/billing/subscriptions/billing-cycle#changing).
 */
export function prorate(
  unitAmount: number,
  quantity: number,
  at: number,
  period: { start: number; end: number },
): number {
  const length = period.end - period.start
  if (length <= 0 || at >= period.end) return 0
  const fraction = (period.end - Math.max(at, period.start)) / length
  return roundMinor(unitAmount * quantity * fraction)
}

type ProratedItem = { id: string; price: Price; quantity: number }

/**
 * A proration line for the rest of the period from `at`: the "Unused time on N × Product after
 * <date>" credit for an item being replaced, or the "Remaining time on …" charge for its new state.
 */
function prorationLine(
  kind: 'credit' | 'charge',
  store: Store,
  item: ProratedItem,
  sub: string,
  at: number,
  period: { start: number; end: number },
): LineDraft | undefined {
  const amount =
    (kind === 'credit' ? -1 : 1) * prorate(item.price.unit_amount, item.quantity, at, period)
  if (amount === 0) return undefined
  return {
    amount,
    description: `${kind === 'credit' ? 'Unused' : 'Remaining'} time on ${item.quantity} × ${productName(store, item.price)} after ${formatDate(at)}`,
    proration: true,
    period: { start: at, end: period.end },
    price: item.price,
    quantity: item.quantity,
    subscription: sub,
    subscriptionItem: item.id,
  }
}

export const creditLine = (
  store: Store,
  item: ProratedItem,
  sub: string,
  at: number,
  period: { start: number; end: number },
) => prorationLine('credit', store, item, sub, at, period)
export const chargeLine = (
  store: Store,
  item: ProratedItem,
  sub: string,
  at: number,
  period: { start: number; end: number },
) => prorationLine('charge', store, item, sub, at, period)

/** A full-period, non-proration line: "N × Product (at $10.00 / month)". */
export function periodLine(
  store: Store,
  item: { id: string; price: Price; quantity: number },
  sub: string | null,
  start: number,
): LineDraft {
  const rec = item.price.recurring
  const end = rec ? addInterval(start, rec.interval, rec.interval_count) : start
  const per = rec
    ? ` / ${rec.interval_count > 1 ? `every ${rec.interval_count} ${rec.interval}s` : rec.interval}`
    : ''
  return {
    amount: item.price.unit_amount * item.quantity,
    description: `${item.quantity} × ${productName(store, item.price)} (at ${formatMoney(item.price.unit_amount, item.price.currency)}${per})`,
    proration: false,
    period: { start, end },
    price: item.price,
    quantity: item.quantity,
    subscription: sub,
    subscriptionItem: item.id,
  }
}
