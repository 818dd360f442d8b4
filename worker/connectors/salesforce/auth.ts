import { vendorFetch, type Fetch } from '../http.ts'
import type { SalesforceSession, SalesforceTokenSource } from '../types.ts'
import { isTransientStatus } from '../../failure/classify.ts'
import { ConnectorError } from '../../failure/errors.ts'
import { connectorError, SYSTEM } from './errors.ts'
import { importRs256Key, jwtAudience, signRs256 } from './jwt.ts'
import type { SalesforceSettings } from '../../config/types.ts'

type AuthSettings = Pick<
  SalesforceSettings,
  'loginUrl' | 'flow' | 'clientId' | 'username' | 'privateKeyPem' | 'clientSecret'
>

export interface TokenSourceOptions {
  /** Deadline of one token request. */
  timeoutMs?: number
  /** JWT `exp` distance; Salesforce refuses more than 3 minutes, so keep a margin for clock skew. */
  assertionLifetimeSeconds?: number
  /** How long a refused login is answered from memory instead of asking Salesforce again. */
  refusalMemoryMs?: number
  fetch?: Fetch
}

interface CacheEntry {
  session?: SalesforceSession
  pending?: Promise<SalesforceSession>
  key?: Promise<CryptoKey>
  /** A refused login, remembered so many callers don't each spend the user's login allowance. */
  refused?: { error: ConnectorError; until: number }
}

/**
 * One entry per org login (login URL + client id + user) for the whole isolate, so every
 * Durable Object and request in it shares one token and one mint. Only plain data and the
 * CryptoKey live here, never a Response or another request's I/O object.
 */
const CACHE = new Map<string, CacheEntry>()

const cacheKey = (s: AuthSettings) =>
  `${s.loginUrl}|${s.clientId}|${s.flow === 'jwt_bearer' ? s.username : '(client_credentials)'}`

/**
 * The OAuth 2.0 token source for the org: JWT bearer (RS256) or client credentials. Tokens are
 * cached isolate-wide and minted once for any number of concurrent callers; `invalidate` after
 * `INVALID_SESSION_ID` makes the next caller mint anew; a refused login is remembered for
 * `refusalMemoryMs` (Salesforce rate-limits logins per user). Neither flow issues a refresh token, and
 * a session lives as long as it is used (the org's timeout), so there is no clock-based expiry.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 * https://help.salesforce.com/s/articleView?id=xcloud.remoteaccess_oauth_client_credentials_flow.htm
 */
export function createTokenSource(
  settings: AuthSettings,
  options: TokenSourceOptions = {},
): SalesforceTokenSource {
  const timeoutMs = options.timeoutMs ?? 15_000
  const lifetime = Math.min(options.assertionLifetimeSeconds ?? 150, 180)
  const refusalMemoryMs = options.refusalMemoryMs ?? 30_000
  const key = cacheKey(settings)
  const entry = (): CacheEntry => {
    let found = CACHE.get(key)
    if (!found) CACHE.set(key, (found = {}))
    return found
  }

  const startMint = (e: CacheEntry): Promise<SalesforceSession> => {
    const pending = mint(settings, e, timeoutMs, lifetime, options.fetch).then(
      (session) => {
        if (e.pending === pending) {
          e.session = session
          e.pending = undefined
        }
        return session
      },
      (err: unknown) => {
        if (e.pending === pending) {
          e.pending = undefined
          if (err instanceof ConnectorError && err.code === 'salesforce_auth_failed')
            e.refused = { error: err, until: Date.now() + refusalMemoryMs }
        }
        throw err
      },
    )
    e.pending = pending
    return pending
  }

  return {
    async session() {
      const e = entry()
      if (e.session) return e.session
      if (e.refused && e.refused.until > Date.now()) throw stillRefused(e.refused)
      const shared = e.pending ?? startMint(e)
      // A mint started by another request settles in that request's context; if that request
      // was cancelled the promise may never settle (workerd drops its tasks), so a waiter gives
      // up after the mint's own deadline and mints from its own context.
      const settled = await settleWithin(shared, timeoutMs + 1_000)
      if (settled.done) return settled.value
      if (e.pending === shared) e.pending = undefined
      if (e.session) return e.session
      return e.pending ?? startMint(e)
    },
    invalidate(stale) {
      const e = entry()
      if (e.session?.accessToken === stale.accessToken) e.session = undefined
    },
  }
}

/** The remembered refusal, with how long until Salesforce is asked again. */
function stillRefused(refused: { error: ConnectorError; until: number }): ConnectorError {
  const { error } = refused
  return new ConnectorError({
    category: error.category,
    system: error.system,
    code: error.code,
    message: error.message,
    status: error.status,
    retryAfterMs: Math.max(0, refused.until - Date.now()),
  })
}

async function settleWithin<T>(
  promise: Promise<T>,
  ms: number,
): Promise<{ done: true; value: T } | { done: false }> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<{ done: false }>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms)
  })
  try {
    return await Promise.race([promise.then((value) => ({ done: true as const, value })), timeout])
  } finally {
    clearTimeout(timer)
  }
}

async function mint(
  settings: AuthSettings,
  e: CacheEntry,
  timeoutMs: number,
  lifetime: number,
  fetch?: Fetch,
): Promise<SalesforceSession> {
  const form = new URLSearchParams()
  if (settings.flow === 'jwt_bearer') {
    e.key ??= importRs256Key(settings.privateKeyPem ?? '')
    const signingKey = await e.key.catch((err: unknown) => {
      e.key = undefined
      throw err
    })
    const assertion = await signRs256(signingKey, {
      iss: settings.clientId,
      sub: settings.username ?? '',
      aud: jwtAudience(settings.loginUrl),
      exp: Math.floor(Date.now() / 1000) + lifetime,
    })
    form.set('grant_type', 'urn:ietf:params:oauth:grant-type:jwt-bearer')
    form.set('assertion', assertion)
  } else {
    form.set('grant_type', 'client_credentials')
    form.set('client_id', settings.clientId)
    form.set('client_secret', settings.clientSecret ?? '')
  }
  const res = await vendorFetch(SYSTEM, `${settings.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    timeoutMs,
    fetch,
  })
  const body = (res.json ?? {}) as Record<string, unknown>
  if (
    res.status === 200 &&
    typeof body.access_token === 'string' &&
    typeof body.instance_url === 'string'
  ) {
    return { accessToken: body.access_token, instanceUrl: body.instance_url.replace(/\/+$/, '') }
  }
  throw tokenError(res.status, body)
}

/** Salesforce's OAuth errors are `{error, error_description}`; neither carries a secret. */
function tokenError(status: number, body: Record<string, unknown>): ConnectorError {
  const error = typeof body.error === 'string' ? body.error : `http_${status}`
  const description =
    typeof body.error_description === 'string' ? `: ${body.error_description}` : ''
  const unavailable = isTransientStatus(status)
  return connectorError(
    unavailable ? 'transient' : 'auth',
    unavailable ? 'SERVER_UNAVAILABLE' : 'salesforce_auth_failed',
    unavailable
      ? `the Salesforce token endpoint answered ${status}`
      : `Salesforce refused the login (${error}${description})`,
    status,
  )
}

/** Forgets every cached token and key (tests, or after rotating credentials in place). */
export function clearTokenCache(): void {
  CACHE.clear()
}
