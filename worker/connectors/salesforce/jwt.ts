import { encodeBase64url as base64url } from '../../lib/base64url.ts'
import { connectorError } from './errors.ts'

const encoder = new TextEncoder()

/**
 * Imports a PKCS#8 PEM RSA private key for RS256 (RSASSA-PKCS1-v1_5 with SHA-256).
 * Secrets pasted with literal `\n` sequences are accepted.
 * @throws ConnectorError (`invalid_private_key`, transient like every credential problem an
 * operator fixes outside the data) for a PKCS#1 (`BEGIN RSA PRIVATE KEY`)
 * or unreadable key: WebCrypto imports PKCS#8 only (`openssl pkcs8 -topk8 -nocrypt` converts).
 */
export async function importRs256Key(pem: string): Promise<CryptoKey> {
  const text = pem.replace(/\\n/g, '\n')
  if (text.includes('BEGIN RSA PRIVATE KEY')) {
    throw connectorError(
      'auth',
      'invalid_private_key',
      'SALESFORCE_PRIVATE_KEY is PKCS#1; convert it to PKCS#8 (BEGIN PRIVATE KEY)',
    )
  }
  const body = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(text)?.[1]
  try {
    if (!body) throw new Error('no PEM block')
    const binary = atob(body.replace(/\s+/g, ''))
    const der = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return await crypto.subtle.importKey(
      'pkcs8',
      der,
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['sign'],
    )
  } catch {
    throw connectorError(
      'auth',
      'invalid_private_key',
      'SALESFORCE_PRIVATE_KEY is not a PKCS#8 PEM RSA private key',
    )
  }
}

/** The JWT bearer assertion's claims (Salesforce: iss, sub, aud, exp). */
export interface BearerClaims {
  /** Consumer key of the connected app / External Client App. */
  iss: string
  /** Username of the integration user. */
  sub: string
  aud: string
  /** Unix seconds. */
  exp: number
}

/** Signs `claims` as a compact RS256 JWS. */
export async function signRs256(key: CryptoKey, claims: BearerClaims): Promise<string> {
  const signingInput = `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, encoder.encode(signingInput))
  return `${signingInput}.${base64url(new Uint8Array(signature))}`
}

/**
 * The `aud` Salesforce expects for a login URL: `https://test.salesforce.com` for sandboxes
 * (test.salesforce.com itself, `*.sandbox.my.salesforce.com`, `cs<N>` instances), otherwise
 * `https://login.salesforce.com`, which production My Domain logins accept too. The token is
 * still requested from the configured login URL.
 * https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_jwt_flow.htm
 */
export function jwtAudience(loginUrl: string): string {
  let host: string
  try {
    host = new URL(loginUrl).hostname.toLowerCase()
  } catch {
    host = ''
  }
  const sandbox =
    host === 'test.salesforce.com' ||
    host.endsWith('.sandbox.my.salesforce.com') ||
    /^cs\d+\./.test(host)
  return sandbox ? 'https://test.salesforce.com' : 'https://login.salesforce.com'
}
