import { AccountId, type Payment } from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import { recordingFetch } from '../connectors/http.ts'
import { MirrorRows, salesforceOrg } from '../connectors/salesforce/index.ts'
import { billingSubscription } from '../connectors/stripe/mirror.ts'
import { stripeConnector, StripeReader } from '../connectors/stripe/index.ts'
import { stripeBillingReader } from '../connectors/stripe/billing-reader.ts'
import { invoiceFromStripe, paymentFromCharge } from '../connectors/stripe/mapping.ts'
import { DocumentRows } from '../connectors/salesforce/document-rows.ts'
import { netsuiteConnector } from '../connectors/netsuite/index.ts'
import { concordOrdersPage, invoicesByExternalIds } from '../connectors/netsuite/order-rows.ts'
import type { GateResolver } from '../connectors/netsuite/permits.ts'
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

/** A customer's newest invoices and payments, and one of each by id. */
function stripeDocuments(
  reader: StripeReader,
): Pick<DriftSources['stripe'], 'invoicesOf' | 'paymentsOf' | 'invoice' | 'payment'> {
  const documents = stripeBillingReader(reader)
  return {
    async invoicesOf(customerId, accountId, limit) {
      const page = await reader.listInvoices({ customerId, limit })
      // A draft changes freely until it is finalized; the ledger mirrors it from then on.
      return page.data
        .filter((inv) => inv.status !== 'draft')
        .map((inv) => invoiceFromStripe(inv, accountId))
    },
    async paymentsOf(customerId, accountId, limit) {
      const page = await reader.listCharges({ customerId, limit })
      return page.data
        .map((c) => paymentFromCharge(c, { accountId }))
        .filter((p): p is Payment => !!p)
    },
    invoice: (id, accountId) => unlessMissing(documents.invoice(id, accountId)),
    payment: (id, accountId) => unlessMissing(documents.payment(id, accountId)),
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
      invoicesOf: fail,
      paymentsOf: fail,
      invoice: fail,
      payment: fail,
    }
  }
  const reader = new StripeReader(stripe.client)
  return {
    ...stripeDocuments(reader),
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

/** NetSuite's reads, each call through the account's request permits (the NetSuite gate). */
function netsuiteSources(
  config: Config,
  gates: GateResolver,
  count: () => void,
): DriftSources['netsuite'] {
  const parts = netsuiteConnector(
    config.netsuite,
    gates,
    recordingFetch(fetch, 'netsuite', { record: count }),
  )
  if (!parts) return { orders: notConfigured('netsuite'), invoices: notConfigured('netsuite') }
  if (!('client' in parts)) {
    const fail = () => Promise.reject(parts.failure)
    return { orders: fail, invoices: fail }
  }
  return {
    orders: (customerId, limit, offset) =>
      concordOrdersPage(parts.client, customerId, limit, offset),
    invoices: (customerId, ids) => invoicesByExternalIds(parts.client, customerId, ids),
  }
}

/** Salesforce's reads, counted per query (its client is shared isolate-wide). */
function salesforceSources(
  config: Config,
  count: () => void,
  writerBudget: () => Promise<{ calls24h: number; usage?: { used: number; max: number } }>,
): DriftSources['salesforce'] {
  const org = salesforceOrg(config.salesforce)
  const rows = org ? new MirrorRows(org.client) : undefined
  const docs = org ? new DocumentRows(org.client) : undefined
  const counted =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      count()
      return f(...a)
    }
  const fail = notConfigured('salesforce')
  return {
    integrationUserId: rows ? counted(() => rows.integrationUserId()) : fail,
    editedSince: rows ? counted((s, u, n) => rows.editedSince(s, u, n)) : fail,
    ofAccounts: rows ? counted((ids, n) => rows.ofAccounts(ids, n)) : fail,
    documents: docs ? counted((o, ids, n) => docs.ofAccounts(o, ids, n)) : fail,
    documentsEditedSince: docs ? counted((o, s, u, n) => docs.editedSince(o, s, u, n)) : fail,
    async withinBudget() {
      // The OrgWriter slows its flushes past half of Concord's share: reads wait from there.
      const { calls24h, usage } = await writerBudget()
      return !usage || calls24h < usage.max * config.salesforceApiShare * 0.5
    },
  }
}

/**
 * The drift reconciler's reads over the configured vendors, each HTTP call counted: Stripe's and
 * NetSuite's through a recording `fetch`, Salesforce's per query. `writerBudget` answers the
 * OrgWriter's view of Concord's Salesforce API share; `gates` the NetSuite request permits.
 */
export function driftSources(
  config: Config,
  writerBudget: () => Promise<{ calls24h: number; usage?: { used: number; max: number } }>,
  gates: GateResolver,
): DriftSources {
  const calls = { stripe: 0, salesforce: 0, netsuite: 0 }
  return {
    stripe: stripeSources(config, () => calls.stripe++),
    salesforce: salesforceSources(config, () => calls.salesforce++, writerBudget),
    netsuite: netsuiteSources(config, gates, () => calls.netsuite++),
    calls: () => ({ ...calls }),
  }
}
