import { loadConfig } from '../config/load.ts'
import type { Config, Section } from '../config/types.ts'
import {
  netsuiteConnector,
  netsuiteErp,
  netsuiteReader,
  netsuiteUsage,
} from '../connectors/netsuite/index.ts'
import { netsuiteMoney } from '../connectors/netsuite/money.ts'
import type { NetsuiteReader } from '../connectors/netsuite/index.ts'
import { gateName } from '../connectors/netsuite/index.ts'
import { salesforceOrg } from '../connectors/salesforce/index.ts'
import { stripeConnector } from '../connectors/stripe/index.ts'
import { ConnectorError } from '../failure/errors.ts'
import { recordingFetch, type CallRecorder } from '../connectors/http.ts'
import type { UsageBilling, UsageErp } from '../connectors/usage.ts'
import type { CatalogSources } from '../connectors/catalog.ts'
import { netsuiteCatalog } from '../connectors/netsuite/items.ts'
import { salesforceCatalog } from '../connectors/salesforce/products.ts'
import { stripeCatalog } from '../connectors/stripe/prices.ts'
import {
  type BillingReader,
  type BillingSystem,
  type Connectors,
  type ErpSystem,
  type SalesforceSink,
  type SalesforceTokenSource,
} from '../connectors/types.ts'
import type { IntakePorts } from '../intake/ingest.ts'
import type { UsagePorts } from '../intake/usage.ts'
import { salesforceWriterClient } from '../writer/salesforce-writer.ts'
import type { WriterClient } from '../writer/types.ts'

/**
 * How the Durable Objects get their configuration and vendors: the composition root's one
 * seam. Production uses `PRODUCTION`; the worker tests pass their own to the objects'
 * constructors (subclasses in the test entry), so production code holds no mutable hook.
 */
export interface Wiring {
  config(env: Env): Config
  /** `calls`, when given, records every Stripe and NetSuite call (the trace view's vendor calls). */
  connectors(env: Env, config: Config, calls?: CallRecorder): Connectors
  /** The Salesforce client the OrgWriter flushes through, or undefined when not configured. */
  writerClient(env: Env, config: Config): WriterClient | undefined
  /** The org's token source for the CometD subscriber, or undefined when not configured. */
  salesforceTokens(env: Env, config: Config): SalesforceTokenSource | undefined
  netsuiteReader(env: Env, config: Config): NetsuiteReader | undefined
  /** How activations reach the provisioning webhook (production: the runtime's `fetch`). */
  provisioningFetch?(env: Env): typeof fetch
}

const unavailable = (system: string, section: Section<unknown>) => () =>
  Promise.reject(
    section.status === 'invalid'
      ? new ConnectorError({
          kind: 'transient',
          system,
          code: 'misconfigured',
          message: `${system} is misconfigured: ${section.problems.join('; ')}`,
        })
      : new ConnectorError({
          kind: 'transient',
          system,
          code: 'not_configured',
          message: `no ${system} connector is configured`,
        }),
  )

/**
 * A vendor without credentials makes the saga wait (transient) rather than park amendments:
 * configuring it resumes them with no hand work.
 */
function missingBilling(section: Section<unknown>): {
  billing: BillingSystem
  reader: BillingReader
} {
  const fail = unavailable('billing', section)
  return {
    billing: {
      ensureCustomer: fail,
      applyAmendment: fail,
      previewAmendment: fail,
      planAmendment: fail,
    },
    reader: {
      accountOfCustomer: fail,
      listMappedCustomers: fail,
      invoice: fail,
      paymentsOfInvoice: fail,
      payment: fail,
      creditNote: fail,
      subscription: fail,
      listInvoices: fail,
      listPayments: fail,
    },
  }
}

function missingErp(section: Section<unknown>): ErpSystem {
  const fail = unavailable('erp', section)
  return { ensureCustomer: fail, recordAmendment: fail, planAmendment: fail }
}

function missingUsageBilling(section: Section<unknown>): UsageBilling {
  return { reportMeterEvent: unavailable('billing', section) }
}

function missingUsageErp(section: Section<unknown>): UsageErp {
  return { recordUsageSummary: unavailable('erp', section) }
}

function missingSalesforce(section: Section<unknown>): SalesforceSink {
  const fail = unavailable('salesforce', section)
  return { readAccount: fail }
}

const gates = (env: Env) => (name: string) => env.NETSUITE_GATE.getByName(name)

function netsuiteParts(env: Env, config: Config, calls?: CallRecorder) {
  const send = calls ? recordingFetch(fetch, 'netsuite', calls) : undefined
  return netsuiteConnector(config.netsuite, gates(env), send)
}

export const PRODUCTION: Wiring = {
  config: (env) => loadConfig(env),
  connectors(env, config, calls) {
    // Salesforce's client is shared isolate-wide (one token, one API budget), so its calls are
    // not recorded per correlation id; Stripe's and NetSuite's clients are built per use.
    const send = calls ? recordingFetch(fetch, 'stripe', calls) : undefined
    const live = stripeConnector(config.stripe, send)
    const stripe = live ?? {
      ...missingBilling(config.stripe),
      usage: missingUsageBilling(config.stripe),
    }
    const netsuite = netsuiteParts(env, config, calls)
    const org = salesforceOrg(config.salesforce)
    return {
      billing: stripe.billing,
      billingReader: stripe.reader,
      erp: netsuite ? netsuiteErp(netsuite) : missingErp(config.netsuite),
      salesforce: org ? org.sink : missingSalesforce(config.salesforce),
      money:
        live && netsuite && 'client' in netsuite
          ? { billing: live.money, erp: netsuiteMoney(netsuite.client) }
          : undefined,
      usage: {
        billing: stripe.usage,
        erp: netsuite ? netsuiteUsage(netsuite) : missingUsageErp(config.netsuite),
      },
    }
  },
  writerClient(_env, config) {
    const org = salesforceOrg(config.salesforce)
    return org ? salesforceWriterClient(org.client) : undefined
  },
  salesforceTokens: (_env, config) => salesforceOrg(config.salesforce)?.tokens,
  netsuiteReader(env, config) {
    const netsuite = netsuiteParts(env, config)
    return netsuite ? netsuiteReader(netsuite) : undefined
  },
}

export { gateName }

/** The intake's ports over the bindings: each account's ledger and the global registry. */
export function intakePorts(env: Env): IntakePorts {
  return {
    ledger: (accountId) => env.ACCOUNT_LEDGER.getByName(accountId),
    quarantine: (entries) => env.OPS_REGISTRY.getByName('global').quarantine(entries),
    index: (entries) => env.OPS_REGISTRY.getByName('global').indexAmendments(entries),
  }
}

/** The usage intake's ports: each account's ledger and the global quarantine. */
export function usagePorts(env: Env): UsagePorts {
  return {
    ledger: (accountId) => env.ACCOUNT_LEDGER.getByName(accountId),
    quarantine: (entries) => env.OPS_REGISTRY.getByName('global').quarantine(entries),
  }
}

/**
 * The catalog check's read side of each system; one that is not configured (or misconfigured)
 * fails every read with `not_configured` (`misconfigured`), which the check reports.
 */
export function catalogSources(env: Env, config: Config): CatalogSources {
  const stripe = stripeConnector(config.stripe)
  const netsuite = netsuiteParts(env, config)
  const org = config.salesforce.status === 'ok' ? salesforceOrg(config.salesforce) : undefined
  return {
    billing: stripe
      ? stripeCatalog(stripe.client)
      : { price: unavailable('billing', config.stripe) },
    erp:
      netsuite && 'client' in netsuite
        ? netsuiteCatalog(netsuite.client)
        : { items: unavailable('erp', config.netsuite) },
    salesforce: org
      ? salesforceCatalog(org.client)
      : { products: unavailable('salesforce', config.salesforce) },
  }
}
