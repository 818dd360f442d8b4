import type { NetsuiteSettings, Section } from '../../config/types.ts'
import type { Fetch } from '../http.ts'
import type { ErpSystem } from '../types.ts'
import { ConnectorError } from '../../failure/errors.ts'
import { readArSince, type ArDelta, type ReadArOptions } from './ar.ts'
import type { NetsuiteAuth } from './auth.ts'
import { M2mAuth } from './auth-m2m.ts'
import { TbaAuth } from './auth-tba.ts'
import { NetsuiteClient } from './client.ts'
import { ensureCustomer } from './customers.ts'
import { planOrder, recordAmendment } from './orders.ts'
import { gatePermits, type GateResolver } from './permits.ts'
import { netsuiteUsageErp } from './usage.ts'
import type { UsageErp } from '../usage.ts'

export type { ArDelta, ErpCustomerAr, ErpOpenInvoice, ErpPayment, ReadArOptions } from './ar.ts'
export { clearTokenCache } from './auth-m2m.ts'

/** Reads AR from NetSuite for the scheduled delta job (issue 4). */
export interface NetsuiteReader {
  /** @see readArSince in ./ar.ts */
  readArSince(watermark?: string, opts?: ReadArOptions): Promise<ArDelta>
}

export interface NetsuiteParts {
  client: NetsuiteClient
  erp: ErpSystem
  reader: NetsuiteReader
  usage: UsageErp
}

/** How long a caller waits in line for a request slot before its step is retried later. */
const MAX_PERMIT_WAIT_MS = 20_000

/** The name of an account's gate instance. */
export function gateName(accountId: string): string {
  return `netsuite:${accountId.toUpperCase()}`
}

function authOf(settings: NetsuiteSettings, fetch?: Fetch): NetsuiteAuth {
  const { auth } = settings
  return auth.flow === 'm2m'
    ? new M2mAuth({
        baseUrl: settings.baseUrl,
        clientId: auth.clientId,
        certificateId: auth.certificateId,
        privateKeyPem: auth.privateKeyPem,
        alg: auth.alg,
        timeoutMs: settings.timeoutMs,
        fetch,
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
  gates: GateResolver,
  gate: { name?: string; size?: number; maxWaitMs?: number; fetch?: Fetch } = {},
): NetsuiteParts {
  const permits = gatePermits(gates, {
    name: gate.name ?? gateName(settings.accountId),
    size: gate.size ?? settings.concurrency,
    // Long enough for a request and its one retry after a 401; a crashed holder frees the slot after it.
    leaseMs: 2 * settings.timeoutMs + 10_000,
    maxWaitMs: gate.maxWaitMs ?? MAX_PERMIT_WAIT_MS,
  })
  const client = new NetsuiteClient({
    baseUrl: settings.baseUrl,
    auth: authOf(settings, gate.fetch),
    permits,
    timeoutMs: settings.timeoutMs,
    fetch: gate.fetch,
  })
  const customers = {
    client,
    subsidiaryRules: settings.subsidiaryRules,
    writeAddress: settings.writeAddress,
  }
  return {
    client,
    erp: {
      ensureCustomer: (account, ctx, chosen) => ensureCustomer(customers, account, ctx, chosen),
      recordAmendment: (input, ctx) => recordAmendment(client, input, ctx, settings.taxCodes ?? {}),
      planAmendment: planOrder,
    },
    reader: { readArSince: (watermark, opts) => readArSince(client, watermark, opts) },
    usage: netsuiteUsageErp(client),
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

/**
 * The NetSuite connector from its config section: undefined when NetSuite is not configured;
 * when it is configured wrongly, every call fails transient `misconfigured` naming the variables.
 */
export function netsuiteConnector(
  section: Section<NetsuiteSettings>,
  gates: GateResolver,
  fetch?: Fetch,
): NetsuiteParts | { failure: ConnectorError } | undefined {
  if (section.status === 'absent') return undefined
  if (section.status === 'invalid') return { failure: misconfigured(section.problems) }
  return createNetsuite(section.settings, gates, { fetch })
}

/** The ERP port over a NetSuite connector, or its configuration failure. */
export function netsuiteErp(parts: NetsuiteParts | { failure: ConnectorError }): ErpSystem {
  if ('erp' in parts) return parts.erp
  return {
    ensureCustomer: () => Promise.reject(parts.failure),
    recordAmendment: () => Promise.reject(parts.failure),
    planAmendment: () => Promise.reject(parts.failure),
  }
}

/** The usage summary port over a NetSuite connector, or its configuration failure. */
export function netsuiteUsage(parts: NetsuiteParts | { failure: ConnectorError }): UsageErp {
  if ('usage' in parts) return parts.usage
  return { recordUsageSummary: () => Promise.reject(parts.failure) }
}

/** The AR reader over a NetSuite connector, or its configuration failure. */
export function netsuiteReader(parts: NetsuiteParts | { failure: ConnectorError }): NetsuiteReader {
  if ('reader' in parts) return parts.reader
  return { readArSince: () => Promise.reject(parts.failure) }
}
