import { env, exports } from 'cloudflare:workers'
import { signRequest } from '../../../worker/lib/signature.ts'
import { TEST_EVENTS_SECRET } from '../support/test-config.ts'
import { netsuiteParts } from '../connectors/netsuite-support.ts'
import { operatorFetch } from '../support/helpers.ts'

const STRIPE = env.STRIPE_API_BASE as string

/** A Stripe customer made outside Concord (by hand, another integration), as the API makes it. */
export async function stripeCustomer(fields: Record<string, string>): Promise<string> {
  const res = await fetch(`${STRIPE}/v1/customers`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${env.STRIPE_SECRET_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  })
  if (res.status !== 200) throw new Error(`stripe customer: ${res.status} ${await res.text()}`)
  return (await res.json<{ id: string }>()).id
}

export async function stripeGet<T>(path: string): Promise<T> {
  const res = await fetch(`${STRIPE}${path}`, {
    headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
  })
  if (res.status !== 200) throw new Error(`stripe ${path}: ${res.status}`)
  return await res.json()
}

/** A NetSuite customer made outside Concord (no external id), through the REST record API. */
export async function netsuiteCustomer(companyName: string): Promise<string> {
  const { client } = netsuiteParts('account-changes')
  const res = await client.send({
    method: 'POST',
    path: '/services/rest/record/v1/customer',
    body: { companyName, isPerson: false, subsidiary: { id: '1' } },
    what: 'a test customer',
  })
  const id = /\/customer\/(\d+)/.exec(res.headers.get('location') ?? '')?.[1]
  if (!id) throw new Error('no customer id in Location')
  return id
}

export async function netsuiteRecord(ref: string): Promise<Record<string, unknown>> {
  const { client } = netsuiteParts('account-changes')
  const res = await client.send({
    method: 'GET',
    path: `/services/rest/record/v1/customer/${ref}`,
    what: 'a test read',
  })
  return res.json as Record<string, unknown>
}

/** The exception work queue's items for one account. */
export async function workItems(accountId: string) {
  const res = await operatorFetch(`/v1/exceptions?accountId=${accountId}`)
  if (res.status !== 200) throw new Error(`exceptions: ${res.status}`)
  return (
    await res.json<{
      items: Array<{
        kind: string
        category: string
        code: string
        message: string
        amendmentId?: string
      }>
    }>()
  ).items
}

/** The operator's answer to `ambiguous_customer`. */
export function linkCustomer(accountId: string, system: 'stripe' | 'netsuite', customerId: string) {
  return operatorFetch(`/v1/accounts/${accountId}/customer-link`, {
    method: 'POST',
    body: JSON.stringify({ system, customerId, reason: 'the customer finance already bills' }),
  })
}

/** Posts a signed batch of account changes, as the Apex relay does. */
export async function postAccountChanges(changes: unknown[]): Promise<Response> {
  const body = JSON.stringify({ changes })
  const headers = await signRequest(TEST_EVENTS_SECRET, {
    method: 'POST',
    target: '/v1/salesforce/account-changes',
    body,
  })
  return exports.default.fetch('https://concord.test/v1/salesforce/account-changes', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
}

/** Salesforce merged `loserId` into `survivorId`. */
export const merged = (loserId: string, survivorId: string) => ({
  id: `merge:${loserId}`,
  type: 'account.merged',
  loserId,
  survivorId,
})
