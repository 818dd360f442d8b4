import * as z from 'zod'
import { Catalog } from '../../shared/index.ts'

/**
 * The one schema of the worker's variables and secrets (`[vars]` in wrangler.toml, secrets by
 * `wrangler secret put`). Sections are parsed separately (`load.ts`) so that a half-set vendor
 * connector is reported as that connector's problem while intake and the other vendors run on.
 */

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(fallback)

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()))

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((raw, ctx) => {
      try {
        return JSON.parse(raw) as unknown
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' })
        return z.NEVER
      }
    })
    .pipe(schema)

/** Console roles, lowest first: each may do everything the ones before it may. */
export const CONSOLE_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const
export const ConsoleRole = z.enum(CONSOLE_ROLES)
export type ConsoleRole = z.infer<typeof ConsoleRole>

/** An operator API token: its name is the actor on every audit line, its role what it may do. */
export const OperatorToken = z.object({
  name: z.string().min(1),
  role: ConsoleRole,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the token'),
})
export type OperatorToken = z.infer<typeof OperatorToken>

/** Who gets which console role: by Access email (case-insensitive) or by an IdP group. */
export const ConsoleRoleMap = z.object({
  emails: z.record(z.string().min(3), ConsoleRole).default({}),
  groups: z.record(z.string().min(1), ConsoleRole).default({}),
})
export type ConsoleRoleMap = z.infer<typeof ConsoleRoleMap>

/** Everything Concord itself needs: a bad value here stops the worker. */
export const CoreVars = z.object({
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SEQUENCE_GAP_WINDOW_SECONDS: int(900),
  PREVIEW_MAX_AGE_SECONDS: int(3600, 60),
  /** How long a governed action waits for a second person's approval before it expires. */
  APPROVAL_TTL_SECONDS: int(86_400, 300),
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
  /** Comma-separated during a roll. */
  STRIPE_WEBHOOK_SECRET: optionalText,
})

/** The operations console: sign-in (Cloudflare Access, or a one-time link locally) and roles. */
export const ConsoleVars = z.object({
  /** Signs console sessions and their CSRF tokens; the console is off without it. */
  CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  CONSOLE_SESSION_HOURS: int(8, 1, 24 * 7),
  /** `https://<team>.cloudflareaccess.com`: the JWT's issuer; its JWKS is under /cdn-cgi/access/certs. */
  ACCESS_TEAM_DOMAIN: optionalText.pipe(
    z
      .string()
      .transform((v) => v.replace(/\/+$/, ''))
      .pipe(
        z
          .string()
          .regex(
            /^https:\/\/[a-z0-9-]+\.cloudflareaccess\.com$/i,
            'must look like https://<team>.cloudflareaccess.com',
          ),
      )
      .optional(),
  ),
  /** The Access application's audience (AUD) tag; comma-separated to accept several. */
  ACCESS_AUD: optionalText,
  CONSOLE_ROLES: jsonOf(ConsoleRoleMap).default({ emails: {}, groups: {} }),
  /** Enables one-time sign-in links (the local stack mints them); ignored once Access is set. */
  CONSOLE_LOGIN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
})

const SALESFORCE_FLOWS: Record<string, 'jwt_bearer' | 'client_credentials'> = {
  jwt: 'jwt_bearer',
  jwt_bearer: 'jwt_bearer',
  'jwt-bearer': 'jwt_bearer',
  client_credentials: 'client_credentials',
  'client-credentials': 'client_credentials',
}

export const SalesforceVars = z.object({
  SALESFORCE_LOGIN_URL: optionalText.pipe(
    z
      .string()
      .transform((v) => v.replace(/\/+$/, ''))
      .pipe(
        z
          .string()
          .regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://acme.my.salesforce.com'),
      )
      .optional(),
  ),
  SALESFORCE_AUTH_FLOW: optionalText.transform((v, ctx) => {
    const flow = SALESFORCE_FLOWS[(v ?? 'jwt_bearer').toLowerCase()]
    if (!flow) ctx.addIssue({ code: 'custom', message: 'must be jwt_bearer or client_credentials' })
    return flow ?? 'jwt_bearer'
  }),
  SALESFORCE_CLIENT_ID: optionalText,
  SALESFORCE_USERNAME: optionalText,
  SALESFORCE_PRIVATE_KEY: z.string().optional(),
  SALESFORCE_CLIENT_SECRET: z.string().optional(),
  SALESFORCE_API_VERSION: optionalText.pipe(
    z
      .string()
      .transform((v) => v.replace(/^v/i, ''))
      .pipe(z.string().regex(/^\d{2,3}\.\d$/, 'must look like 65.0'))
      .optional(),
  ),
})

export const StripeVars = z.object({
  STRIPE_SECRET_KEY: optionalText,
  /** Default https://api.stripe.com; the local stack points it at the emulator. */
  STRIPE_API_BASE: optionalText.pipe(z.url().optional()),
  STRIPE_API_VERSION: optionalText,
})

export const NETSUITE_JWT_ALGS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const

export const NetsuiteVars = z.object({
  NETSUITE_ACCOUNT_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be the account id, e.g. 1234567 or 1234567_SB1'),
  NETSUITE_BASE_URL: z.url().optional(),
  NETSUITE_AUTH_FLOW: z.enum(['m2m', 'tba']).default('m2m'),
  NETSUITE_JWT_ALG: z.enum(NETSUITE_JWT_ALGS).default('PS256'),
  NETSUITE_CONCURRENCY: int(3, 1, 200),
  NETSUITE_SUBSIDIARY_RULES: jsonOf(
    z.record(z.string(), z.string().regex(/^\d+$/, 'subsidiary ids are internal ids (digits)')),
  ).default({}),
  NETSUITE_ADDRESS_BOOK: z.enum(['on', 'off']).default('on'),
  NETSUITE_TIMEOUT_MS: int(30_000, 1000, 900_000),
  NETSUITE_CLIENT_ID: optionalText,
  NETSUITE_CERTIFICATE_ID: optionalText,
  NETSUITE_PRIVATE_KEY: z.string().optional(),
  NETSUITE_CONSUMER_KEY: optionalText,
  NETSUITE_CONSUMER_SECRET: z.string().optional(),
  NETSUITE_TOKEN_ID: optionalText,
  NETSUITE_TOKEN_SECRET: z.string().optional(),
})

/** All optional; the defaults suit production. */
export const SubscriberVars = z.object({
  /** How long an idle `/meta/connect` is waited for before the backlog counts as drained. */
  SUBSCRIBER_CONNECT_TIMEOUT_MS: int(10_000, 50, 110_000),
  /** Wall time one run may take before it stops and re-arms its alarm (alarms get 15 minutes). */
  SUBSCRIBER_RUN_BUDGET_MS: int(240_000, 1_000, 600_000),
  /** Events one run takes before it stops and re-arms (well inside subrequest limits). */
  SUBSCRIBER_MAX_EVENTS_PER_RUN: int(5_000, 1, 50_000),
  /** Events handed to the intake at once. */
  SUBSCRIBER_BATCH_SIZE: int(200, 1, 2_000),
  /** Where the very first run starts: -2 everything retained (72 h), -1 only new events. */
  SUBSCRIBER_INITIAL_REPLAY_ID: z.enum(['-1', '-2']).default('-2'),
  SUBSCRIBER_RETRY_BASE_MS: int(5_000, 1),
  SUBSCRIBER_RETRY_CAP_MS: int(300_000, 1),
})

/** Every variable the worker reads, for documentation and `wrangler types` comparisons. */
export const EnvVars = CoreVars.extend(SalesforceVars.shape)
  .extend(StripeVars.shape)
  .extend(NetsuiteVars.partial().shape)
  .extend(SubscriberVars.shape)
  .extend(ConsoleVars.shape)
