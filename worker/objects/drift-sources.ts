import { AccountId } from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import { recordingFetch } from '../connectors/http.ts'
import { MirrorRows, salesforceOrg } from '../connectors/salesforce/index.ts'
import { billingSubscription } from '../connectors/stripe/mirror.ts'
import { stripeConnector, StripeReader } from '../connectors/stripe/index.ts'
import type { BillingSubscription } from '../connectors/types.ts'
import { ConnectorError } from '../failure/errors.ts'
import type { DriftSources } from '../reconcile/drift/types.ts'
import { CATCH_UP_EVENT_TYPES } from '../webhooks/catch-up-types.ts'

const notConfigured = (system: string) => () =>
  Promise.reject(
    new ConnectorError({
      kind: 'transient',
      system,
      code: 'not_configured',
      message: `no ${system} connector is configured`,
    }),
  )

/** The answer, or undefined when the vendor says the object is not there. */
async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read
  } catch (err) {
    if (err instanceof ConnectorError && err.kind === 'business') return undefined
    throw err
  }
}

function stripeSources(config: Config, count: () => void): DriftSources['stripe'] {
  const stripe = stripeConnector(config.stripe, recordingFetch(fetch, 'stripe', { record: count }))
  if (!stripe) {
    const fail = notConfigured('stripe')
    return {
      events: fail,
      subscription: fail,
      subscriptionsOf: fail,
      mappedCustomers: fail,
      accountOfCustomer: fail,
      customerOfInvoice: fail,
    }
  }
  const reader = new StripeReader(stripe.client)
  return {
    async events({ gte, lte, after }) {
      const page = await reader.listEvents({
        createdGte: gte,
        createdLte: lte,
        types: CATCH_UP_EVENT_TYPES,
        startingAfter: after,
      })
      return { events: page.data, next: page.nextCursor }
    },
    subscription: (id) => unlessMissing(stripe.reader.subscription(id)).then((s) => s),
    async subscriptionsOf(customerId) {
      const out: BillingSubscription[] = []
      let after: string | undefined
      do {
        const page = await reader.listSubscriptions({ customerId, startingAfter: after })
        out.push(...page.data.map((s) => billingSubscription({ ...s, items: s.items.data })))
        after = page.nextCursor
      } while (after)
      return out
    },
    async mappedCustomers(limit, after) {
      const page = await reader.listCustomersWithAccount(after, limit)
      return { customers: page.customers, next: page.nextCursor }
    },
    async accountOfCustomer(customerId) {
      const id = await unlessMissing(reader.accountIdOf(customerId))
      const parsed = id ? AccountId.safeParse(id) : undefined
      return parsed?.success ? parsed.data : undefined
    },
    customerOfInvoice: async (invoiceId) =>
      (await unlessMissing(reader.getInvoice(invoiceId)))?.customer ?? undefined,
  }
}

/**
 * The drift reconciler's reads over the configured vendors, each HTTP call counted: Stripe's
 * through a recording `fetch`, Salesforce's per query (its client is shared isolate-wide).
 * `writerBudget` answers the OrgWriter's view of Concord's Salesforce API share.
 */
export function driftSources(
  config: Config,
  writerBudget: () => Promise<{ calls24h: number; usage?: { used: number; max: number } }>,
): DriftSources {
  const calls = { stripe: 0, salesforce: 0, netsuite: 0 }
  const stripe = stripeSources(config, () => calls.stripe++)
  const org = salesforceOrg(config.salesforce)
  const rows = org ? new MirrorRows(org.client) : undefined
  const counted =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      calls.salesforce++
      return f(...a)
    }
  const fail = notConfigured('salesforce')
  return {
    stripe,
    salesforce: {
      integrationUserId: rows ? counted(() => rows.integrationUserId()) : fail,
      editedSince: rows ? counted((s, u, n) => rows.editedSince(s, u, n)) : fail,
      ofAccounts: rows ? counted((ids, n) => rows.ofAccounts(ids, n)) : fail,
      async withinBudget() {
        // The OrgWriter slows its flushes past half of Concord's share: reads wait from there.
        const { calls24h, usage } = await writerBudget()
        return !usage || calls24h < usage.max * config.salesforceApiShare * 0.5
      },
    },
    calls: () => ({ ...calls }),
  }
}
