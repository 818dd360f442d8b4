import type { Config, Env } from '../env.ts'
import { netsuiteFromEnv } from './netsuite/index.ts'
import { salesforceFromEnv } from './salesforce/index.ts'
import { stripeBillingReader } from './stripe/billing-reader.ts'
import { stripeFromEnv, stripeReaderFromEnv } from './stripe/index.ts'
import {
  ConnectorError,
  type BillingReader,
  type BillingSystem,
  type Connectors,
  type ErpSystem,
  type SalesforceSink,
} from './types.ts'

/** Builds the connectors a saga runs against. */
export type ConnectorFactory = (env: Env, config: Config) => Connectors

const unavailable = (system: string) => () =>
  Promise.reject(
    new ConnectorError({
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
const missingBilling: BillingSystem = {
  ensureCustomer: unavailable('billing'),
  applyAmendment: unavailable('billing'),
  previewAmendment: unavailable('billing'),
}
const missingReader: BillingReader = {
  accountOfCustomer: unavailable('billing'),
  invoice: unavailable('billing'),
  paymentsOfInvoice: unavailable('billing'),
  payment: unavailable('billing'),
  creditNote: unavailable('billing'),
  listInvoices: unavailable('billing'),
  listPayments: unavailable('billing'),
}
const missingErp: ErpSystem = {
  ensureCustomer: unavailable('erp'),
  recordAmendment: unavailable('erp'),
}
const missingSalesforce: SalesforceSink = {
  readAccount: unavailable('salesforce'),
}

const defaultFactory: ConnectorFactory = (env, config) => {
  const reader = stripeReaderFromEnv(env)
  return {
    billing: stripeFromEnv(env, config) ?? missingBilling,
    billingReader: reader ? stripeBillingReader(reader) : missingReader,
    erp: netsuiteFromEnv(env, config) ?? missingErp,
    salesforce: salesforceFromEnv(env, config) ?? missingSalesforce,
  }
}

let factory: ConnectorFactory = defaultFactory

export function buildConnectors(env: Env, config: Config): Connectors {
  return factory(env, config)
}

/**
 * Replaces how connectors are built. The test suites use it to run the real saga against
 * doubles; pass nothing to restore the default.
 */
export function useConnectorFactory(next?: ConnectorFactory): void {
  factory = next ?? defaultFactory
}
