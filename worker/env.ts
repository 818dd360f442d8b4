import * as z from 'zod'
import { Catalog } from '../shared/index.ts'
import type { AccountLedger } from './ledger/account-ledger.ts'
import type { OpsRegistry } from './ops/ops-registry.ts'
import type { OrgWriter } from './writer/org-writer.ts'
import type { ErpArSync } from './reconcile/erp-ar-sync.ts'
import type { Backfill } from './reconcile/backfill.ts'
import type { NetsuiteEnv } from './connectors/netsuite/index.ts'
import type { NetsuiteGate } from './connectors/netsuite/gate.ts'
import type { SalesforceEnv } from './connectors/salesforce/index.ts'
import type { StripeEnv } from './connectors/stripe/index.ts'
import type { SubscriberEnv } from './subscriber/config.ts'
import type { EventSubscriber } from './subscriber/event-subscriber.ts'
import { ConfigError } from './errors.ts'

/** The bindings wrangler.toml declares, plus the secrets set with `wrangler secret put`. */
export interface Env extends SalesforceEnv, StripeEnv, NetsuiteEnv, SubscriberEnv {
  ACCOUNT_LEDGER: DurableObjectNamespace<AccountLedger>
  OPS_REGISTRY: DurableObjectNamespace<OpsRegistry>
  /** NetSuite's account-wide concurrency gate, one instance per NetSuite account. */
  NETSUITE_GATE: DurableObjectNamespace<NetsuiteGate>
  ORG_WRITER: DurableObjectNamespace<OrgWriter>
  ERP_AR_SYNC: DurableObjectNamespace<ErpArSync>
  BACKFILL: DurableObjectNamespace<Backfill>
  EVENT_SUBSCRIBER: DurableObjectNamespace<EventSubscriber>
  LOG_LEVEL?: string
  SEQUENCE_GAP_WINDOW_SECONDS?: string
  RETRY_BASE_MS?: string
  RETRY_CAP_MS?: string
  MAX_TRANSIENT_ATTEMPTS?: string
  PUMP_BUDGET_MS?: string
  CATALOG?: string
  WRITER_FLUSH_MS?: string
  WRITER_BATCH_SIZE?: string
  SALESFORCE_API_SHARE?: string
  ERP_AR_LAG_SECONDS?: string
  /** Secret: HMAC key Salesforce signs intake requests with. */
  SALESFORCE_EVENTS_SECRET?: string
  /** Secret: the previous key, accepted during a rotation. */
  SALESFORCE_EVENTS_SECRET_PREVIOUS?: string
  /** Secret: JSON list of operator tokens by SHA-256 hash, `[{name, role, sha256}]`. */
  OPERATOR_TOKENS?: string
}

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback)

export const OperatorToken = z.object({
  name: z.string().min(1),
  role: z.enum(['viewer', 'operator']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the token'),
})
export type OperatorToken = z.infer<typeof OperatorToken>

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' })
        return z.NEVER
      }
    })
    .pipe(schema)

const ConfigSchema = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SEQUENCE_GAP_WINDOW_SECONDS: int(900),
  RETRY_BASE_MS: int(1000, 1),
  RETRY_CAP_MS: int(300_000, 1),
  MAX_TRANSIENT_ATTEMPTS: int(20, 1),
  PUMP_BUDGET_MS: int(20_000, 100),
  CATALOG: jsonOf(Catalog).default({ version: 'empty', prices: {} }),
  WRITER_FLUSH_MS: int(2000, 10),
  WRITER_BATCH_SIZE: int(1000, 1).pipe(
    z.number().max(1000, 'at most 1000 (five collections of 200)'),
  ),
  SALESFORCE_API_SHARE: z.coerce.number().gt(0).max(1).default(0.25),
  ERP_AR_LAG_SECONDS: int(30),
  SALESFORCE_EVENTS_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SALESFORCE_EVENTS_SECRET_PREVIOUS: z.string().min(32).optional(),
  OPERATOR_TOKENS: jsonOf(z.array(OperatorToken)).default([]),
})

export interface Config {
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  gapWindowMs: number
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
  eventSecrets: string[]
  operatorTokens: OperatorToken[]
}

const cache = new WeakMap<object, Config>()

/**
 * Reads and validates the configuration once per `env` object.
 * @throws ConfigError naming every bad variable (never its value: some are secrets).
 */
export function loadConfig(env: Env): Config {
  const hit = cache.get(env)
  if (hit) return hit
  const parsed = ConfigSchema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
    throw new ConfigError(`invalid configuration: ${problems}`)
  }
  const c = parsed.data
  const config: Config = {
    logLevel: c.LOG_LEVEL,
    gapWindowMs: c.SEQUENCE_GAP_WINDOW_SECONDS * 1000,
    retryBaseMs: c.RETRY_BASE_MS,
    retryCapMs: c.RETRY_CAP_MS,
    maxTransientAttempts: c.MAX_TRANSIENT_ATTEMPTS,
    pumpBudgetMs: c.PUMP_BUDGET_MS,
    catalog: c.CATALOG,
    writerFlushMs: c.WRITER_FLUSH_MS,
    writerBatchSize: c.WRITER_BATCH_SIZE,
    salesforceApiShare: c.SALESFORCE_API_SHARE,
    erpArLagSeconds: c.ERP_AR_LAG_SECONDS,
    eventSecrets: [c.SALESFORCE_EVENTS_SECRET, c.SALESFORCE_EVENTS_SECRET_PREVIOUS].filter(
      (s): s is string => !!s,
    ),
    operatorTokens: c.OPERATOR_TOKENS,
  }
  cache.set(env, config)
  return config
}
