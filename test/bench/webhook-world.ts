import type { StripeEvent } from '../emulators/stripe/types/core.ts'
import type { BenchStack } from './stack.ts'
import { stripeControl } from './vendors-api.ts'
import { linkedAccounts, subscribe } from './world.ts'

/**
 * The event types a Concord endpoint subscribes to for the finance mirror: every one the route
 * handles that the emulator sends for a subscription billed by invoice and then paid.
 */
export const WEBHOOK_TYPES = new Set([
  'customer.subscription.created',
  'customer.subscription.updated',
  'invoice.created',
  'invoice.finalized',
  'invoice.updated',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice_payment.paid',
  'charge.succeeded',
])

/** What a rate's run delivers: Stripe's own events, in the order Stripe made them. */
export interface WebhookWorld {
  accounts: number
  invoices: string[]
  events: StripeEvent[]
}

const obj = (e: StripeEvent) => e.data.object as Record<string, unknown>

/** The invoice an event is about (its object, or the invoice an invoice payment settles). */
export function invoiceOf(e: StripeEvent): string | undefined {
  const o = obj(e)
  if (e.type.startsWith('invoice.') && typeof o.id === 'string') return o.id
  if (e.type === 'invoice_payment.paid' && typeof o.invoice === 'string') return o.invoice
  return undefined
}

/**
 * Makes Stripe's history for one run, with no webhook endpoint listening (the bench delivers it
 * itself, at its own pace): `accounts` Salesforce Accounts linked to customers, then, one
 * customer after another, a subscription billed by invoice whose first invoice is finalized and
 * paid, until the events the endpoint would get number at least `events`. Each subscription
 * makes a burst of about ten events for one subscription, invoice and charge.
 */
export async function webhookWorld(
  stack: BenchStack,
  opts: { accounts: number; events: number },
): Promise<WebhookWorld> {
  const linked = await linkedAccounts(stack, opts.accounts, 'W')
  const store = stack.vendors.stripe.stripe.store
  const before = new Set(store.events.keys())
  const invoices: string[] = []
  const wanted = () =>
    [...store.events.values()].filter((e) => !before.has(e.id) && WEBHOOK_TYPES.has(e.type))
  let made = 0
  for (let i = 0; made < opts.events; i++) {
    const customer = linked.customers[i % linked.customers.length] as string
    const sub = await subscribe(stack, customer, { sendInvoice: true })
    const invoice = String(sub.latest_invoice)
    await stripeControl(stack, 'pay_invoice', { invoice })
    invoices.push(invoice)
    // Counting every 50 subscriptions keeps this linear; the last stretch may overshoot a little.
    if (i % 50 === 49 || made + 50 * 10 >= opts.events) made = wanted().length
  }
  const events = wanted().sort((a, b) => a.created - b.created)
  return { accounts: linked.accounts.length, invoices, events }
}

/** A small seeded PRNG (mulberry32), so a run's duplicates and late copies replay. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The delivery schedule: Stripe's events in order, with a share of them sent a second time a
 * little later (Stripe delivers at least once: a copy arrives up to `lateBy` events after the
 * first). Each entry is one HTTP delivery.
 */
export function schedule(
  events: StripeEvent[],
  opts: { duplicateRate: number; lateBy: number; seed: number },
): StripeEvent[] {
  const random = prng(opts.seed)
  const out: Array<StripeEvent | undefined> = []
  const copies: Array<{ at: number; event: StripeEvent }> = []
  for (const [i, e] of events.entries()) {
    out.push(e)
    if (random() < opts.duplicateRate)
      copies.push({ at: i + 1 + Math.floor(random() * opts.lateBy), event: e })
  }
  const result: StripeEvent[] = []
  const byPosition = new Map<number, StripeEvent[]>()
  for (const c of copies) byPosition.set(c.at, [...(byPosition.get(c.at) ?? []), c.event])
  for (const [i, e] of out.entries()) {
    if (e) result.push(e)
    result.push(...(byPosition.get(i) ?? []))
  }
  for (const [at, late] of byPosition) if (at >= out.length) result.push(...late)
  return result
}
