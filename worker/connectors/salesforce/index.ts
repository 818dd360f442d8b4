import type { Config } from '../../env.ts'
import type { SalesforceSink } from '../types.ts'

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

/** The Salesforce connector, or undefined when Salesforce is not configured. */
export function salesforceFromEnv(_env: SalesforceEnv, _config: Config): SalesforceSink | undefined {
  return undefined
}
