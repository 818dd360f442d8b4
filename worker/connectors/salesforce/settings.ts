import type { SalesforceEnv } from './index.ts'

export type SalesforceAuthFlow = 'jwt_bearer' | 'client_credentials'

/** How to reach and log in to the org, read once from the `SALESFORCE_*` bindings. */
export interface SalesforceSettings {
  /** Token endpoint host: login.salesforce.com, test.salesforce.com or the My Domain URL. */
  loginUrl: string
  flow: SalesforceAuthFlow
  clientId: string
  /** JWT bearer: the integration user. */
  username?: string
  /** JWT bearer: PKCS#8 PEM. */
  privateKeyPem?: string
  /** Client credentials: the consumer secret. */
  clientSecret?: string
  /** `65.0`, without the `v`. */
  apiVersion: string
}

export type SettingsResult =
  { ok: true; settings: SalesforceSettings } | { ok: false; problems: string[] }

export const DEFAULT_LOGIN_URL = 'https://login.salesforce.com'
export const DEFAULT_API_VERSION = '65.0'

const FLOWS: Record<string, SalesforceAuthFlow> = {
  jwt: 'jwt_bearer',
  jwt_bearer: 'jwt_bearer',
  'jwt-bearer': 'jwt_bearer',
  client_credentials: 'client_credentials',
  'client-credentials': 'client_credentials',
}

const blank = (v: string | undefined): v is undefined => v === undefined || v.trim() === ''

/**
 * Reads the Salesforce bindings. Undefined when none of the credentials is set (Salesforce is
 * simply not configured); otherwise the settings, or every problem by variable name (never a
 * value: some are secrets).
 */
export function readSalesforceSettings(env: SalesforceEnv): SettingsResult | undefined {
  const credentials = [
    env.SALESFORCE_CLIENT_ID,
    env.SALESFORCE_USERNAME,
    env.SALESFORCE_PRIVATE_KEY,
    env.SALESFORCE_CLIENT_SECRET,
  ]
  if (credentials.every(blank)) return undefined
  const problems: string[] = []
  const flow = FLOWS[(env.SALESFORCE_AUTH_FLOW ?? 'jwt_bearer').trim().toLowerCase()]
  if (!flow) problems.push('SALESFORCE_AUTH_FLOW must be jwt_bearer or client_credentials')
  if (blank(env.SALESFORCE_CLIENT_ID)) problems.push('SALESFORCE_CLIENT_ID is missing')
  if (flow === 'jwt_bearer') {
    if (blank(env.SALESFORCE_USERNAME)) problems.push('SALESFORCE_USERNAME is missing (jwt_bearer)')
    if (blank(env.SALESFORCE_PRIVATE_KEY))
      problems.push('SALESFORCE_PRIVATE_KEY is missing (jwt_bearer)')
  }
  if (flow === 'client_credentials' && blank(env.SALESFORCE_CLIENT_SECRET)) {
    problems.push('SALESFORCE_CLIENT_SECRET is missing (client_credentials)')
  }
  const loginUrl = (
    blank(env.SALESFORCE_LOGIN_URL) ? DEFAULT_LOGIN_URL : env.SALESFORCE_LOGIN_URL.trim()
  ).replace(/\/+$/, '')
  if (!/^https?:\/\/[^/\s]+$/.test(loginUrl))
    problems.push('SALESFORCE_LOGIN_URL must be an origin like https://acme.my.salesforce.com')
  const apiVersion = (
    blank(env.SALESFORCE_API_VERSION) ? DEFAULT_API_VERSION : env.SALESFORCE_API_VERSION.trim()
  ).replace(/^v/i, '')
  if (!/^\d{2,3}\.\d$/.test(apiVersion)) problems.push('SALESFORCE_API_VERSION must look like 65.0')
  if (problems.length > 0 || !flow || blank(env.SALESFORCE_CLIENT_ID))
    return { ok: false, problems }
  return {
    ok: true,
    settings: {
      loginUrl,
      flow,
      clientId: env.SALESFORCE_CLIENT_ID.trim(),
      username: env.SALESFORCE_USERNAME?.trim(),
      privateKeyPem: env.SALESFORCE_PRIVATE_KEY,
      clientSecret: env.SALESFORCE_CLIENT_SECRET,
      apiVersion,
    },
  }
}
