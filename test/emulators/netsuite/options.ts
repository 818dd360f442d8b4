import type { KeyObject } from 'node:crypto'
import type { NetsuiteSeed } from './seed.ts'

/** One certificate mapped to the integration in "OAuth 2.0 Client Credentials (M2M) Setup". */
export interface M2mCertificate {
  /** The Certificate ID NetSuite generates; clients put it in the JWT header `kid`. */
  certificateId: string
  /** SPKI public key or X.509 certificate (PEM), or a `KeyObject`. */
  publicKey: string | KeyObject
}

/** An integration record allowed to use the client credentials flow. */
export interface M2mClient {
  /** The integration's client ID; must be the assertion's `iss`. */
  clientId: string
  certificates: M2mCertificate[]
}

/** One token-based-authentication (OAuth 1.0a) credential set. */
export interface TbaCredential {
  consumerKey: string
  consumerSecret: string
  tokenId: string
  tokenSecret: string
}

/** Configuration of one emulated NetSuite account. */
export interface NetsuiteEmulatorOptions {
  /** Account ID as the TBA realm spells it, e.g. `1234567_SB1`. Default `1234567`. */
  accountId?: string
  /** Integrations allowed to get tokens with a JWT client assertion. */
  m2m?: M2mClient[]
  /** TBA credentials accepted in `Authorization: OAuth ...`. */
  tba?: TbaCredential[]
  /** Access token lifetime. Default 3600 (NetSuite: about an hour). */
  tokenTtlSeconds?: number
  /** Account-wide concurrency limit. Default 5 (Standard tier base). */
  concurrencyLimit?: number
  /** Time every governed request holds its concurrency slot. Default 0. */
  latencyMs?: number
  /** Oldest/newest accepted `oauth_timestamp` relative to now. Default 300 s. */
  tbaMaxSkewSeconds?: number
  /** Refuse SuiteQL without `Prefer: transient`. Default true. */
  requirePreferTransient?: boolean
  /** How SuiteQL renders DATE values without TO_CHAR (the user's date preference). Default `M/D/YYYY`. */
  dateFormat?: 'M/D/YYYY' | 'D/M/YYYY' | 'YYYY-MM-DD'
  /** Days from invoice date to due date when an invoice gives none. Default 30. */
  termsDays?: number
  /** Base URL clients use when it is not the Host they connect to (e.g. behind a proxy). */
  publicBaseUrl?: string
  /** Data loaded at start and again on every reset. */
  seed?: NetsuiteSeed
  /** Where the emulator clock starts (ISO), set before the seed loads and again on reset. */
  startAt?: string
  /** Start with the clock stopped (it moves only through the `clock` control action). */
  freezeClock?: boolean
}

/** Options with defaults filled in. */
export type ResolvedOptions = Required<
  Omit<NetsuiteEmulatorOptions, 'publicBaseUrl' | 'seed' | 'startAt'>
> &
  Pick<NetsuiteEmulatorOptions, 'publicBaseUrl' | 'seed' | 'startAt'>

export function resolveOptions(o: NetsuiteEmulatorOptions): ResolvedOptions {
  return {
    accountId: o.accountId ?? '1234567',
    m2m: o.m2m ?? [],
    tba: o.tba ?? [],
    tokenTtlSeconds: o.tokenTtlSeconds ?? 3600,
    concurrencyLimit: o.concurrencyLimit ?? 5,
    latencyMs: o.latencyMs ?? 0,
    tbaMaxSkewSeconds: o.tbaMaxSkewSeconds ?? 300,
    requirePreferTransient: o.requirePreferTransient ?? true,
    dateFormat: o.dateFormat ?? 'M/D/YYYY',
    termsDays: o.termsDays ?? 30,
    publicBaseUrl: o.publicBaseUrl,
    seed: o.seed,
    startAt: o.startAt,
    freezeClock: o.freezeClock ?? false,
  }
}
