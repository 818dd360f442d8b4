import type { SalesforceSettings, Section } from '../../config/types.ts'
import type { Fetch } from '../http.ts'
import type { SalesforceSink, SalesforceTokenSource } from '../types.ts'
import { createTokenSource } from './auth.ts'
import { SalesforceClient } from './client.ts'
import { connectorError } from './errors.ts'
import { ApiLimitsTracker } from './limits.ts'
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
export { MirrorRows, type MirrorRow, type RowsPage } from './mirror-rows.ts'

interface Org {
  tokens: SalesforceTokenSource
  client: SalesforceClient
  connector: SalesforceConnector
}

/** One token source, limits tracker, client and sink per org login for the whole isolate. */
const ORGS = new Map<string, Org>()

function orgFor(settings: SalesforceSettings, fetch?: Fetch): Org {
  const key = [
    settings.loginUrl,
    settings.flow,
    settings.clientId,
    settings.username ?? '',
    settings.apiVersion,
  ].join('|')
  let org = ORGS.get(key)
  if (!org) {
    const tokens = createTokenSource(settings, { fetch })
    const client = new SalesforceClient({
      tokens,
      apiVersion: settings.apiVersion,
      limits: new ApiLimitsTracker(),
      fetch,
    })
    org = { tokens, client, connector: new SalesforceConnector(client) }
    ORGS.set(key, org)
  }
  return org
}

/** Every call fails the same transient way until an operator fixes the bindings it names. */
function misconfiguredTokens(problems: string[]): SalesforceTokenSource {
  const error = () =>
    connectorError('auth', 'misconfigured', `Salesforce is misconfigured: ${problems.join('; ')}`)
  return { session: () => Promise.reject(error()), invalidate: () => undefined }
}

/**
 * The org's parts from its config section: the shared token source (JWT bearer or client
 * credentials; one cached token per isolate, minted once however many callers ask, for REST and
 * CometD alike), the REST client (shared isolate-wide so its API usage reflects every caller)
 * and the Account reader. Undefined when Salesforce is not configured; when it is configured
 * wrongly, every call fails transient `misconfigured` naming the variables (never their values).
 */
export function salesforceOrg(
  section: Section<SalesforceSettings>,
  fetch?: Fetch,
): { tokens: SalesforceTokenSource; client: SalesforceClient; sink: SalesforceSink } | undefined {
  if (section.status === 'absent') return undefined
  if (section.status === 'ok') {
    const org = orgFor(section.settings, fetch)
    return { tokens: org.tokens, client: org.client, sink: org.connector }
  }
  const tokens = misconfiguredTokens(section.problems)
  const client = new SalesforceClient({ tokens, apiVersion: '65.0', fetch })
  return { tokens, client, sink: new SalesforceConnector(client) }
}
