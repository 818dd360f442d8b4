import type { Config } from '../../env.ts'
import type { SalesforceSink, SalesforceTokenSource } from '../types.ts'
import { createTokenSource } from './auth.ts'
import { SalesforceClient } from './client.ts'
import { connectorError } from './errors.ts'
import { ApiLimitsTracker } from './limits.ts'
import { readSalesforceSettings, type SalesforceSettings } from './settings.ts'
import { SalesforceConnector } from './sink.ts'

export { clearTokenCache, createTokenSource } from './auth.ts'
export { SalesforceClient, soqlQuote, type SalesforceClientOptions } from './client.ts'
export type {
  EventPublish,
  PublishResult,
  UpsertGroup,
  UpsertGroupOf,
  UpsertResult,
} from './collections.ts'
export { COLLECTION_SIZE } from './collections.ts'
export type { CompositeOp, Subrequest, SubResponse } from './composite.ts'
export { MAX_HEAVY_SUBREQUESTS, MAX_SUBREQUESTS } from './composite.ts'
export { isTransientCode } from './errors.ts'
export { ApiLimitsTracker, parseLimitInfo, type ApiLimits } from './limits.ts'
export { SalesforceConnector } from './sink.ts'

/** Salesforce settings (vars and secrets) the worker reads. */
export interface SalesforceEnv {
  SALESFORCE_LOGIN_URL?: string
  SALESFORCE_AUTH_FLOW?: string
  SALESFORCE_CLIENT_ID?: string
  SALESFORCE_USERNAME?: string
  /** Secret: PKCS#8 PEM private key for the JWT bearer flow. */
  SALESFORCE_PRIVATE_KEY?: string
  /** Secret: client secret for the client credentials flow. */
  SALESFORCE_CLIENT_SECRET?: string
  SALESFORCE_API_VERSION?: string
}

interface Org {
  tokens: SalesforceTokenSource
  client: SalesforceClient
  connector: SalesforceConnector
}

/** One token source, limits tracker, client and sink per org login for the whole isolate. */
const ORGS = new Map<string, Org>()

function orgFor(settings: SalesforceSettings): Org {
  const key = [
    settings.loginUrl,
    settings.flow,
    settings.clientId,
    settings.username ?? '',
    settings.apiVersion,
  ].join('|')
  let org = ORGS.get(key)
  if (!org) {
    const tokens = createTokenSource(settings)
    const client = new SalesforceClient({
      tokens,
      apiVersion: settings.apiVersion,
      limits: new ApiLimitsTracker(),
    })
    org = { tokens, client, connector: new SalesforceConnector(client) }
    ORGS.set(key, org)
  }
  return org
}

/** Every call fails the same transient way until an operator fixes the bindings it names. */
function misconfiguredTokens(problems: string[]): SalesforceTokenSource {
  const error = () =>
    connectorError(
      'transient',
      'misconfigured',
      `Salesforce is misconfigured: ${problems.join('; ')}`,
    )
  return { session: () => Promise.reject(error()), invalidate: () => undefined }
}

/**
 * The org's shared token source (JWT bearer or client credentials), for every Salesforce caller
 * (REST here, the CometD subscriber): one cached token per isolate, minted once however many
 * callers ask at the same moment. Undefined when Salesforce is not configured; when it is
 * configured wrongly, `session()` rejects with a transient `misconfigured` error naming the
 * variables (never their values).
 */
export function salesforceTokenSourceFromEnv(
  env: SalesforceEnv,
): SalesforceTokenSource | undefined {
  const read = readSalesforceSettings(env)
  if (!read) return undefined
  return read.ok ? orgFor(read.settings).tokens : misconfiguredTokens(read.problems)
}

/**
 * The org's REST client (Composite-packed upserts, event publishing, SOQL, `limits()`), shared
 * isolate-wide so its API usage reflects every caller. Undefined when not configured.
 */
export function salesforceClientFromEnv(env: SalesforceEnv): SalesforceClient | undefined {
  const read = readSalesforceSettings(env)
  if (!read) return undefined
  if (read.ok) return orgFor(read.settings).client
  return new SalesforceClient({ tokens: misconfiguredTokens(read.problems), apiVersion: '65.0' })
}

/** The Salesforce connector, or undefined when Salesforce is not configured. */
export function salesforceFromEnv(env: SalesforceEnv, _config: Config): SalesforceSink | undefined {
  const read = readSalesforceSettings(env)
  if (!read) return undefined
  if (read.ok) return orgFor(read.settings).connector
  return new SalesforceConnector(
    new SalesforceClient({ tokens: misconfiguredTokens(read.problems), apiVersion: '65.0' }),
  )
}
