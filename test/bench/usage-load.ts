import { signRequest } from '../../worker/lib/signature.ts'
import type { UsageResponse } from '../../shared/index.ts'
import type { BenchStack } from './stack.ts'

/** One usage record as a metering system sends it. */
export interface BenchRecord {
  id: string
  accountId: string
  subscriptionKey: string
  meter: string
  quantity: number
  timestamp: string
}

/** An Account with one subscription Concord created (through its own intake and saga). */
export interface Subscribed {
  accountId: string
  subscriptionKey: string
  customerId: string
}

async function operatorGet<T>(stack: BenchStack, path: string): Promise<T> {
  const res = await fetch(`${stack.workerUrl}${path}`, {
    headers: { authorization: `Bearer ${stack.operatorToken}` },
  })
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${(await res.text()).slice(0, 300)}`)
  return (await res.json()) as T
}

/** Posts a signed body to the worker as Salesforce (or a metering system) would. */
export async function postSigned(
  stack: BenchStack,
  secret: string,
  target: string,
  payload: unknown,
): Promise<Response> {
  const body = JSON.stringify(payload)
  return fetch(`${stack.workerUrl}${target}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(await signRequest(secret, { method: 'POST', target, body })),
    },
    body,
  })
}

/**
 * Creates one subscription per Account through Concord (a signed `create` amendment each) and
 * waits until its ledger has applied it and knows the billing customer.
 * @throws Error when one is not applied within `timeoutMs`.
 */
export async function subscribeAll(
  stack: BenchStack,
  secret: string,
  accounts: string[],
  timeoutMs: number,
): Promise<Subscribed[]> {
  const subs = accounts.map((accountId, i) => ({
    accountId,
    subscriptionKey: `SUB-BENCH-USE-${i + 1}`,
  }))
  const events = subs.map((s) => ({
    attributes: { type: 'Subscription_Amendment__e' },
    EventUuid: crypto.randomUUID(),
    ReplayId: '1',
    CreatedDate: new Date().toISOString().replace('Z', '+0000'),
    CreatedById: '005Hs00000A1b2cIAB',
    Account_Id__c: s.accountId,
    Subscription_Key__c: s.subscriptionKey,
    Sequence__c: 1,
    Action__c: 'create',
    Price_Key__c: 'team-monthly-usd',
    Quantity__c: 3,
    Proration__c: 'create_prorations',
    Correlation_Id__c: crypto.randomUUID(),
    Requested_By__c: '005Hs00000A1b2cIAB',
  }))
  const res = await postSigned(stack, secret, '/v1/salesforce/events', { events })
  if (!res.ok) throw new Error(`intake: ${res.status} ${(await res.text()).slice(0, 300)}`)
  const deadline = Date.now() + timeoutMs
  const out: Subscribed[] = []
  for (const s of subs) {
    for (;;) {
      const summary = await operatorGet<{
        counts: Record<string, number>
        xref: { billingCustomerId?: string }
      }>(stack, `/v1/accounts/${s.accountId}`).catch(() => undefined)
      if (summary?.counts.applied === 1 && summary.xref.billingCustomerId) {
        out.push({ ...s, customerId: summary.xref.billingCustomerId })
        break
      }
      if (Date.now() > deadline)
        throw new Error(`subscription of ${s.accountId} not applied in time`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  return out
}

/**
 * `n` records spread over the subscriptions, the two demo meters and the last `minutes` whole
 * minutes (already over, as a metering system's batches are).
 */
export function planUsage(subs: Subscribed[], n: number, minutes: number): BenchRecord[] {
  const now = Date.now()
  const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1)
  return Array.from({ length: n }, (_, i) => {
    const s = subs[i % subs.length] as Subscribed
    const at = Math.max(now - 60_000 - ((i * 7919) % (minutes * 60_000)), monthStart)
    return {
      id: `bench-use-${i + 1}`,
      accountId: s.accountId,
      subscriptionKey: s.subscriptionKey,
      meter: i % 4 === 0 ? 'storage-gb' : 'api-calls',
      quantity: 1 + (i % 9),
      timestamp: new Date(at).toISOString(),
    }
  })
}

/** Posts the records in batches; returns when every one is stored, with the answers' counts. */
export async function postUsageBatches(
  stack: BenchStack,
  secret: string,
  records: BenchRecord[],
  batch: number,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let i = 0; i < records.length; i += batch) {
    const res = await postSigned(stack, secret, '/v1/usage', {
      records: records.slice(i, i + batch),
    })
    if (res.status !== 200)
      throw new Error(`POST /v1/usage: ${res.status} ${(await res.text()).slice(0, 300)}`)
    const body = (await res.json()) as UsageResponse
    for (const [k, v] of Object.entries(body.counts)) counts[k] = (counts[k] ?? 0) + v
  }
  return counts
}

/** Waits until no account has an aggregate open or waiting; returns the aggregates by state. */
export async function waitReported(
  stack: BenchStack,
  subs: Subscribed[],
  timeoutMs: number,
): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const totals: Record<string, number> = {}
    for (const s of subs) {
      const usage = await operatorGet<{ aggregates: Record<string, number> }>(
        stack,
        `/v1/accounts/${s.accountId}/usage?limit=1`,
      )
      for (const [k, v] of Object.entries(usage.aggregates)) totals[k] = (totals[k] ?? 0) + v
    }
    if (!totals.open && !totals.sealed) return totals
    if (Date.now() > deadline)
      throw new Error(`usage not reported in time: ${JSON.stringify(totals)}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * The baseline a team would write by hand: every record its own Stripe meter event, as it
 * arrives, `lanes` calls in flight, the record id as the identifier.
 */
export async function baselineReport(
  stack: BenchStack,
  subs: Subscribed[],
  records: BenchRecord[],
  lanes: number,
): Promise<void> {
  const customerOf = new Map(subs.map((s) => [s.accountId, s.customerId]))
  const events: Record<string, string> = {
    'api-calls': 'concord_api_calls',
    'storage-gb': 'concord_storage_gb',
  }
  let next = 0
  const lane = async () => {
    while (next < records.length) {
      const r = records[next++] as BenchRecord
      const res = await fetch(`${stack.vendors.stripe.url}/v1/billing/meter_events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${stack.vendors.bindings.STRIPE_SECRET_KEY}`,
          'content-type': 'application/x-www-form-urlencoded',
          'idempotency-key': `baseline:${r.id}`,
        },
        body: new URLSearchParams({
          event_name: events[r.meter] as string,
          'payload[stripe_customer_id]': customerOf.get(r.accountId) as string,
          'payload[value]': String(r.quantity),
          identifier: `baseline:${r.id}`,
          timestamp: String(Math.floor(Date.parse(r.timestamp) / 1000)),
        }).toString(),
      })
      if (!res.ok)
        throw new Error(`baseline meter event: ${res.status} ${(await res.text()).slice(0, 300)}`)
    }
  }
  await Promise.all(Array.from({ length: lanes }, lane))
}
