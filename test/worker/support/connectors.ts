import { env } from 'cloudflare:workers'
import { loadConfig } from '../../../worker/config/load.ts'
import type { NetsuiteSettings, SalesforceSettings, Section } from '../../../worker/config/types.ts'
import {
  netsuiteConnector,
  netsuiteReader,
  type NetsuiteReader,
} from '../../../worker/connectors/netsuite/index.ts'
import type { GateResolver } from '../../../worker/connectors/netsuite/permits.ts'
import { salesforceOrg } from '../../../worker/connectors/salesforce/index.ts'
import {
  stripeConnector,
  StripeReader,
  type StripeClient,
  type StripeClientOptions,
} from '../../../worker/connectors/stripe/index.ts'
import type { SalesforceSink, SalesforceTokenSource } from '../../../worker/connectors/types.ts'

/**
 * Connectors built the way the worker builds them (config section → factory), from the test
 * env's variables or from a given set, for the connector tests.
 */
type Vars = object

export const gates: GateResolver = (name) => env.NETSUITE_GATE.getByName(name)

export function stripeClientOf(
  vars: Vars = env,
  options: Partial<StripeClientOptions> = {},
): StripeClient | undefined {
  return stripeConnector(loadConfig(vars).stripe, undefined, options)?.client
}

export function stripeReaderOf(vars: Vars = env): StripeReader | undefined {
  const client = stripeClientOf(vars)
  return client && new StripeReader(client)
}

export function netsuiteSection(vars: Vars = env): Section<NetsuiteSettings> {
  return loadConfig(vars).netsuite
}

export function netsuiteReaderOf(vars: Vars = env): NetsuiteReader | undefined {
  const parts = netsuiteConnector(loadConfig(vars).netsuite, gates)
  return parts && netsuiteReader(parts)
}

export function salesforceSection(vars: Vars = env): Section<SalesforceSettings> {
  return loadConfig(vars).salesforce
}

export function salesforceTokensOf(vars: Vars = env): SalesforceTokenSource | undefined {
  return salesforceOrg(loadConfig(vars).salesforce)?.tokens
}

export function salesforceSinkOf(vars: Vars = env): SalesforceSink | undefined {
  return salesforceOrg(loadConfig(vars).salesforce)?.sink
}
