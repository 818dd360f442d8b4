import type { Config } from '../../env.ts'
import type { ErpSystem } from '../types.ts'

/** NetSuite settings (vars and secrets) the worker reads. */
export interface NetsuiteEnv {
  NETSUITE_ACCOUNT_ID?: string
  /** Default https://<account>.suitetalk.api.netsuite.com; the local stack points it at the emulator. */
  NETSUITE_BASE_URL?: string
  NETSUITE_AUTH_FLOW?: string
  NETSUITE_CLIENT_ID?: string
  NETSUITE_CERTIFICATE_ID?: string
  /** Secret: PKCS#8 PEM key of the M2M certificate. */
  NETSUITE_PRIVATE_KEY?: string
  NETSUITE_JWT_ALG?: string
  /** Secrets for token-based authentication, the alternative to M2M. */
  NETSUITE_CONSUMER_KEY?: string
  NETSUITE_CONSUMER_SECRET?: string
  NETSUITE_TOKEN_ID?: string
  NETSUITE_TOKEN_SECRET?: string
  /** The account's concurrency share for Concord (the semaphore size). */
  NETSUITE_CONCURRENCY?: string
  /** JSON: Concord_Legal_Entity__c → subsidiary id; `*` is the default. */
  NETSUITE_SUBSIDIARY_RULES?: string
}

/** The NetSuite connector, or undefined when NetSuite is not configured. */
export function netsuiteFromEnv(_env: NetsuiteEnv, _config: Config): ErpSystem | undefined {
  return undefined
}
