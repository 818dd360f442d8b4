import type { AccountProfile, CustomerMatch, StepContext } from '../types.ts'
import type { StripeClient } from './client.ts'
import { businessError } from './errors.ts'
import type { StripeCustomer, StripeSearchResult } from './stripe-types.ts'
import { stripeAddress } from './tax.ts'

/** Quotes a value for Stripe's search query language (`'` and `\` escaped). */
export function searchLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

type Found = { customerId: string; match: CustomerMatch }

const ACCOUNT_KEY = 'sf_account_id'

/** How many candidate ids an `ambiguous_customer` message names. */
const NAMED_CANDIDATES = 5

/** The refusal of a guess: several customers could be this Account; an operator chooses. */
export function ambiguousCustomer(system: 'stripe', by: string, ids: string[]) {
  const named = ids.slice(0, NAMED_CANDIDATES).join(', ')
  const more = ids.length > NAMED_CANDIDATES ? ` and ${ids.length - NAMED_CANDIDATES} more` : ''
  return businessError(
    'ambiguous_customer',
    `${ids.length} ${system === 'stripe' ? 'Stripe' : system} customers match the Account's ${by} (${named}${more}); choose one in the work queue.`,
  )
}

async function search(client: StripeClient, query: string): Promise<StripeCustomer[]> {
  const found = await client.get<StripeSearchResult<StripeCustomer>>('/v1/customers/search', {
    query,
    limit: 100,
  })
  return found.data
}

/**
 * Finds the customer carrying `metadata['sf_account_id']` (the Account's own, else a merged
 * Account's: `byAccount`), else the one customer with the
 * Account's email that no other Account claims (linked: it gets the account id in metadata),
 * else creates it. `chosen` is an operator's pick among ambiguous candidates, linked the same way.
 *
 * Search is eventually consistent (a new customer can take a minute to show up), so the search
 * alone can't prevent a duplicate when a create is retried. The create therefore carries the
 * step's deterministic key (`${accountId}:customer:billing`): a retried create replays the first
 * answer. If duplicates of one account exist anyway, the oldest is the one every caller agrees on:
 * they are all Concord's own for this Account, so picking one is not a guess, unlike two
 * customers that merely share an email. The same lag bounds the merged Accounts' lookup: a
 * loser's customer made less than about a minute before the survivor looks is not found yet.
 * https://docs.stripe.com/search#data-freshness, https://docs.stripe.com/search#query-fields-for-customers
 * @throws ConnectorError business `ambiguous_customer` when several unclaimed customers share the
 * email, or several merged Accounts have a customer.
 */
export async function ensureCustomer(
  client: StripeClient,
  account: AccountProfile,
  ctx: StepContext,
  chosen?: string,
): Promise<Found> {
  if (chosen) return { customerId: await linkChosen(client, account, chosen, ctx), match: 'chosen' }
  const ours = await byAccount(client, account)
  if (ours) return ours
  if (account.email) {
    const email = account.email
    const unclaimed = (await search(client, `email:${searchLiteral(email)}`)).filter(
      (c) => !c.metadata[ACCOUNT_KEY] && c.email?.toLowerCase() === email.toLowerCase(),
    )
    if (unclaimed.length > 1)
      throw ambiguousCustomer(
        'stripe',
        'email',
        unclaimed.map((c) => c.id),
      )
    const only = unclaimed[0]
    if (only) {
      await claim(client, only.id, account, ctx)
      return { customerId: only.id, match: 'email' }
    }
  }
  return { customerId: await create(client, account, ctx), match: 'created' }
}

/** Stripe's search takes at most 10 clauses, joined all by AND or all by OR. */
const MAX_CLAUSES = 10

/** The customers carrying one of `accountIds` in metadata: one search per 10 accounts. */
async function searchAccounts(client: StripeClient, accountIds: string[]) {
  const found: StripeCustomer[] = []
  for (let i = 0; i < accountIds.length; i += MAX_CLAUSES) {
    const ids = accountIds.slice(i, i + MAX_CLAUSES)
    const query = ids.map((id) => `metadata['${ACCOUNT_KEY}']:${searchLiteral(id)}`).join(' OR ')
    found.push(...(await search(client, query)))
  }
  return found
}

/**
 * The Account's own customer, else the one customer Concord made for an Account merged into it
 * (its create took effect but lost its answer before the merge, so the hand-over carried none):
 * taken as the merge would have handed it over, keeping its metadata. Per account, the oldest
 * (duplicates of one Account are all Concord's own). Customers of two merged Accounts are a
 * choice for an operator. https://docs.stripe.com/search#search-query-language
 * @throws ConnectorError business `ambiguous_customer` when several merged Accounts have one.
 */
async function byAccount(
  client: StripeClient,
  account: AccountProfile,
): Promise<Found | undefined> {
  const merged = (account.mergedAccountIds ?? []).filter((id) => id !== account.accountId)
  const found = await searchAccounts(client, [account.accountId, ...merged])
  const oldestOf = (accountId: string) =>
    found
      .filter((c) => c.metadata[ACCOUNT_KEY] === accountId)
      .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id))[0]
  const own = oldestOf(account.accountId)
  if (own) return { customerId: own.id, match: 'account' }
  const theirs = merged.flatMap((id) => oldestOf(id) ?? [])
  if (theirs.length > 1)
    throw ambiguousCustomer(
      'stripe',
      'merged Accounts',
      theirs.map((c) => c.id),
    )
  const only = theirs[0]
  return only ? { customerId: only.id, match: 'merged' } : undefined
}

/** Puts the account id into the customer's metadata, so webhooks and later searches find it. */
async function claim(
  client: StripeClient,
  customerId: string,
  account: AccountProfile,
  ctx: StepContext,
): Promise<void> {
  await client.post(
    `/v1/customers/${encodeURIComponent(customerId)}`,
    { metadata: { [ACCOUNT_KEY]: account.accountId, correlation_id: ctx.correlationId } },
    `${ctx.idempotencyKey}:link:${customerId}`,
  )
}

/**
 * The operator's pick: it must exist and belong to no other Account.
 * @throws ConnectorError business `customer_not_found` / `customer_claimed`.
 */
async function linkChosen(
  client: StripeClient,
  account: AccountProfile,
  customerId: string,
  ctx: StepContext,
): Promise<string> {
  const c = await client.get<StripeCustomer & { deleted?: boolean }>(
    `/v1/customers/${encodeURIComponent(customerId)}`,
  )
  if (c.deleted)
    throw businessError('customer_not_found', `Stripe customer ${customerId} is deleted.`)
  const owner = c.metadata[ACCOUNT_KEY]
  if (owner && owner !== account.accountId)
    throw businessError(
      'customer_claimed',
      `Stripe customer ${customerId} belongs to Salesforce Account ${owner}.`,
    )
  if (!owner) await claim(client, customerId, account, ctx)
  return customerId
}

async function create(client: StripeClient, account: AccountProfile, ctx: StepContext) {
  const address = stripeAddress(account.billingAddress)
  const created = await client.post<StripeCustomer>(
    '/v1/customers',
    {
      name: account.name,
      email: account.email,
      address,
      metadata: { [ACCOUNT_KEY]: account.accountId, correlation_id: ctx.correlationId },
    },
    ctx.idempotencyKey,
  )
  return created.id
}
