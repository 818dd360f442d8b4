import { exports } from 'cloudflare:workers'
import { signRequest } from '../../../worker/lib/signature.ts'
import type { UsageResponse } from '../../../shared/index.ts'
import { amendmentEvent, drain, ledger, postEvents } from '../support/helpers.ts'
import { TEST_EVENTS_SECRET } from '../support/test-config.ts'
import { createAccount, emulatorControl, vendors } from '../support/vendors.ts'

/** Posts a signed usage batch, as a metering system would. */
export async function postUsage(
  records: unknown[],
  opts: { body?: string; secret?: string } = {},
): Promise<Response> {
  const body = opts.body ?? JSON.stringify({ records })
  const headers = await signRequest(opts.secret ?? TEST_EVENTS_SECRET, {
    method: 'POST',
    target: '/v1/usage',
    body,
  })
  return exports.default.fetch('https://concord.test/v1/usage', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
}

export async function postUsageOk(records: unknown[]): Promise<UsageResponse> {
  const res = await postUsage(records)
  const body = await res.json<UsageResponse>()
  if (res.status !== 200) throw new Error(`usage answered ${res.status}: ${JSON.stringify(body)}`)
  return body
}

/**
 * An Account with one subscription created through the real flow (Salesforce intake → Stripe,
 * NetSuite), so the ledger knows its subscription and customers.
 */
export async function subscribedAccount(): Promise<{
  accountId: string
  subscriptionKey: string
  customerId: string
}> {
  const accountId = await createAccount()
  const subscriptionKey = `SUB-USE-${crypto.randomUUID().slice(0, 8)}`
  const res = await postEvents([
    amendmentEvent({ Account_Id__c: accountId, Subscription_Key__c: subscriptionKey }),
  ])
  if (res.status !== 200) throw new Error(`intake answered ${res.status}`)
  await drain(accountId, 200)
  const summary = await ledger(accountId).summary()
  const customerId = summary?.xref.billingCustomerId
  if (summary?.counts.applied !== 1 || !customerId)
    throw new Error(`subscription not created: ${JSON.stringify(summary)}`)
  return { accountId, subscriptionKey, customerId }
}

let counter = 0

/** A valid usage record of `at` (ms) for the subscription; override any field. */
export function usageRecord(
  s: { accountId: string; subscriptionKey: string },
  at: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: `use-${crypto.randomUUID()}-${++counter}`,
    accountId: s.accountId,
    subscriptionKey: s.subscriptionKey,
    meter: 'api-calls',
    quantity: 10,
    timestamp: new Date(at).toISOString(),
    ...overrides,
  }
}

/** What the Stripe emulator counted for a customer on a meter (its event summary), whole range. */
export async function stripeMeterTotal(
  customerId: string,
  meterId = 'mtr_api_calls',
): Promise<number> {
  const state = await emulatorControl<{
    meter_events?: Array<{
      identifier: string
      payload: Record<string, string>
      event_name: string
    }>
  }>(vendors().stripeUrl, 'state')
  const eventName = meterId === 'mtr_api_calls' ? 'concord_api_calls' : 'concord_storage_gb'
  return (state.meter_events ?? [])
    .filter((e) => e.payload['stripe_customer_id'] === customerId && e.event_name === eventName)
    .reduce((sum, e) => sum + Number(e.payload['value']), 0)
}

/** The start of the current UTC month (ms). */
export function monthStart(now = Date.now()): number {
  const d = new Date(now)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}
