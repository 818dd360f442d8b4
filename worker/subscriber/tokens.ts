import type { SalesforceTokenSource } from '../connectors/types.ts'
import { ConfigError } from '../errors.ts'

/**
 * The org's shared token source (the REST connector's: one cached token per isolate, minted
 * once for concurrent callers), so CometD and REST never mint against each other.
 * @throws ConfigError when Salesforce is not configured at all.
 */
export function requireTokens(tokens: SalesforceTokenSource | undefined): SalesforceTokenSource {
  if (!tokens)
    throw new ConfigError(
      'Salesforce is not configured: set SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_ID and the flow credentials.',
    )
  return tokens
}
