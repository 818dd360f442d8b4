import { exports } from 'cloudflare:workers'
import { signRequest } from '../../worker/lib/signature.ts'
import { TEST_EVENTS_SECRET } from '../worker/support/test-config.ts'
import { shuffle } from '../worker/support/random.ts'
import { deliver, stripeApi, stripeControl } from '../worker/webhooks/support.ts'
import { until } from '../support/poll.ts'

type Json = Record<string, unknown>

/** Posts a signed batch of account changes, as the Apex relay (`AccountMergeRelay`) does. */
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

/** Salesforce merged `loserId` into `survivorId` (the relay's change for the deleted loser). */
export const merged = (loserId: string, survivorId: string) => ({
  id: `merge:${loserId}`,
  type: 'account.merged',
  loserId,
  survivorId,
})

/** A read of Stripe's API, asked again while faults or an outage refuse it. */
export function stripeRead<T = Json>(
  path: string,
  params: Record<string, string> = {},
): Promise<T> {
  return until(
    `GET ${path} to answer`,
    () => stripeApi<T>('GET', path, params).catch(() => undefined),
    { intervalMs: 250, timeoutMs: 60_000 },
  )
}

/** Stripe's clock (unix seconds), to list only the events made from now on. */
export async function stripeNow(): Promise<number> {
  return (await stripeControl<{ now: number }>('clock', {})).now
}

/** Every Stripe customer whose metadata names one of `accounts`, grouped by that Account. */
export async function stripeCustomersOf(accounts: Set<string>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  let after: string | undefined
  for (;;) {
    const page = await stripeRead<{ data: Json[]; has_more: boolean }>('/v1/customers', {
      limit: '100',
      ...(after ? { starting_after: after } : {}),
    })
    for (const c of page.data) {
      const account = (c.metadata as Record<string, string> | undefined)?.sf_account_id ?? ''
      if (accounts.has(account)) out.set(account, [...(out.get(account) ?? []), String(c.id)])
    }
    if (!page.has_more || page.data.length === 0) return out
    after = String(page.data.at(-1)?.id)
  }
}

/** Stripe's events since `since` (its clock) about any of `customers`, oldest first. */
async function eventsAbout(customers: Set<string>, since: number): Promise<Json[]> {
  const out: Json[] = []
  let after: string | undefined
  for (;;) {
    const page = await stripeRead<{ data: Json[]; has_more: boolean }>('/v1/events', {
      limit: '100',
      'created[gte]': String(since),
      ...(after ? { starting_after: after } : {}),
    })
    for (const e of page.data) {
      const o = (e.data as { object: Json }).object
      const customer = o.object === 'customer' ? o.id : o.customer
      if (customers.has(String(customer))) out.push(e)
    }
    if (!page.has_more || page.data.length === 0) return out.reverse()
    after = String(page.data.at(-1)?.id)
  }
}

/**
 * Delivers the customers' events as Stripe's endpoint delivery may: shuffled, about one in
 * five twice, each sent again until the worker answers 2xx (Stripe retries a failed delivery).
 * Returns how many deliveries were made.
 */
export async function deliverWebhooks(
  customers: Set<string>,
  since: number,
  random: () => number,
): Promise<number> {
  const events = await eventsAbout(customers, since)
  const deliveries = shuffle([...events, ...events.filter(() => random() < 0.2)], random)
  for (let i = 0; i < deliveries.length; i += 8) {
    await Promise.all(
      deliveries.slice(i, i + 8).map((event) =>
        until(
          `webhook ${String(event.id)} to be taken`,
          async () => {
            const res = await deliver(event)
            return res.ok ? true : undefined
          },
          { intervalMs: 200, timeoutMs: 60_000 },
        ),
      ),
    )
  }
  return deliveries.length
}
