import { exports } from 'cloudflare:workers'
import { hmacSha256Hex } from '../../../worker/lib/hmac.ts'
import { createAccount, vendors } from '../support/vendors.ts'
import { asText } from '../../emulators/common/text.ts'

type Json = Record<string, unknown>

/** Calls the Stripe emulator's API as a Stripe dashboard user would (form-encoded). */
export async function stripeApi<T = Json>(
  method: string,
  path: string,
  params: Record<string, string> = {},
): Promise<T> {
  const { stripeUrl, bindings } = vendors()
  const body = new URLSearchParams(params).toString()
  const url = method === 'GET' && body ? `${stripeUrl}${path}?${body}` : `${stripeUrl}${path}`
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${bindings.STRIPE_SECRET_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: method === 'GET' ? undefined : body,
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return await res.json()
}

export async function stripeControl<T = Json>(action: string, body: Json): Promise<T> {
  const res = await fetch(`${vendors().stripeUrl}/__control/stripe/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
  if (!res.ok) throw new Error(`control ${action}: ${res.status} ${await res.text()}`)
  return await res.json()
}

/**
 * Every event about `customerId` (or its invoices), oldest first; `filter` narrows the list as
 * `GET /v1/events` does (`type`, `created[gte]`).
 */
export async function eventsOf(
  customerId: string,
  invoiceIds: Set<string>,
  filter: Record<string, string> = {},
): Promise<Json[]> {
  const out: Json[] = []
  let after: string | undefined
  for (;;) {
    const page = await stripeApi<{ data: Json[]; has_more: boolean }>('GET', '/v1/events', {
      limit: '100',
      ...filter,
      ...(after ? { starting_after: after } : {}),
    })
    for (const e of page.data) {
      const o = (e.data as { object: Json }).object
      if (
        o.customer === customerId ||
        invoiceIds.has(asText(o.invoice ?? '')) ||
        invoiceIds.has(String(o.id))
      )
        out.push(e)
    }
    if (!page.has_more) break
    after = String(page.data.at(-1)?.id)
  }
  return out.reverse()
}

/** Signs like Stripe: `t=<ts>,v1=<hex HMAC-SHA256 of "t.body">`. */
export async function stripeSignature(
  body: string,
  secret = vendors().bindings.STRIPE_WEBHOOK_SECRET ?? '',
  t = Math.floor(Date.now() / 1000),
): Promise<string> {
  return `t=${t},v1=${await hmacSha256Hex(secret, `${t}.${body}`)}`
}

export async function deliver(event: Json | string, signature?: string): Promise<Response> {
  const body = typeof event === 'string' ? event : JSON.stringify(event)
  return exports.default.fetch('https://concord.test/v1/webhooks/stripe', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': signature ?? (await stripeSignature(body)),
    },
    body,
  })
}

/**
 * A new Account and a Stripe customer linked to it (`metadata.sf_account_id`) with a 4-seat
 * monthly subscription invoiced by email: its first invoice, finalized and still open.
 */
export async function openInvoice(
  customerName: string,
): Promise<{ account: string; customerId: string; invoiceId: string }> {
  const account = await createAccount()
  const customer = await stripeApi('POST', '/v1/customers', {
    name: customerName,
    'metadata[sf_account_id]': account,
  })
  const sub = await stripeApi('POST', '/v1/subscriptions', {
    customer: String(customer.id),
    'items[0][price]': 'price_pro_monthly_usd',
    'items[0][quantity]': '4',
    collection_method: 'send_invoice',
    days_until_due: '30',
  })
  const invoiceId = String(sub.latest_invoice)
  const invoice = await stripeApi('GET', `/v1/invoices/${invoiceId}`)
  if (invoice.status === 'draft') await stripeControl('finalize_invoice', { invoice: invoiceId })
  return { account, customerId: String(customer.id), invoiceId }
}

export { drainWriter } from '../support/helpers.ts'
