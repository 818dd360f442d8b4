import type { AccountProfile, StepContext } from '../types.ts'
import type { StripeClient } from './client.ts'
import type { StripeCustomer, StripeSearchResult } from './stripe-types.ts'
import { stripeAddress } from './tax.ts'

/** Quotes a value for Stripe's search query language (`'` and `\` escaped). */
export function searchLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * Finds the customer carrying `metadata['sf_account_id']`, else creates it.
 *
 * Search is eventually consistent (a new customer can take a minute to show up), so the search
 * alone can't prevent a duplicate when a create is retried. The create therefore carries the
 * step's deterministic key (`${accountId}:customer:billing`): a retried create replays the first
 * answer. If duplicates exist anyway, the oldest is the one every caller agrees on.
 * https://docs.stripe.com/search#data-freshness
 * @throws ConnectorError
 */
export async function ensureCustomer(
  client: StripeClient,
  account: AccountProfile,
  ctx: StepContext,
): Promise<{ customerId: string }> {
  const found = await client.get<StripeSearchResult<StripeCustomer>>('/v1/customers/search', {
    query: `metadata['sf_account_id']:${searchLiteral(account.accountId)}`,
    limit: 100,
  })
  const oldest = found.data
    .filter((c) => c.metadata['sf_account_id'] === account.accountId)
    .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id))[0]
  if (oldest) return { customerId: oldest.id }

  const address = stripeAddress(account.billingAddress)
  const created = await client.post<StripeCustomer>(
    '/v1/customers',
    {
      name: account.name,
      address,
      metadata: { sf_account_id: account.accountId, correlation_id: ctx.correlationId },
    },
    ctx.idempotencyKey,
  )
  return { customerId: created.id }
}
