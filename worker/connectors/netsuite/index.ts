import type { Config } from '../../env.ts'
import { ConnectorError } from '../../failure/errors.ts'
import type { ErpSystem } from '../types.ts'
import { readArSince, type ArDelta, type ReadArOptions } from './ar.ts'
import type { NetsuiteAuth } from './auth.ts'
import { M2mAuth } from './auth-m2m.ts'
import { TbaAuth } from './auth-tba.ts'
import { NetsuiteClient } from './client.ts'
import { ensureCustomer } from './customers.ts'
import type { NetsuiteGate } from './gate.ts'
import { recordAmendment } from './orders.ts'
import { gatePermits } from './permits.ts'
import { readSettings, type NetsuiteSettings } from './settings.ts'

export type { ArDelta, ErpCustomerAr, ErpOpenInvoice, ErpPayment, ReadArOptions } from './ar.ts'
export type { NetsuiteSettings } from './settings.ts'
export { clearTokenCache } from './auth-m2m.ts'

/** NetSuite settings (vars and secrets) the worker reads. */
export interface NetsuiteEnv {
  NETSUITE_ACCOUNT_ID?: string
  /** Default https://<account>.suitetalk.api.netsuite.com; the local stack points it at the emulator. */
  NETSUITE_BASE_URL?: string
  /** `m2m` (default, OAuth 2.0 client credentials) or `tba` (OAuth 1.0a). */
  NETSUITE_AUTH_FLOW?: string
  NETSUITE_CLIENT_ID?: string
  NETSUITE_CERTIFICATE_ID?: string
  /** Secret: PKCS#8 PEM key of the M2M certificate. */
  NETSUITE_PRIVATE_KEY?: string
  /** PS256 (default), PS384, PS512, ES256, ES384 or ES512: must match the certificate's key. */
  NETSUITE_JWT_ALG?: string
  /** Secrets for token-based authentication, the alternative to M2M. */
  NETSUITE_CONSUMER_KEY?: string
  NETSUITE_CONSUMER_SECRET?: string
  NETSUITE_TOKEN_ID?: string
  NETSUITE_TOKEN_SECRET?: string
  /** The account's concurrency share for Concord (the semaphore size). Default 3. */
  NETSUITE_CONCURRENCY?: string
  /** JSON: Concord_Legal_Entity__c → subsidiary id; `*` is the default. */
  NETSUITE_SUBSIDIARY_RULES?: string
  /** `on` (default) writes the Account's billing address to the customer's addressBook; `off` leaves addresses to NetSuite users. */
  NETSUITE_ADDRESS_BOOK?: string
  /** Per-request deadline in ms. Default 30000. */
  NETSUITE_TIMEOUT_MS?: string
  /** The account-wide concurrency gate (`NetsuiteGate`). */
  NETSUITE_GATE?: DurableObjectNamespace<NetsuiteGate>
}

/** Reads AR from NetSuite for the scheduled delta job (issue 4). */
export interface NetsuiteReader {
  /** @see readArSince in ./ar.ts */
  readArSince(watermark?: string, opts?: ReadArOptions): Promise<ArDelta>
}

export interface NetsuiteParts {
  client: NetsuiteClient
  erp: ErpSystem
  reader: NetsuiteReader
}

/** How long a caller waits in line for a request slot before its step is retried later. */
const MAX_PERMIT_WAIT_MS = 20_000

/** The name of an account's gate instance. */
export function gateName(accountId: string): string {
  return `netsuite:${accountId.toUpperCase()}`
}

function authOf(settings: NetsuiteSettings): NetsuiteAuth {
  const { auth } = settings
  return auth.flow === 'm2m'
    ? new M2mAuth({
        baseUrl: settings.baseUrl,
        clientId: auth.clientId,
        certificateId: auth.certificateId,
        privateKeyPem: auth.privateKeyPem,
        alg: auth.alg,
        timeoutMs: settings.timeoutMs,
      })
    : new TbaAuth({
        realm: settings.accountId,
        consumerKey: auth.consumerKey,
        consumerSecret: auth.consumerSecret,
        tokenId: auth.tokenId,
        tokenSecret: auth.tokenSecret,
      })
}

/**
 * The connector's parts for explicit settings. `gate` overrides the gate instance name and
 * size (tests; an operator sharing one account between deployments would give each its share).
 */
export function createNetsuite(
  settings: NetsuiteSettings,
  gateNamespace: DurableObjectNamespace<NetsuiteGate>,
  gate: { name?: string; size?: number; maxWaitMs?: number } = {},
): NetsuiteParts {
  const permits = gatePermits(gateNamespace, {
    name: gate.name ?? gateName(settings.accountId),
    size: gate.size ?? settings.concurrency,
    // Long enough for a request and its one retry after a 401; a crashed holder frees the slot after it.
    leaseMs: 2 * settings.timeoutMs + 10_000,
    maxWaitMs: gate.maxWaitMs ?? MAX_PERMIT_WAIT_MS,
  })
  const client = new NetsuiteClient({
    baseUrl: settings.baseUrl,
    auth: authOf(settings),
    permits,
    timeoutMs: settings.timeoutMs,
  })
  const customers = {
    client,
    subsidiaryRules: settings.subsidiaryRules,
    writeAddress: settings.writeAddress,
  }
  return {
    client,
    erp: {
      ensureCustomer: (account, ctx) => ensureCustomer(customers, account, ctx),
      recordAmendment: (input, ctx) => recordAmendment(client, input, ctx),
    },
    reader: { readArSince: (watermark, opts) => readArSince(client, watermark, opts) },
  }
}

/** Why NetSuite can't be used, as the error every call answers (transient: fixing config resumes). */
function misconfigured(problems: string[]): ConnectorError {
  return new ConnectorError({
    category: 'auth',
    system: 'netsuite',
    code: 'misconfigured',
    message: `NetSuite is misconfigured: ${problems.join('; ')}`,
  })
}

function partsFromEnv(env: NetsuiteEnv): NetsuiteParts | ConnectorError | undefined {
  const result = readSettings(env)
  if (result.status === 'absent') return undefined
  if (result.status === 'invalid') return misconfigured(result.problems)
  if (!env.NETSUITE_GATE)
    return misconfigured(['NETSUITE_GATE: the NetsuiteGate Durable Object binding is missing'])
  return createNetsuite(result.settings, env.NETSUITE_GATE)
}

/** The NetSuite connector, or undefined when NetSuite is not configured (no account id). */
export function netsuiteFromEnv(env: NetsuiteEnv, _config: Config): ErpSystem | undefined {
  const parts = partsFromEnv(env)
  if (!(parts instanceof ConnectorError)) return parts?.erp
  return {
    ensureCustomer: () => Promise.reject(parts),
    recordAmendment: () => Promise.reject(parts),
  }
}

/** The AR reader, or undefined when NetSuite is not configured. */
export function netsuiteReaderFromEnv(env: NetsuiteEnv): NetsuiteReader | undefined {
  const parts = partsFromEnv(env)
  if (!(parts instanceof ConnectorError)) return parts?.reader
  return { readArSince: () => Promise.reject(parts) }
}
