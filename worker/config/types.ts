import type { Catalog } from '../../shared/index.ts'
import type { ConsoleRoleMap, NETSUITE_JWT_ALGS, OperatorToken } from './schema.ts'

/** A vendor's settings: not configured, configured wrongly (every problem named), or usable. */
export type Section<T> =
  { status: 'absent' } | { status: 'invalid'; problems: string[] } | { status: 'ok'; settings: T }

export type SalesforceAuthFlow = 'jwt_bearer' | 'client_credentials'

/** How to reach and log in to the org. */
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

export interface StripeSettings {
  apiKey: string
  apiBase?: string
  apiVersion?: string
  /** `STRIPE_TAX=automatic`: Stripe Tax on every subscription Concord creates. */
  automaticTax?: boolean
}

export type JwtAlg = (typeof NETSUITE_JWT_ALGS)[number]

export type NetsuiteAuthSettings =
  | { flow: 'm2m'; clientId: string; certificateId: string; privateKeyPem: string; alg: JwtAlg }
  | {
      flow: 'tba'
      consumerKey: string
      consumerSecret: string
      tokenId: string
      tokenSecret: string
    }

export interface NetsuiteSettings {
  /** As the TBA realm spells it, e.g. `1234567_SB1`. */
  accountId: string
  /** Scheme and host, no trailing slash. */
  baseUrl: string
  auth: NetsuiteAuthSettings
  /** Requests Concord may have in flight against the account (the gate's size). */
  concurrency: number
  /** `Concord_Legal_Entity__c` → subsidiary internal id; `*` is the default. */
  subsidiaryRules: Record<string, string>
  /** Jurisdiction (or `exempt`, `*`) → SuiteTax tax code internal id, for billing's tax. */
  taxCodes?: Record<string, string>
  /** Whether the customer upsert writes the billing address (`addressBook`). */
  writeAddress: boolean
  timeoutMs: number
}

export interface SubscriberSettings {
  connectTimeoutMs: number
  runBudgetMs: number
  maxEventsPerRun: number
  batchSize: number
  initialReplayId: -1 | -2
  apiVersion: string
  retryBaseMs: number
  retryCapMs: number
}

/** Cloudflare Access in front of the console: whose tokens to accept. */
export interface AccessSettings {
  /** The team domain, exactly as the token's `iss`. */
  issuer: string
  /** The team's JWKS: `<issuer>/cdn-cgi/access/certs`. */
  certsUrl: string
  /** Audience tags of the Access application(s) allowed in. */
  audiences: string[]
}

/** The operations console. With `access`, every request must carry a valid Access token. */
export interface ConsoleSettings {
  sessionSecret: string
  sessionTtlMs: number
  access?: AccessSettings
  /** One-time sign-in links (local stack); never honoured when `access` is set. */
  loginSecret?: string
  roles: ConsoleRoleMap
}

/** Where SLA alerts are posted, signed with `secret` (README, "SLA alerts"). */
export interface AlertWebhook {
  url: string
  secret: string
}

/** SLA alert thresholds (`ALERT_*`) and the webhook alerts go to. */
export interface AlertSettings {
  /** An amendment not applied this many minutes after it arrived. */
  amendmentMinutes: number
  /** Any backlog (per system and state, outbox, writer) above this. */
  backlogMax: number
  /** A parked amendment older than this many hours. */
  parkedHours: number
  /** The CometD cursor older than this many hours (Salesforce keeps events 72 h). */
  cursorHours: number
  /** Concord's share of the org's daily API requests above this percentage. */
  apiSharePercent: number
  webhook: Section<AlertWebhook>
}

/** Activation (README, "Activation"): the default rule and the provisioning webhook. */
export interface ActivationSettings {
  /** The rule of a subscription whose create names none. */
  defaultRule: 'on_create' | 'on_first_invoice_paid' | 'manual'
  /** Where activations are posted, signed; absent: none is posted (the platform event still is). */
  webhook: Section<AlertWebhook>
  /** Delivery attempts before an activation's webhook is parked (`retries_exhausted`). */
  maxAttempts: number
}

/** The drift reconciler's cadence and bounds (`RECONCILE_*`). */
export interface ReconcileSettings {
  /** A lost webhook or a hand edit is found and repaired within this long. */
  withinMs: number
  /** How often a sweep runs (a third of `withinMs`). */
  sweepEveryMs: number
  /** Events younger than this are left to their webhook. */
  eventLagSeconds: number
  /** Accounts the slow full pass compares per sweep. */
  accountsPerSweep: number
  /** The full pass starts over at most this often. */
  fullPassEveryMs: number
  /** Stripe calls one sweep may make at most. */
  stripeCallsPerSweep: number
  /** A customer's newest invoices and charges compared per account (one Stripe page of each). */
  documentsPerAccount: number
  /** NetSuite calls (SuiteQL pages) one sweep may make at most. */
  netsuiteCallsPerSweep: number
  /** Rows per SuiteQL page of a customer's sales orders (NetSuite allows 1,000). */
  netsuitePageSize: number
}

/** The worker's configuration, parsed once per `env` object (`loadConfig`) and passed down. */
export interface Config {
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  gapWindowMs: number
  /** A previewed amendment whose preview (or proration date) is older than this is refused. */
  previewMaxAgeSeconds: number
  /** A governed action's request expires this long after it was made (or re-asked). */
  approvalTtlMs: number
  retryBaseMs: number
  retryCapMs: number
  maxTransientAttempts: number
  pumpBudgetMs: number
  catalog: Catalog
  writerFlushMs: number
  writerBatchSize: number
  /** The share of the org's daily API allocation Concord may use. */
  salesforceApiShare: number
  /** ERP changes younger than this wait for the next AR read (saves still committing). */
  erpArLagSeconds: number
  /** How long after its month a usage period still takes records (then it closes). */
  usageGraceMs: number
  eventSecrets: string[]
  operatorTokens: OperatorToken[]
  /** The Stripe webhook endpoint's signing secrets: the current one and, during a roll, others. */
  stripeWebhookSecrets: string[]
  salesforce: Section<SalesforceSettings>
  stripe: Section<StripeSettings>
  netsuite: Section<NetsuiteSettings>
  subscriber: SubscriberSettings
  console: Section<ConsoleSettings>
  alerts: AlertSettings
  reconcile: ReconcileSettings
  activation: ActivationSettings
  /** How often a producer sends its metric samples at most (`METRICS_FLUSH_MS`). */
  metricsFlushMs: number
}
