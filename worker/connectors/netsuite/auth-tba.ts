import { encodeBase64 as base64 } from '../../lib/base64url.ts'
import { utf8, type NetsuiteAuth } from './auth.ts'

/**
 * Token-based authentication: OAuth 1.0a (RFC 5849) signatures with HMAC-SHA256, which NetSuite
 * requires, `realm` = the account id (sandboxes `1234567_SB1`). Base string
 * `METHOD&enc(base URL)&enc(sorted params)` where the params are the `oauth_*` values (without
 * `realm` and `oauth_signature`) plus the query parameters; key `enc(consumerSecret)&enc(tokenSecret)`.
 */

export interface TbaCredentials {
  realm: string
  consumerKey: string
  consumerSecret: string
  tokenId: string
  tokenSecret: string
}

/** RFC 3986 unreserved characters only (RFC 5849 §3.6). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** The signature base string (RFC 5849 §3.4.1): pairs encoded, then sorted by name, then value. */
export function signatureBaseString(
  method: string,
  url: string,
  oauthParams: Array<[string, string]>,
): string {
  const u = new URL(url)
  // URL already lower-cases scheme and host and drops a default port (§3.4.1.2).
  const baseUrl = `${u.protocol}//${u.host}${u.pathname}`
  const pairs = [...oauthParams, ...u.searchParams].map(
    ([k, v]) => [percentEncode(k), percentEncode(v)] as const,
  )
  pairs.sort((a, b) =>
    a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0,
  )
  const normalized = pairs.map(([k, v]) => `${k}=${v}`).join('&')
  return `${method.toUpperCase()}&${percentEncode(baseUrl)}&${percentEncode(normalized)}`
}

const NONCE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return [...bytes].map((b) => NONCE_ALPHABET[b % NONCE_ALPHABET.length]).join('')
}

/** The `Authorization: OAuth ...` header for one request; `nonce` and `timestamp` are for tests. */
export async function tbaAuthorization(
  creds: TbaCredentials,
  method: string,
  url: string,
  fixed: { nonce?: string; timestamp?: number } = {},
): Promise<string> {
  const oauth: Array<[string, string]> = [
    ['oauth_consumer_key', creds.consumerKey],
    ['oauth_token', creds.tokenId],
    ['oauth_signature_method', 'HMAC-SHA256'],
    ['oauth_timestamp', String(fixed.timestamp ?? Math.floor(Date.now() / 1000))],
    ['oauth_nonce', fixed.nonce ?? newNonce()],
    ['oauth_version', '1.0'],
  ]
  const signingKey = `${percentEncode(creds.consumerSecret)}&${percentEncode(creds.tokenSecret)}`
  const key = await crypto.subtle.importKey(
    'raw',
    utf8(signingKey),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const signature = base64(
    await crypto.subtle.sign('HMAC', key, utf8(signatureBaseString(method, url, oauth))),
  )
  const fields = [['realm', creds.realm], ...oauth, ['oauth_signature', signature]]
  return `OAuth ${fields.map(([k, v]) => `${k}="${percentEncode(v!)}"`).join(', ')}`
}

/** TBA: every request is signed anew; a 401 is not cured by signing again. */
export class TbaAuth implements NetsuiteAuth {
  readonly flow = 'tba'
  private readonly creds: TbaCredentials

  constructor(creds: TbaCredentials) {
    this.creds = creds
  }

  header(method: string, url: string): Promise<string> {
    return tbaAuthorization(this.creds, method, url)
  }

  rejected(): boolean {
    return false
  }
}
