import type { Effect } from '../common/effects.ts'
import { seededRandom } from '../common/faults.ts'
import type {
  Charge,
  CreditNote,
  Customer,
  Invoice,
  InvoiceItem,
  InvoicePayment,
  Price,
  Product,
  Refund,
  StripeEvent,
  Subscription,
  SubscriptionSchedule,
  Meter,
  TaxId,
  TaxRate,
  WebhookEndpoint,
} from './types.ts'
import type { StoredMeterEvent } from './billing/meters.ts'

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Makes Stripe-looking ids (`cus_` + 14 base62 chars), reproducible from a seed. */
export class Ids {
  private random: () => number

  constructor(seed: number) {
    this.random = seededRandom(seed)
  }

  next(prefix: string, length = 14): string {
    let out = prefix
    for (let i = 0; i < length; i++) out += ALPHABET[Math.floor(this.random() * ALPHABET.length)]
    return out
  }

  hex(length: number): string {
    let out = ''
    for (let i = 0; i < length; i++) out += '0123456789ABCDEF'[Math.floor(this.random() * 16)]
    return out
  }
}

/** Every object the emulated account holds, keyed by id. */
export class Store {
  customers = new Map<string, Customer>()
  products = new Map<string, Product>()
  prices = new Map<string, Price>()
  subscriptions = new Map<string, Subscription>()
  schedules = new Map<string, SubscriptionSchedule>()
  invoices = new Map<string, Invoice>()
  invoiceItems = new Map<string, InvoiceItem>()
  charges = new Map<string, Charge>()
  refunds = new Map<string, Refund>()
  creditNotes = new Map<string, CreditNote>()
  invoicePayments = new Map<string, InvoicePayment>()
  events = new Map<string, StripeEvent>()
  webhookEndpoints = new Map<string, WebhookEndpoint>()
  meters = new Map<string, Meter>()
  taxRates = new Map<string, TaxRate>()
  taxIds = new Map<string, TaxId>()
  /** Meter events by identifier (Stripe dedupes on it). */
  meterEvents = new Map<string, StoredMeterEvent>()
  /** Insertion order, so lists with equal `created` stay stable (newest first). */
  order = new Map<string, number>()
  /** Wall-clock ms after which a customer is visible to search (Stripe search lags writes). */
  searchableAt = new Map<string, number>()
  /** Invoices that already emitted `invoice.overdue`. */
  overdueSent = new Set<string>()
  /**
   * `schedule.create` effects of schedules made `from_subscription`, which can carry no metadata:
   * each takes the correlation id of the first update that sets one (the same step's second call).
   */
  unattributed = new Map<string, Effect>()
  /** The charge that paid each invoice. */
  invoiceCharge = new Map<string, string>()
  creditNoteSeq = 0
  private counter = 0

  add<T extends { id: string }>(map: Map<string, T>, obj: T): T {
    map.set(obj.id, obj)
    this.order.set(obj.id, ++this.counter)
    return obj
  }

  /** Looks an object up by its id prefix, for `expand[]`. */
  lookup(id: string): { id: string } | undefined {
    const maps: [string, Map<string, { id: string }>][] = [
      ['cus_', this.customers],
      ['prod_', this.products],
      ['price_', this.prices],
      ['sub_sched_', this.schedules],
      ['sub_', this.subscriptions],
      ['in_', this.invoices],
      ['ii_', this.invoiceItems],
      ['ch_', this.charges],
      ['re_', this.refunds],
      ['cn_', this.creditNotes],
      ['inpay_', this.invoicePayments],
      ['txr_', this.taxRates],
      ['txi_', this.taxIds],
    ]
    for (const [prefix, map] of maps) if (id.startsWith(prefix)) return map.get(id)
    return undefined
  }

  reset(): void {
    for (const value of Object.values(this)) {
      if (value instanceof Map || value instanceof Set) value.clear()
    }
    this.creditNoteSeq = 0
    this.counter = 0
  }

  /** A JSON dump for `GET /__control/state`. */
  dump(): Record<string, unknown[]> {
    return {
      customers: [...this.customers.values()],
      products: [...this.products.values()],
      prices: [...this.prices.values()],
      subscriptions: [...this.subscriptions.values()],
      subscription_schedules: [...this.schedules.values()],
      invoices: [...this.invoices.values()],
      invoiceitems: [...this.invoiceItems.values()],
      charges: [...this.charges.values()],
      refunds: [...this.refunds.values()],
      credit_notes: [...this.creditNotes.values()],
      invoice_payments: [...this.invoicePayments.values()],
      events: [...this.events.values()],
      meters: [...this.meters.values()],
      tax_rates: [...this.taxRates.values()],
      tax_ids: [...this.taxIds.values()],
      meter_events: [...this.meterEvents.values()].map((e) => e.event),
    }
  }
}

/** A deep copy: responses and event snapshots never alias live state. */
export function snapshot<T>(obj: T): T {
  return structuredClone(obj)
}
