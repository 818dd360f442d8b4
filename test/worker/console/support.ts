import { env, exports } from 'cloudflare:workers'
import { createApp } from '../../../worker/app.ts'
import { encodeBase64url } from '../../../worker/lib/base64url.ts'
import { mintLoginCode } from '../../../worker/console/login-link.ts'
import { TEST_CONSOLE_LOGIN_SECRET } from '../support/test-config.ts'

export const TEAM = 'https://concord-test.cloudflareaccess.com'
export const CERTS_URL = `${TEAM}/cdn-cgi/access/certs`
export const AUD = 'aud-tag-of-the-console-application'
export const ACCESS = { issuer: TEAM, certsUrl: CERTS_URL, audiences: [AUD] }

/** An RSA signing key as Access has one: its kid, its public JWK and a signer for tokens. */
export interface AccessKey {
  kid: string
  jwk: JsonWebKey & { kid: string }
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>
}

export async function accessKey(kid: string = crypto.randomUUID()): Promise<AccessKey> {
  const pair = await crypto.subtle.generateKey(
    {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    true,
    ['sign', 'verify'],
  )
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey)
  return {
    kid,
    jwk: { kty: 'RSA', n: exported.n, e: exported.e, alg: 'RS256', use: 'sig', kid },
    async sign(claims, header = {}) {
      const head = encodeBase64url(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT', ...header }))
      const body = encodeBase64url(JSON.stringify(claims))
      const signature = await crypto.subtle.sign(
        'RSASSA-PKCS1-v1_5',
        pair.privateKey,
        new TextEncoder().encode(`${head}.${body}`),
      )
      return `${head}.${body}.${encodeBase64url(new Uint8Array(signature))}`
    },
  }
}

/** The claims of a fresh Access application token for `email`; override any. */
export function claims(email: string, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000)
  return {
    aud: [AUD],
    email,
    exp: now + 600,
    iat: now,
    nbf: now,
    iss: TEAM,
    type: 'app',
    identity_nonce: 'nonce',
    sub: crypto.randomUUID(),
    country: 'US',
    ...overrides,
  }
}

/** A stand-in for the team's certs endpoint: serves `keys`, counts requests, refuses other URLs. */
export function jwksServer(keys: AccessKey[]) {
  const server = {
    keys,
    requests: 0,
    fetch: (url: string): Promise<Response> => {
      if (url !== CERTS_URL) return Promise.reject(new Error(`unexpected outbound fetch to ${url}`))
      server.requests++
      return Promise.resolve(Response.json({ keys: server.keys.map((k) => k.jwk) }))
    },
  }
  return server
}

export const VIEWER_EMAIL = 'vera.viewer@example.com'
export const OPERATOR_EMAIL = 'oscar.operator@example.com'
export const APPROVER_EMAIL = 'alma.approver@example.com'
export const APPROVER_2_EMAIL = 'abe.approver@example.com'

/** The worker's app behind Access (as deployed), with Access keys read through `fetch`. */
export function accessApp(fetch: (url: string) => Promise<Response>) {
  const app = createApp({ accessFetch: fetch })
  const accessEnv = {
    ...env,
    ACCESS_TEAM_DOMAIN: TEAM,
    ACCESS_AUD: AUD,
    CONSOLE_ROLES: JSON.stringify({
      emails: {
        [VIEWER_EMAIL]: 'viewer',
        [APPROVER_EMAIL]: 'approver',
        [APPROVER_2_EMAIL]: 'approver',
      },
      groups: { 'finance-ops': 'operator' },
    }),
  }
  return (path: string, init: RequestInit = {}) =>
    app.request(`https://concord.example.com${path}`, init, accessEnv)
}

/** A request to the worker as deployed in the tests (no Access: one-time links are on). */
export function consoleFetch(path: string, init: RequestInit = {}, host = 'concord.test') {
  return exports.default.fetch(`https://${host}${path}`, { redirect: 'manual', ...init })
}

export function mintCode(opts: { now?: number; ttlSeconds?: number } = {}) {
  return mintLoginCode(TEST_CONSOLE_LOGIN_SECRET, opts)
}

/** Posts a one-time code to the sign-in form. */
export function redeem(code: string, host?: string) {
  return consoleFetch(
    '/console/login',
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ code }).toString(),
    },
    host,
  )
}

/** Signs in with a fresh one-time link; the session cookie (`name=value`) to send back. */
export async function signInByLink(): Promise<string> {
  const res = await redeem(await mintCode())
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return cookieOf(res)
}

export function cookieOf(res: Response): string {
  const set = res.headers.get('set-cookie') ?? ''
  const pair = set.split(';')[0] ?? ''
  if (!pair.startsWith('concord_console=')) throw new Error(`no session cookie in: ${set}`)
  return pair
}

/** The CSRF token a page's forms carry. */
export function csrfIn(html: string): string {
  const match = /name="_csrf" value="([0-9a-f]{64})"/.exec(html)
  if (!match?.[1]) throw new Error('no CSRF field in the page')
  return match[1]
}

/** A form POST, as a browser sends it. */
export function form(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  }
}

/** Asserts an HTML error page shows nothing internal. */
export function expectNoInternals(html: string): void {
  for (const leak of [/at .*\.tsx?:\d+/, /stack/i, /SQLITE/i, /internalMessage/, /TypeError/])
    if (leak.test(html)) throw new Error(`page leaks internals (${leak}): ${html.slice(0, 500)}`)
}
