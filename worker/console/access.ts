import type { AccessSettings } from '../config/types.ts'
import { decodeBase64url, decodeJsonSegment } from '../lib/base64url.ts'

/** The header Cloudflare Access adds to every request it lets through to the origin. */
export const ACCESS_HEADER = 'Cf-Access-Jwt-Assertion'

/** Who Access says is calling. `groups` only when the IdP puts them into the token. */
export interface AccessIdentity {
  email: string
  sub: string
  groups: string[]
}

/** Why a token was refused: logged, never shown (a caller learns only that it was refused). */
export type AccessRefusal =
  | 'malformed'
  | 'unsupported_alg'
  | 'unknown_kid'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'no_email'
  | 'jwks_unavailable'

export type AccessResult =
  { ok: true; identity: AccessIdentity } | { ok: false; reason: AccessRefusal }

export interface AccessVerifier {
  verify(token: string, settings: AccessSettings): Promise<AccessResult>
}

/** Keys are kept an hour; an unknown kid refetches, but at most once a minute per team. */
const KEYS_TTL_MS = 3_600_000
const REFETCH_MIN_MS = 60_000
/** Clock skew tolerated on `exp` and `nbf`. */
const LEEWAY_SECONDS = 30

const RS256 = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const

interface KeySet {
  keys: Map<string, CryptoKey>
  fetchedAt: number
}

interface Claims {
  iss?: unknown
  aud?: unknown
  exp?: unknown
  nbf?: unknown
  email?: unknown
  sub?: unknown
  groups?: unknown
  custom?: unknown
}

/**
 * Verifies Cloudflare Access application tokens (RS256) against the team's JWKS
 * (https://developers.cloudflare.com/cloudflare-one/access-controls/applications/http-apps/authorization-cookie/validating-json/):
 * signature by `kid`, issuer = team domain, audience = the application's AUD tag, `exp`/`nbf`.
 * Access rotates its key every 6 weeks and keeps the previous one valid for 7 days, so a new
 * `kid` triggers a refetch. `fetch` is injected: production passes the global one, tests a JWKS
 * of their own.
 */
export function createAccessVerifier(deps: {
  fetch: (url: string) => Promise<Response>
  now?: () => number
}): AccessVerifier {
  const now = deps.now ?? (() => Date.now())
  const cache = new Map<string, KeySet>()

  async function load(url: string): Promise<KeySet | undefined> {
    try {
      const res = await deps.fetch(url)
      if (!res.ok) return undefined
      const body = await res.json<{ keys?: unknown }>()
      const set: KeySet = { keys: await importKeys(body.keys), fetchedAt: now() }
      cache.set(url, set)
      return set
    } catch {
      return undefined
    }
  }

  async function keyFor(url: string, kid: string): Promise<CryptoKey | 'unknown' | 'unavailable'> {
    let set = cache.get(url)
    const stale = !set || now() - set.fetchedAt > KEYS_TTL_MS
    const mayRefetch = !set || now() - set.fetchedAt > REFETCH_MIN_MS
    if (stale || (!set?.keys.has(kid) && mayRefetch)) set = (await load(url)) ?? set
    if (!set) return 'unavailable'
    return set.keys.get(kid) ?? 'unknown'
  }

  return {
    async verify(token, settings) {
      const parts = token.split('.')
      if (parts.length !== 3) return { ok: false, reason: 'malformed' }
      const [head, body, sig] = parts as [string, string, string]
      const header = decodeJsonSegment(head) as { alg?: unknown; kid?: unknown } | undefined
      const claims = decodeJsonSegment(body) as Claims | undefined
      const signature = decodeBase64url(sig)
      if (!header || !claims || typeof claims !== 'object' || !signature)
        return { ok: false, reason: 'malformed' }
      if (header.alg !== 'RS256') return { ok: false, reason: 'unsupported_alg' }
      if (typeof header.kid !== 'string') return { ok: false, reason: 'malformed' }
      const key = await keyFor(settings.certsUrl, header.kid)
      if (key === 'unavailable') return { ok: false, reason: 'jwks_unavailable' }
      if (key === 'unknown') return { ok: false, reason: 'unknown_kid' }
      const signed = new TextEncoder().encode(`${head}.${body}`)
      if (!(await crypto.subtle.verify(RS256, key, signature, signed)))
        return { ok: false, reason: 'bad_signature' }
      return checkClaims(claims, settings, now() / 1000)
    },
  }
}

async function importKeys(keys: unknown): Promise<Map<string, CryptoKey>> {
  const out = new Map<string, CryptoKey>()
  if (!Array.isArray(keys)) return out
  for (const jwk of keys as Array<Record<string, unknown>>) {
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue
    try {
      const key = await crypto.subtle.importKey(
        'jwk',
        { kty: 'RSA', n: jwk.n, e: jwk.e, alg: 'RS256', ext: true },
        RS256,
        false,
        ['verify'],
      )
      out.set(jwk.kid, key)
    } catch {
      // A key we cannot use is as good as absent: tokens signed with it are refused.
    }
  }
  return out
}

function checkClaims(claims: Claims, settings: AccessSettings, nowSeconds: number): AccessResult {
  if (claims.iss !== settings.issuer) return { ok: false, reason: 'wrong_issuer' }
  const aud = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud]
  if (!aud.some((a) => typeof a === 'string' && settings.audiences.includes(a)))
    return { ok: false, reason: 'wrong_audience' }
  if (typeof claims.exp !== 'number' || claims.exp + LEEWAY_SECONDS <= nowSeconds)
    return { ok: false, reason: 'expired' }
  if (typeof claims.nbf === 'number' && claims.nbf - LEEWAY_SECONDS > nowSeconds)
    return { ok: false, reason: 'not_yet_valid' }
  if (typeof claims.email !== 'string' || !claims.email.includes('@'))
    return { ok: false, reason: 'no_email' }
  const custom = (claims.custom ?? {}) as { groups?: unknown }
  const groups = [claims.groups, custom.groups]
    .flatMap((g) => (Array.isArray(g) ? (g as unknown[]) : []))
    .filter((g): g is string => typeof g === 'string')
  const sub = typeof claims.sub === 'string' ? claims.sub : claims.email
  return { ok: true, identity: { email: claims.email, sub, groups } }
}
