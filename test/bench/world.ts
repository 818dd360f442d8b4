import type { BenchStack } from './stack.ts'
import {
  salesforceControl,
  stripeApi,
  stripeControl,
  type Json,
  type Vendors,
} from './vendors-api.ts'

/** Salesforce Accounts, each linked to a billing customer (`metadata[sf_account_id]`), in step. */
export interface Linked {
  accounts: string[]
  customers: string[]
}

/**
 * Creates `n` Accounts in the Salesforce emulator as an admin would (data load: no API call, no
 * effect), in the US legal entity with a USD currency and a billing city.
 * @throws Error when the emulator refuses.
 */
export async function salesforceAccounts(
  stack: Vendors,
  n: number,
  tag: string,
): Promise<string[]> {
  const records = Array.from({ length: n }, (_, i) => ({
    Name: `Bench ${tag} ${i + 1}`,
    BillingCity: 'Austin',
    BillingCountry: 'United States',
    CurrencyIsoCode: 'USD',
    Concord_Legal_Entity__c: 'US-INC',
  }))
  const put = await salesforceControl<{ results: Array<{ id?: string; success?: boolean }> }>(
    stack,
    'put',
    { object: 'Account', records },
  )
  const accounts = put.results.map((r) => r.id ?? '')
  if (accounts.length !== n || accounts.some((id) => !id))
    throw new Error(`could not create ${n} Accounts: ${JSON.stringify(put.results.slice(0, 3))}`)
  return accounts
}

/**
 * Creates `n` Accounts (`salesforceAccounts`) and one Stripe customer for each, carrying the
 * Account id the worker routes by.
 * @throws Error when either emulator refuses.
 */
export async function linkedAccounts(stack: BenchStack, n: number, tag: string): Promise<Linked> {
  const accounts = await salesforceAccounts(stack, n, tag)
  const customers: string[] = []
  for (const [i, account] of accounts.entries()) {
    const customer = await stripeApi(stack, 'POST', '/v1/customers', {
      name: `Bench ${tag} ${i + 1}`,
      email: `billing+${i + 1}@bench.example`,
      'metadata[sf_account_id]': account,
    })
    customers.push(String(customer.id))
  }
  return { accounts, customers }
}

/** Points a Stripe webhook endpoint (the worker's signing secret) at the worker for `types`. */
export async function addWebhookEndpoint(stack: BenchStack, types: string[]): Promise<string> {
  const endpoint = await stripeControl(stack, 'webhook_endpoint', {
    url: `${stack.workerUrl}/v1/webhooks/stripe`,
    secret: stack.vendors.bindings.STRIPE_WEBHOOK_SECRET,
    enabled_events: types,
  })
  return String(endpoint.id)
}

/** Creates a monthly subscription; `sendInvoice` leaves its first invoice open (finalized). */
export async function subscribe(
  stack: BenchStack,
  customer: string,
  opts: { sendInvoice?: boolean } = {},
): Promise<Json> {
  const sub = await stripeApi(stack, 'POST', '/v1/subscriptions', {
    customer,
    'items[0][price]': 'price_team_monthly_usd',
    'items[0][quantity]': '3',
    ...(opts.sendInvoice ? { collection_method: 'send_invoice', days_until_due: '30' } : {}),
  })
  if (opts.sendInvoice) {
    const invoice = await stripeApi(stack, 'GET', `/v1/invoices/${String(sub.latest_invoice)}`)
    if (invoice.status === 'draft')
      await stripeControl(stack, 'finalize_invoice', { invoice: String(invoice.id) })
  }
  return sub
}

const addMonths = (unix: number, months: number) => {
  const d = new Date(unix * 1000)
  d.setUTCMonth(d.getUTCMonth() + months)
  return Math.floor(d.getTime() / 1000)
}

/**
 * A paid billing history of `invoices` invoices spread evenly over the customers: one monthly
 * subscription each (collected automatically, so every invoice is paid by one charge), then the
 * Stripe clock moved forward month by month, renewing them all. Customers that need one invoice
 * more than the rest subscribe a month earlier. Nothing is delivered: no endpoint listens yet.
 * @returns the invoices and charges billing now holds.
 */
export async function paidHistory(
  stack: BenchStack,
  customers: string[],
  invoices: number,
): Promise<{ invoices: number; charges: number; months: number }> {
  const base = Math.floor(invoices / customers.length)
  const extra = invoices - base * customers.length
  if (base < 1) throw new Error(`${invoices} invoices can't cover ${customers.length} customers`)
  let { now } = await stripeControl<{ now: number }>(stack, 'clock')
  const day = new Date(now * 1000)
  if (day.getUTCDate() > 28) {
    // Month arithmetic from the 29th on is ambiguous (Jan 31 + 1 month); start on the 1st instead.
    now = Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + 1, 1, 1) / 1000
    await stripeControl(stack, 'advance', { to: now })
  }
  for (const customer of customers.slice(0, extra)) await subscribe(stack, customer)
  // Group one (the `extra` customers) gets base + 1 invoices, group two base: group two starts
  // two hours after group one's first renewal, and each later step stops four hours past group
  // one's renewal, so both renew once per step. (The emulator's clock runs on from wall time, so
  // renewals land a few seconds after these marks, never hours.)
  for (let month = 1; month <= base; month++) {
    await stripeControl(stack, 'advance', {
      to: addMonths(now, month) + (month === 1 ? 2 : 4) * 3_600,
    })
    if (month === 1) for (const customer of customers.slice(extra)) await subscribe(stack, customer)
  }
  const store = stack.vendors.stripe.stripe.store
  return { invoices: store.invoices.size, charges: store.charges.size, months: base }
}
