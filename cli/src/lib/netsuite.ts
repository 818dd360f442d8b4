import { createPrivateKey, sign, type KeyObject } from 'node:crypto'
import { messageOf } from './failure.ts'

/** What the worker's M2M login needs (the worker's NETSUITE_* settings), as the CLI takes them. */
export interface NetsuiteM2m {
  accountId: string
  clientId: string
  certificateId: string
  privateKeyPem: string
  alg: 'PS256' | 'ES256'
  /** Default `https://<account>.suitetalk.api.netsuite.com`. */
  baseUrl?: string
}

/** `GET /services/rest/system/v1/governanceLimits`, as Oracle documents it. */
export interface GovernanceLimits {
  accountConcurrencyLimit: number
  accountUnallocatedConcurrencyLimit: number
  integrationConcurrencyLimit?: number
  integrationLimitType: 'integrationSpecific' | 'accountLimit' | 'internal'
}

/** What a NetSuite call came to: an answer, or what went wrong at which stage. */
export type NetsuiteOutcome =
  | { ok: true; limits: GovernanceLimits }
  | { ok: false; stage: 'key' | 'token' | 'governance'; said: string }

const TOKEN_PATH = '/services/rest/auth/oauth2/v1/token'

export function netsuiteBaseUrl(m: Pick<NetsuiteM2m, 'accountId' | 'baseUrl'>): string {
  return (
    m.baseUrl ??
    `https://${m.accountId.toLowerCase().replace(/_/g, '-')}.suitetalk.api.netsuite.com`
  ).replace(/\/+$/, '')
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

/**
 * The client assertion of NetSuite's M2M flow ("The Request Token Structure",
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_162790605110.html):
 * `kid` the certificate id, `iss` the client id, `aud` the token URL, five minutes of life.
 */
export function clientAssertion(m: NetsuiteM2m, key: KeyObject, tokenUrl: string): string {
  const iat = Math.floor(Date.now() / 1000)
  const header = { typ: 'JWT', alg: m.alg, kid: m.certificateId }
  const payload = { iss: m.clientId, scope: 'rest_webservices', aud: tokenUrl, iat, exp: iat + 300 }
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`
  // RFC 7518: PS256 is RSASSA-PSS with a salt as long as the hash; ES256 a raw r||s signature.
  const signature =
    m.alg === 'PS256'
      ? sign('sha256', Buffer.from(input), { key, padding: 6, saltLength: 32 })
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${b64url(signature)}`
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  try {
    return (await res.json()) as Record<string, unknown>
  } catch {
    return {}
  }
}

/** NetSuite's error body: `{title, "o:errorDetails": [{detail, "o:errorCode"}]}`, or OAuth's. */
function vendorSaid(status: number, body: Record<string, unknown>): string {
  if (typeof body.error === 'string')
    return `${status} ${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
  const details = Array.isArray(body['o:errorDetails'])
    ? (body['o:errorDetails'] as Array<Record<string, unknown>>)
    : []
  const first = details[0]
  const title = typeof body.title === 'string' ? ` ${body.title}` : ''
  return first
    ? `${status}${title}: ${String(first.detail)} (${String(first['o:errorCode'])})`
    : `${status}${title}`
}

/**
 * Logs in as the worker will (M2M: a signed assertion for a token) and reads the account's
 * concurrency limits with that token. Never throws; the outcome names the stage that failed.
 */
export async function probeNetsuite(m: NetsuiteM2m): Promise<NetsuiteOutcome> {
  let key: KeyObject
  try {
    key = createPrivateKey(m.privateKeyPem)
  } catch (err) {
    return { ok: false, stage: 'key', said: `the private key does not load (${messageOf(err)})` }
  }
  const base = netsuiteBaseUrl(m)
  const tokenUrl = `${base}${TOKEN_PATH}`
  try {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion(m, key, tokenUrl),
      }).toString(),
      signal: AbortSignal.timeout(15_000),
    })
    const body = await readJson(res)
    if (res.status !== 200 || typeof body.access_token !== 'string')
      return {
        ok: false,
        stage: 'token',
        said: `${tokenUrl} answered ${vendorSaid(res.status, body)}`,
      }
    const limits = await fetch(`${base}/services/rest/system/v1/governanceLimits`, {
      headers: { authorization: `Bearer ${body.access_token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(15_000),
    })
    const answer = await readJson(limits)
    if (limits.status !== 200 || typeof answer.accountConcurrencyLimit !== 'number')
      return {
        ok: false,
        stage: 'governance',
        said: `governanceLimits answered ${vendorSaid(limits.status, answer)}`,
      }
    return { ok: true, limits: answer as unknown as GovernanceLimits }
  } catch (err) {
    return { ok: false, stage: 'token', said: `${base} could not be reached (${messageOf(err)})` }
  }
}
