import * as z from 'zod/mini'
import { Catalog } from '../../shared/index.ts'

/**
 * The one schema of the worker's variables and secrets (`[vars]` in wrangler.toml, secrets by
 * `wrangler secret put`). Sections are parsed separately (`load.ts`) so that a half-set vendor
 * connector is reported as that connector's problem while intake and the other vendors run on.
 */

const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min), z.lte(max)), fallback)

const text = (min: number, message?: string) => z.string().check(z.minLength(min, message))
const secret = () => z.optional(text(32, 'must be at least 32 characters'))

/** Absent, empty or blank is `undefined`; anything else is trimmed. */
const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
)

/** `optionalText`, then (when present) normalised by `tidy` and checked by `schema`. */
const optionalShaped = (tidy: (v: string) => string, schema: z.ZodMiniType<string, string>) =>
  z.pipe(optionalText, z.optional(z.pipe(z.pipe(z.string(), z.transform(tidy)), schema)))

const noTrailingSlash = (v: string) => v.replace(/\/+$/, '')

const jsonOf = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((raw: string, ctx) => {
        try {
          return JSON.parse(raw) as unknown
        } catch {
          ctx.issues.push({ code: 'custom', message: 'is not valid JSON', input: raw })
          return z.NEVER
        }
      }),
    ),
    schema,
  )

/** Console roles, lowest first: each may do everything the ones before it may. */
export const CONSOLE_ROLES = ['viewer', 'operator', 'approver', 'admin'] as const
export const ConsoleRole = z.enum(CONSOLE_ROLES)
export type ConsoleRole = z.infer<typeof ConsoleRole>

/** An operator API token: its name is the actor on every audit line, its role what it may do. */
export const OperatorToken = z.object({
  name: text(1),
  role: ConsoleRole,
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the token')),
})
export type OperatorToken = z.infer<typeof OperatorToken>

/** Who gets which console role: by Access email (case-insensitive) or by an IdP group. */
export const ConsoleRoleMap = z.object({
  emails: z._default(z.record(text(3), ConsoleRole), {}),
  groups: z._default(z.record(text(1), ConsoleRole), {}),
})
export type ConsoleRoleMap = z.infer<typeof ConsoleRoleMap>

/** Everything Concord itself needs: a bad value here stops the worker. */
export const CoreVars = z.object({
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  SEQUENCE_GAP_WINDOW_SECONDS: int(900),
  PREVIEW_MAX_AGE_SECONDS: int(3600, 60),
  /** How long a governed action waits for a second person's approval before it expires. */
  APPROVAL_TTL_SECONDS: int(86_400, 300),
  RETRY_BASE_MS: int(1000, 1),
  RETRY_CAP_MS: int(300_000, 1),
  MAX_TRANSIENT_ATTEMPTS: int(20, 1),
  PUMP_BUDGET_MS: int(20_000, 100),
  CATALOG: z._default(jsonOf(Catalog), { version: 'empty', prices: {} }),
  WRITER_FLUSH_MS: int(2000, 10),
  WRITER_BATCH_SIZE: z.pipe(
    int(1000, 1),
    z.number().check(z.lte(1000, 'at most 1000 (five collections of 200)')),
  ),
  SALESFORCE_API_SHARE: z._default(z.coerce.number().check(z.gt(0), z.lte(1)), 0.25),
  ERP_AR_LAG_SECONDS: int(30),
  /** A usage period (UTC month) closes this long after it ends: Stripe's one-hour draft window. */
  USAGE_PERIOD_GRACE_SECONDS: int(3600),
  SALESFORCE_EVENTS_SECRET: secret(),
  SALESFORCE_EVENTS_SECRET_PREVIOUS: z.optional(text(32)),
  OPERATOR_TOKENS: z._default(jsonOf(z.array(OperatorToken)), []),
  /** Comma-separated during a roll. */
  STRIPE_WEBHOOK_SECRET: optionalText,
})

/** The operations console: sign-in (Cloudflare Access, or a one-time link locally) and roles. */
export const ConsoleVars = z.object({
  /** Signs console sessions and their CSRF tokens; the console is off without it. */
  CONSOLE_SESSION_SECRET: secret(),
  CONSOLE_SESSION_HOURS: int(8, 1, 24 * 7),
  /** `https://<team>.cloudflareaccess.com`: the JWT's issuer; its JWKS is under /cdn-cgi/access/certs. */
  ACCESS_TEAM_DOMAIN: optionalShaped(
    noTrailingSlash,
    z
      .string()
      .check(
        z.regex(
          /^https:\/\/[a-z0-9-]+\.cloudflareaccess\.com$/i,
          'must look like https://<team>.cloudflareaccess.com',
        ),
      ),
  ),
  /** The Access application's audience (AUD) tag; comma-separated to accept several. */
  ACCESS_AUD: optionalText,
  CONSOLE_ROLES: z._default(jsonOf(ConsoleRoleMap), { emails: {}, groups: {} }),
  /** Enables one-time sign-in links (the local stack mints them); ignored once Access is set. */
  CONSOLE_LOGIN_SECRET: secret(),
})

const SALESFORCE_FLOWS: Record<string, 'jwt_bearer' | 'client_credentials'> = {
  jwt: 'jwt_bearer',
  jwt_bearer: 'jwt_bearer',
  'jwt-bearer': 'jwt_bearer',
  client_credentials: 'client_credentials',
  'client-credentials': 'client_credentials',
}

export const SalesforceVars = z.object({
  SALESFORCE_LOGIN_URL: optionalShaped(
    noTrailingSlash,
    z
      .string()
      .check(
        z.regex(/^https?:\/\/[^/\s]+$/, 'must be an origin like https://acme.my.salesforce.com'),
      ),
  ),
  SALESFORCE_AUTH_FLOW: z.pipe(
    optionalText,
    z.transform((v: string | undefined, ctx) => {
      const flow = SALESFORCE_FLOWS[(v ?? 'jwt_bearer').toLowerCase()]
      if (!flow) {
        const message = 'must be jwt_bearer or client_credentials'
        ctx.issues.push({ code: 'custom', message, input: v })
      }
      return flow ?? 'jwt_bearer'
    }),
  ),
  SALESFORCE_CLIENT_ID: optionalText,
  SALESFORCE_USERNAME: optionalText,
  SALESFORCE_PRIVATE_KEY: z.optional(z.string()),
  SALESFORCE_CLIENT_SECRET: z.optional(z.string()),
  SALESFORCE_API_VERSION: optionalShaped(
    (v) => v.replace(/^v/i, ''),
    z.string().check(z.regex(/^\d{2,3}\.\d$/, 'must look like 65.0')),
  ),
})

export const StripeVars = z.object({
  STRIPE_SECRET_KEY: optionalText,
  /** Default https://api.stripe.com; the local stack points it at the emulator. */
  STRIPE_API_BASE: z.pipe(optionalText, z.optional(z.url())),
  STRIPE_API_VERSION: optionalText,
  /**
   * `automatic`: subscriptions are created with Stripe Tax (`automatic_tax[enabled]=true`), after
   * the customer's address, tax status and tax id are set from the Account and Stripe can place it.
   */
  STRIPE_TAX: z.pipe(optionalText, z.optional(z.enum(['off', 'automatic']))),
})

export const NETSUITE_JWT_ALGS = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'] as const

export const NetsuiteVars = z.object({
  NETSUITE_ACCOUNT_ID: z
    .string()
    .check(
      z.trim(),
      z.regex(/^[A-Za-z0-9_-]+$/, 'must be the account id, e.g. 1234567 or 1234567_SB1'),
    ),
  NETSUITE_BASE_URL: z.optional(z.url()),
  NETSUITE_AUTH_FLOW: z._default(z.enum(['m2m', 'tba']), 'm2m'),
  NETSUITE_JWT_ALG: z._default(z.enum(NETSUITE_JWT_ALGS), 'PS256'),
  NETSUITE_CONCURRENCY: int(3, 1, 200),
  NETSUITE_SUBSIDIARY_RULES: z._default(
    jsonOf(
      z.record(
        z.string(),
        z.string().check(z.regex(/^\d+$/, 'subsidiary ids are internal ids (digits)')),
      ),
    ),
    {},
  ),
  /**
   * SuiteTax codes for the tax billing computed: `{"<jurisdiction>": "<tax code id>", "exempt":
   * "<id>", "*": "<default>"}` (`exempt` for zero-rated exempt or reverse-charged tax).
   */
  NETSUITE_TAX_CODES: z._default(
    jsonOf(
      z.record(
        z.string(),
        z.string().check(z.regex(/^\d+$/, 'tax code ids are internal ids (digits)')),
      ),
    ),
    {},
  ),
  NETSUITE_ADDRESS_BOOK: z._default(z.enum(['on', 'off']), 'on'),
  NETSUITE_TIMEOUT_MS: int(30_000, 1000, 900_000),
  NETSUITE_CLIENT_ID: optionalText,
  NETSUITE_CERTIFICATE_ID: optionalText,
  NETSUITE_PRIVATE_KEY: z.optional(z.string()),
  NETSUITE_CONSUMER_KEY: optionalText,
  NETSUITE_CONSUMER_SECRET: z.optional(z.string()),
  NETSUITE_TOKEN_ID: optionalText,
  NETSUITE_TOKEN_SECRET: z.optional(z.string()),
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
  SUBSCRIBER_INITIAL_REPLAY_ID: z._default(z.enum(['-1', '-2']), '-2'),
  SUBSCRIBER_RETRY_BASE_MS: int(5_000, 1),
  SUBSCRIBER_RETRY_CAP_MS: int(300_000, 1),
})

/** Every variable the worker reads, for documentation and `wrangler types` comparisons. */
export const EnvVars = z.extend(CoreVars, {
  ...SalesforceVars.shape,
  ...StripeVars.shape,
  ...z.partial(NetsuiteVars).shape,
  ...SubscriberVars.shape,
  ...ConsoleVars.shape,
})
