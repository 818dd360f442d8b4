import { reconcileSettings } from './reconcile.ts'
import { activationSettings } from './activation.ts'
import { alertSettings } from './alerts.ts'
import { parseOrThrow, problemsOf, type Vars } from './parse.ts'
import {
  ConsoleVars,
  CoreVars,
  NetsuiteVars,
  SalesforceVars,
  StripeVars,
  SubscriberVars,
} from './schema.ts'
import type {
  Config,
  ConsoleSettings,
  NetsuiteAuthSettings,
  NetsuiteSettings,
  SalesforceSettings,
  Section,
  StripeSettings,
} from './types.ts'

const present = (env: Vars, keys: readonly string[]) =>
  keys.some((k) => typeof env[k] === 'string' && env[k].trim() !== '')

const missing = (env: Vars, keys: readonly string[], why: string) =>
  keys.filter((k) => !present(env, [k])).map((k) => `${k}: is required ${why}`)

function salesforceSection(env: Vars): Section<SalesforceSettings> {
  const credentials = [
    'SALESFORCE_CLIENT_ID',
    'SALESFORCE_USERNAME',
    'SALESFORCE_PRIVATE_KEY',
    'SALESFORCE_CLIENT_SECRET',
  ]
  if (!present(env, credentials)) return { status: 'absent' }
  const parsed = SalesforceVars.safeParse(env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  const v = parsed.data
  const needed =
    v.SALESFORCE_AUTH_FLOW === 'jwt_bearer'
      ? ['SALESFORCE_CLIENT_ID', 'SALESFORCE_USERNAME', 'SALESFORCE_PRIVATE_KEY']
      : ['SALESFORCE_CLIENT_ID', 'SALESFORCE_CLIENT_SECRET']
  const problems = missing(env, needed, `for SALESFORCE_AUTH_FLOW=${v.SALESFORCE_AUTH_FLOW}`)
  if (problems.length > 0 || !v.SALESFORCE_CLIENT_ID) return { status: 'invalid', problems }
  return {
    status: 'ok',
    settings: {
      loginUrl: v.SALESFORCE_LOGIN_URL ?? 'https://login.salesforce.com',
      flow: v.SALESFORCE_AUTH_FLOW,
      clientId: v.SALESFORCE_CLIENT_ID,
      username: v.SALESFORCE_USERNAME,
      privateKeyPem: v.SALESFORCE_PRIVATE_KEY,
      clientSecret: v.SALESFORCE_CLIENT_SECRET,
      apiVersion: v.SALESFORCE_API_VERSION ?? '65.0',
    },
  }
}

function stripeSection(env: Vars): Section<StripeSettings> {
  const parsed = StripeVars.safeParse(env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  const v = parsed.data
  if (!v.STRIPE_SECRET_KEY) return { status: 'absent' }
  return {
    status: 'ok',
    settings: {
      apiKey: v.STRIPE_SECRET_KEY,
      apiBase: v.STRIPE_API_BASE,
      apiVersion: v.STRIPE_API_VERSION,
      ...(v.STRIPE_TAX === 'automatic' ? { automaticTax: true } : {}),
    },
  }
}

const M2M_KEYS = ['NETSUITE_CLIENT_ID', 'NETSUITE_CERTIFICATE_ID', 'NETSUITE_PRIVATE_KEY'] as const
const TBA_KEYS = [
  'NETSUITE_CONSUMER_KEY',
  'NETSUITE_CONSUMER_SECRET',
  'NETSUITE_TOKEN_ID',
  'NETSUITE_TOKEN_SECRET',
] as const

/** `https://1234567-sb1.suitetalk.api.netsuite.com` for account `1234567_SB1`. */
export function defaultNetsuiteBaseUrl(accountId: string): string {
  return `https://${accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`
}

function netsuiteSection(env: Vars): Section<NetsuiteSettings> {
  if (!present(env, ['NETSUITE_ACCOUNT_ID'])) return { status: 'absent' }
  const parsed = NetsuiteVars.safeParse(env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  const v = parsed.data
  const flow = v.NETSUITE_AUTH_FLOW
  const problems = missing(
    env,
    flow === 'm2m' ? M2M_KEYS : TBA_KEYS,
    `for NETSUITE_AUTH_FLOW=${flow}`,
  )
  if (problems.length > 0) return { status: 'invalid', problems }
  const auth: NetsuiteAuthSettings =
    flow === 'm2m'
      ? {
          flow,
          clientId: v.NETSUITE_CLIENT_ID as string,
          certificateId: v.NETSUITE_CERTIFICATE_ID as string,
          privateKeyPem: v.NETSUITE_PRIVATE_KEY as string,
          alg: v.NETSUITE_JWT_ALG,
        }
      : {
          flow,
          consumerKey: v.NETSUITE_CONSUMER_KEY as string,
          consumerSecret: v.NETSUITE_CONSUMER_SECRET as string,
          tokenId: v.NETSUITE_TOKEN_ID as string,
          tokenSecret: v.NETSUITE_TOKEN_SECRET as string,
        }
  const baseUrl = v.NETSUITE_BASE_URL ?? defaultNetsuiteBaseUrl(v.NETSUITE_ACCOUNT_ID)
  return {
    status: 'ok',
    settings: {
      accountId: v.NETSUITE_ACCOUNT_ID,
      baseUrl: baseUrl.replace(/\/+$/, ''),
      auth,
      concurrency: v.NETSUITE_CONCURRENCY,
      subsidiaryRules: v.NETSUITE_SUBSIDIARY_RULES,
      taxCodes: v.NETSUITE_TAX_CODES,
      writeAddress: v.NETSUITE_ADDRESS_BOOK === 'on',
      timeoutMs: v.NETSUITE_TIMEOUT_MS,
    },
  }
}

/**
 * The console is its own section: a half-set Access configuration turns the console off (every
 * console request answers "misconfigured") rather than stopping intake and the sagas.
 */
function consoleSection(env: Vars): Section<ConsoleSettings> {
  if (!present(env, ['CONSOLE_SESSION_SECRET'])) return { status: 'absent' }
  const parsed = ConsoleVars.safeParse(env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  const v = parsed.data
  const audiences = (v.ACCESS_AUD ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
  if (!v.ACCESS_TEAM_DOMAIN !== (audiences.length === 0)) {
    const lacking = v.ACCESS_TEAM_DOMAIN ? 'ACCESS_AUD' : 'ACCESS_TEAM_DOMAIN'
    return { status: 'invalid', problems: [`${lacking}: is required once Access is configured`] }
  }
  const issuer = v.ACCESS_TEAM_DOMAIN
  return {
    status: 'ok',
    settings: {
      sessionSecret: v.CONSOLE_SESSION_SECRET as string,
      sessionTtlMs: v.CONSOLE_SESSION_HOURS * 3_600_000,
      access: issuer
        ? { issuer, certsUrl: `${issuer}/cdn-cgi/access/certs`, audiences }
        : undefined,
      loginSecret: issuer ? undefined : v.CONSOLE_LOGIN_SECRET,
      roles: v.CONSOLE_ROLES,
    },
  }
}

function build(env: Vars): Config {
  const c = parseOrThrow(CoreVars, env, 'configuration')
  const s = parseOrThrow(SubscriberVars, env, 'subscriber configuration')
  const salesforce = salesforceSection(env)
  return {
    logLevel: c.LOG_LEVEL,
    gapWindowMs: c.SEQUENCE_GAP_WINDOW_SECONDS * 1000,
    previewMaxAgeSeconds: c.PREVIEW_MAX_AGE_SECONDS,
    approvalTtlMs: c.APPROVAL_TTL_SECONDS * 1000,
    retryBaseMs: c.RETRY_BASE_MS,
    retryCapMs: c.RETRY_CAP_MS,
    maxTransientAttempts: c.MAX_TRANSIENT_ATTEMPTS,
    pumpBudgetMs: c.PUMP_BUDGET_MS,
    catalog: c.CATALOG,
    writerFlushMs: c.WRITER_FLUSH_MS,
    writerBatchSize: c.WRITER_BATCH_SIZE,
    salesforceApiShare: c.SALESFORCE_API_SHARE,
    erpArLagSeconds: c.ERP_AR_LAG_SECONDS,
    usageGraceMs: c.USAGE_PERIOD_GRACE_SECONDS * 1000,
    eventSecrets: [c.SALESFORCE_EVENTS_SECRET, c.SALESFORCE_EVENTS_SECRET_PREVIOUS].filter(
      (v): v is string => !!v,
    ),
    operatorTokens: c.OPERATOR_TOKENS,
    stripeWebhookSecrets: (c.STRIPE_WEBHOOK_SECRET ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
    salesforce,
    stripe: stripeSection(env),
    netsuite: netsuiteSection(env),
    console: consoleSection(env),
    ...alertSettings(env),
    ...reconcileSettings(env),
    ...activationSettings(env),
    subscriber: {
      connectTimeoutMs: s.SUBSCRIBER_CONNECT_TIMEOUT_MS,
      runBudgetMs: s.SUBSCRIBER_RUN_BUDGET_MS,
      maxEventsPerRun: s.SUBSCRIBER_MAX_EVENTS_PER_RUN,
      batchSize: s.SUBSCRIBER_BATCH_SIZE,
      initialReplayId: s.SUBSCRIBER_INITIAL_REPLAY_ID === '-1' ? -1 : -2,
      apiVersion: salesforce.status === 'ok' ? salesforce.settings.apiVersion : '65.0',
      retryBaseMs: s.SUBSCRIBER_RETRY_BASE_MS,
      retryCapMs: s.SUBSCRIBER_RETRY_CAP_MS,
    },
  }
}

const cache = new WeakMap<object, Config>()

/**
 * Reads and validates the configuration once per `env` object: the only place a variable is
 * parsed. A vendor whose variables are half set gets an `invalid` section naming them (its
 * calls then fail as transient `misconfigured`, so fixing it resumes work with no hand steps).
 * @throws ConfigError naming every bad core or subscriber variable (never its value).
 */
export function loadConfig(env: object): Config {
  const hit = cache.get(env)
  if (hit) return hit
  const config = build(env as Vars)
  cache.set(env, config)
  return config
}
