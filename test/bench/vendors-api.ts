import type { Delivery } from '../emulators/stripe/index.ts'
import type { BenchStack } from './stack.ts'

/** What the vendor helpers need: the emulators (a bench stack, or the emulators alone). */
export type Vendors = Pick<BenchStack, 'vendors'>

export type Json = Record<string, unknown>

async function answer<T>(res: Response, what: string): Promise<T> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${(await res.text()).slice(0, 500)}`)
  return (await res.json()) as T
}

/** Calls the Stripe emulator's API as a Stripe user would (form-encoded, secret key). */
export async function stripeApi<T = Json>(
  stack: Vendors,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string> = {},
): Promise<T> {
  const body = new URLSearchParams(params).toString()
  const url =
    method === 'GET' && body
      ? `${stack.vendors.stripe.url}${path}?${body}`
      : `${stack.vendors.stripe.url}${path}`
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${stack.vendors.bindings.STRIPE_SECRET_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: method === 'GET' ? undefined : body,
  })
  return answer<T>(res, `${method} ${path}`)
}

/** `POST /__control/stripe/<action>`: what Stripe itself would do (advance time, a customer pays, …). */
export async function stripeControl<T = Json>(
  stack: Vendors,
  action: string,
  body: Json = {},
): Promise<T> {
  const res = await fetch(`${stack.vendors.stripe.url}/__control/stripe/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return answer<T>(res, `stripe control ${action}`)
}

/** `/__control/salesforce/<action>` (POST with a body, else GET). Not an API call: uncounted. */
export async function salesforceControl<T = Json>(
  stack: Vendors,
  action: string,
  body?: Json,
): Promise<T> {
  const init: RequestInit =
    body === undefined
      ? {}
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }
  const res = await fetch(`${stack.vendors.salesforce.url}/__control/salesforce/${action}`, init)
  return answer<T>(res, `salesforce control ${action}`)
}

/**
 * The Salesforce emulator's counters: `apiTotal` = counted API calls since start (a Composite
 * is one, whatever it carries), and rows per object.
 * @throws Error when the state has no API counter.
 */
export async function salesforceState(
  stack: Vendors,
): Promise<{ apiTotal: number; records: Record<string, number> }> {
  const res = await fetch(`${stack.vendors.salesforce.url}/__control/state`)
  const state = await answer<{ api?: { total?: number }; records?: Record<string, number> }>(
    res,
    'salesforce state',
  )
  if (typeof state.api?.total !== 'number')
    throw new Error('the Salesforce emulator state has no api.total')
  return { apiTotal: state.api.total, records: state.records ?? {} }
}

/** Effect counts by kind (`Billing_Invoice__c.create`, `Account.update`, `event.publish.Concord_Refresh__e`, …). */
export async function salesforceEffectCounts(stack: Vendors): Promise<Record<string, number>> {
  const res = await fetch(`${stack.vendors.salesforce.url}/__control/effects`)
  return (await answer<{ counts: Record<string, number> }>(res, 'salesforce effects')).counts
}

/** Requests that reached each Salesforce emulator route (token, composite, query, …), by route name. */
export async function salesforceRequests(stack: Vendors): Promise<Record<string, number>> {
  return answer(
    await fetch(`${stack.vendors.salesforce.url}/__control/requests`),
    'salesforce requests',
  )
}

/** `after − before` per key, keeping only keys that moved. */
export function countDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after)
      .map(([k, v]): [string, number] => [k, v - (before[k] ?? 0)])
      .filter(([, v]) => v !== 0),
  )
}

/** The Stripe emulator's webhook delivery log (one entry per HTTP attempt) and its queue. */
export async function stripeDeliveries(
  stack: Vendors,
): Promise<{ deliveries: Delivery[]; pending: unknown[] }> {
  return stripeControl(stack, 'deliveries')
}

/** Every row of `object` in the Salesforce emulator, read through its control API. */
export async function salesforceRecords(stack: Vendors, object: string): Promise<Json[]> {
  const body = await salesforceControl<{ records?: Json[] }>(stack, `records/${object}`)
  return body.records ?? []
}

/** The worker's own view of its writer (operator API): pending, parked, calls in 24 h. */
export async function writerStatus(stack: BenchStack): Promise<{
  pending: number
  parked: unknown[]
  calls24h: number
  hints: number
  intervalMs: number
}> {
  const res = await fetch(`${stack.workerUrl}/v1/writer`, {
    headers: { authorization: `Bearer ${stack.operatorToken}` },
  })
  return answer(res, 'GET /v1/writer')
}
