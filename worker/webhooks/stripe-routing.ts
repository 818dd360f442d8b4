import { AccountId } from '../../shared/index.ts'
import { ConnectorError } from '../failure/errors.ts'
import {
  classifyStripeEvent,
  type BillingEventRef,
  type StripeEventEnvelope,
} from './stripe-events.ts'

/** What routing a Stripe event needs from outside: the directory, billing's reads, the ledgers. */
export interface StripeRoutingPorts {
  /** The customer directory (OpsRegistry): the account Concord linked a customer to, if any. */
  lookupCustomer(customerId: string): Promise<string | undefined>
  rememberCustomer(customerId: string, accountId: string): Promise<void>
  /** Billing's reads, or undefined when billing is not configured. */
  reader?: {
    /** The customer's `metadata.sf_account_id`. */
    accountIdOf(customerId: string): Promise<string | undefined>
    customerOfInvoice(invoiceId: string): Promise<string | undefined>
  }
  /** Records the event in the account's ledger (durable when this resolves). */
  record(accountId: string, ref: BillingEventRef): Promise<'queued' | 'duplicate'>
  /** Keeps an event no ledger takes where operators look. */
  keepAside(note: {
    outcome: 'ignored' | 'unrouted'
    customerId?: string
    reason: string
  }): Promise<void>
}

export type RoutedOutcome = 'queued' | 'duplicate' | 'ignored' | 'unrouted'

const CACHE_MAX = 20_000

/** How long a request waits on another request's lookup of the same key before making its own. */
const SHARED_LOOKUP_WAIT_MS = 10_000

/**
 * Customer → account and invoice → customer links this isolate has seen. A link never changes
 * once made, so a cached one spares every later event of the customer the registry (and billing)
 * call: the hot path is one hop, to the account's ledger. Concurrent first events of one customer
 * wait for one lookup, but never on it alone: workerd cancels a promise with the request that made
 * it (a delivery Stripe gave up on), so a waiter makes its own lookup after a bounded wait.
 * Bounded in size, so a long-lived isolate can't grow it.
 */
class LinkCache {
  private readonly done = new Map<string, string>()
  private readonly running = new Map<string, Promise<string | undefined>>()

  set(key: string, value: string): void {
    if (this.done.size >= CACHE_MAX) this.done.clear()
    this.done.set(key, value)
  }

  /** The cached value, else one lookup's (shared while it runs); only a found value is kept. */
  async cached(key: string, load: () => Promise<string | undefined>): Promise<string | undefined> {
    const hit = this.done.get(key)
    if (hit) return hit
    const other = this.running.get(key)
    if (other) {
      const waited = await Promise.race([
        other.then(
          (v) => v ?? null,
          () => null,
        ),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), SHARED_LOOKUP_WAIT_MS)),
      ])
      if (waited) return waited
    }
    const mine = load()
    this.running.set(key, mine)
    try {
      const value = await mine
      if (value) this.set(key, value)
      return value
    } finally {
      if (this.running.get(key) === mine) this.running.delete(key)
    }
  }
}

const accounts = new LinkCache()
const invoiceCustomers = new LinkCache()

/**
 * The answer of a read, or undefined when billing says the object is not there (deleted, another
 * account's, never existed): such an event is unroutable, not an outage.
 * @throws what the read threw otherwise (an outage: Stripe delivers again later).
 */
async function unlessUnknown<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'business') return undefined
    throw err
  }
}

async function lookUpAccount(
  customer: string,
  ports: StripeRoutingPorts,
): Promise<string | undefined> {
  const known = await ports.lookupCustomer(customer)
  if (known) return known
  const fromStripe = ports.reader
    ? await unlessUnknown(ports.reader.accountIdOf(customer))
    : undefined
  const account = fromStripe ? AccountId.safeParse(fromStripe) : undefined
  if (!account?.success) return undefined
  await ports.rememberCustomer(customer, account.data)
  return account.data
}

/**
 * Finds the Salesforce account of an event: its customer (or its invoice's customer, which an
 * invoice payment does not name) through this isolate's links, then the directory, then the
 * customer's metadata in billing.
 * @throws what a read threw (billing or the registry could not be asked now).
 */
export async function accountOfEvent(
  c: { customerId?: string; invoiceId?: string; ref: BillingEventRef },
  ports: StripeRoutingPorts,
): Promise<string | undefined> {
  const invoiceId = c.invoiceId
  const reader = ports.reader
  const customer =
    c.customerId ??
    (invoiceId && reader
      ? await invoiceCustomers.cached(invoiceId, () =>
          unlessUnknown(reader.customerOfInvoice(invoiceId)),
        )
      : undefined)
  if (!customer) return undefined
  // Invoice events name their customer: remembered, a later payment of the invoice needs no read.
  if (c.customerId)
    for (const r of c.ref.refresh) if (r.kind === 'invoice') invoiceCustomers.set(r.id, customer)
  return accounts.cached(customer, () => lookUpAccount(customer, ports))
}

/**
 * Routes one parsed Stripe event (a webhook whose signature held, or an event read back from
 * `GET /v1/events`) to its account's ledger, which dedupes it by id and re-reads what it names.
 * Unhandled types and unknown customers are kept aside, not lost.
 * @throws what routing threw when billing or the registry could not be asked (retry later).
 */
export async function routeStripeEvent(
  event: StripeEventEnvelope,
  ports: StripeRoutingPorts,
): Promise<{ outcome: RoutedOutcome; customerId?: string }> {
  const classified = classifyStripeEvent(event)
  const customerId = classified.customerId
  if (!classified.handled) {
    await ports.keepAside({ outcome: 'ignored', customerId, reason: 'type not handled' })
    return { outcome: 'ignored', customerId }
  }
  const accountId = await accountOfEvent(classified, ports)
  if (!accountId) {
    const reason = 'customer is not linked to a Salesforce account'
    await ports.keepAside({ outcome: 'unrouted', customerId, reason })
    return { outcome: 'unrouted', customerId }
  }
  return { outcome: await ports.record(accountId, classified.ref), customerId }
}
