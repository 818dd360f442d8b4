import { createHmac, timingSafeEqual } from 'node:crypto'
import type { EmuRequest } from '../../common/router.ts'
import type { TbaCredential } from '../options.ts'

/**
 * Token-based authentication: OAuth 1.0a signatures (RFC 5849) with HMAC-SHA256, which NetSuite
 * requires. Base string `METHOD&enc(base URL)&enc(sorted params)` where the params are the
 * `oauth_*` header values (without `realm` and `oauth_signature`) plus the query parameters; key
 * `enc(consumerSecret)&enc(tokenSecret)`. `realm` carries the account ID (sandboxes `123_SB1`).
 */

/** RFC 3986 unreserved-only percent-encoding (RFC 5849 §3.6). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** Parses `OAuth k="v", ...` into decoded values; undefined when not an OAuth header. */
export function parseOAuthHeader(header: string): Record<string, string> | undefined {
  const m = /^OAuth\s+(.*)$/is.exec(header.trim())
  if (!m) return undefined
  const out: Record<string, string> = {}
  for (const pair of m[1]!.matchAll(/([A-Za-z0-9_]+)\s*=\s*"([^"]*)"/g)) {
    try {
      out[pair[1]!] = decodeURIComponent(pair[2]!)
    } catch {
      return undefined
    }
  }
  return out
}

/** Scheme and host lower-cased, default port dropped, path kept (RFC 5849 §3.4.1.2). */
export function normalizeBaseUrl(url: string): string {
  const u = new URL(url)
  const defaultPort =
    (u.protocol === 'http:' && u.port === '80') || (u.protocol === 'https:' && u.port === '443')
  return `${u.protocol}//${u.hostname.toLowerCase()}${u.port && !defaultPort ? `:${u.port}` : ''}${u.pathname}`
}

/** The signature base string over `params` (each pair encoded, then sorted by name and value). */
export function signatureBaseString(
  method: string,
  baseUrl: string,
  params: Array<[string, string]>,
): string {
  const encoded = params.map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
  encoded.sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  )
  const normalized = encoded.map(([k, v]) => `${k}=${v}`).join('&')
  return `${method.toUpperCase()}&${percentEncode(normalizeBaseUrl(baseUrl))}&${percentEncode(normalized)}`
}

/** Remembers nonces per token for twice the timestamp window, so a replay inside it is refused. */
export class NonceStore {
  private seen = new Map<string, number>()

  /** True the first time this nonce is seen for this token. */
  claim(tokenId: string, nonce: string, timestamp: number, windowSeconds: number): boolean {
    for (const [key, ts] of this.seen) if (ts < timestamp - 2 * windowSeconds) this.seen.delete(key)
    const key = `${tokenId}\u0000${nonce}`
    if (this.seen.has(key)) return false
    this.seen.set(key, timestamp)
    return true
  }

  reset(): void {
    this.seen.clear()
  }
}

export type TbaResult = { ok: true; tokenId: string } | { ok: false; reason: string }

export interface TbaCheck {
  credentials: TbaCredential[]
  nonces: NonceStore
  nowSeconds: number
  maxSkewSeconds: number
  accountId: string
  /** Candidate base URLs of this request (what the client may have signed). */
  baseUrls: string[]
}

/** Verifies a TBA `Authorization` header; the reason is for the login audit, never the client. */
export function verifyTba(req: EmuRequest, header: string, check: TbaCheck): TbaResult {
  const p = parseOAuthHeader(header)
  if (!p) return { ok: false, reason: 'malformed OAuth header' }
  const required = [
    'oauth_consumer_key',
    'oauth_token',
    'oauth_signature_method',
    'oauth_timestamp',
    'oauth_nonce',
    'oauth_signature',
  ]
  const missing = required.filter((k) => !p[k])
  if (missing.length) return { ok: false, reason: `missing ${missing.join(', ')}` }
  if (p.oauth_version !== undefined && p.oauth_version !== '1.0')
    return { ok: false, reason: 'oauth_version must be 1.0' }
  if (p.realm !== check.accountId)
    return { ok: false, reason: `realm ${p.realm ?? '(none)'} is not account ${check.accountId}` }
  if (p.oauth_signature_method !== 'HMAC-SHA256')
    return {
      ok: false,
      reason: `signature method ${p.oauth_signature_method} refused; HMAC-SHA256 required`,
    }
  const cred = check.credentials.find(
    (c) => c.consumerKey === p.oauth_consumer_key && c.tokenId === p.oauth_token,
  )
  if (!cred) return { ok: false, reason: 'unknown consumer key or token' }
  const ts = Number(p.oauth_timestamp)
  if (!Number.isInteger(ts) || Math.abs(ts - check.nowSeconds) > check.maxSkewSeconds)
    return { ok: false, reason: 'oauth_timestamp outside the accepted window' }
  const params: Array<[string, string]> = Object.entries(p).filter(
    ([k]) => k !== 'realm' && k !== 'oauth_signature',
  )
  for (const [k, v] of req.query) params.push([k, v])
  const key = `${percentEncode(cred.consumerSecret)}&${percentEncode(cred.tokenSecret)}`
  const given = Buffer.from(p.oauth_signature!)
  const valid = check.baseUrls.some((base) => {
    const expected = Buffer.from(
      createHmac('sha256', key)
        .update(signatureBaseString(req.method, base + req.path, params))
        .digest('base64'),
    )
    return expected.length === given.length && timingSafeEqual(expected, given)
  })
  if (!valid) return { ok: false, reason: 'signature mismatch' }
  if (!check.nonces.claim(cred.tokenId, p.oauth_nonce!, ts, check.maxSkewSeconds))
    return { ok: false, reason: 'nonce already used' }
  return { ok: true, tokenId: cred.tokenId }
}
