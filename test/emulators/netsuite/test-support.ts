import { createHmac, randomBytes } from 'node:crypto'
import {
  generateCertificateKeys,
  signClientAssertion,
  startNetsuiteEmulator,
  type JwtAlg,
  type NetsuiteEmulatorOptions,
  type RunningNetsuite,
} from './index.ts'
import type { CertificateKeys } from './keys.ts'

/** Test fixture: an emulator with one M2M integration per algorithm asked for, and one TBA token. */
export interface Fixture {
  emu: RunningNetsuite
  clientId: string
  keys: Partial<Record<JwtAlg, CertificateKeys>>
  tba: { consumerKey: string; consumerSecret: string; tokenId: string; tokenSecret: string }
  /** A fresh access token through the M2M flow (ES256 unless told). */
  token(alg?: JwtAlg): Promise<string>
  /** fetch against the emulator with a bearer token and JSON content type. */
  call(path: string, init?: RequestInit & { token?: string }): Promise<Response>
  suiteql(q: string, query?: string): Promise<Response>
  control(action: string, body?: unknown): Promise<unknown>
}

export const kidFor = (alg: string) => `cert-${alg.toLowerCase()}`

export async function startFixture(
  options: NetsuiteEmulatorOptions = {},
  algs: JwtAlg[] = ['ES256'],
): Promise<Fixture> {
  const clientId = 'client-' + randomBytes(4).toString('hex')
  const keys: Partial<Record<JwtAlg, CertificateKeys>> = {}
  for (const alg of algs) keys[alg] = generateCertificateKeys(alg)
  const tba = {
    consumerKey: 'ck-1',
    consumerSecret: 'cs&secret 1',
    tokenId: 'tk-1',
    tokenSecret: 'ts/secret+1',
  }
  const emu = await startNetsuiteEmulator({
    m2m: [
      {
        clientId,
        certificates: algs.map((alg) => ({
          certificateId: kidFor(alg),
          publicKey: keys[alg]!.publicKeyPem,
        })),
      },
    ],
    tba: [tba],
    ...options,
  })
  const fx: Fixture = {
    emu,
    clientId,
    keys,
    tba,
    async token(alg = algs[0]!) {
      const assertion = signClientAssertion({
        privateKey: keys[alg]!.privateKey,
        alg,
        kid: kidFor(alg),
        clientId,
        audience: emu.tokenUrl,
      })
      const res = await tokenRequest(emu.tokenUrl, assertion)
      if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`)
      return ((await res.json()) as { access_token: string }).access_token
    },
    async call(path, init = {}) {
      const token = init.token ?? (await fx.token())
      const headers = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(init.headers as Record<string, string>),
      }
      return fetch(`${emu.url}${path}`, { ...init, headers })
    },
    suiteql(q, query = '') {
      return fx.call(`/services/rest/query/v1/suiteql${query}`, {
        method: 'POST',
        headers: { prefer: 'transient' },
        body: JSON.stringify({ q }),
      })
    },
    async control(action, body = {}) {
      const res = await fetch(`${emu.url}/__control/${action}`, {
        method: 'POST',
        body: JSON.stringify(body),
      })
      const answer: unknown = await res.json()
      return answer
    },
  }
  return fx
}

export function tokenRequest(
  tokenUrl: string,
  assertion: string,
  overrides: Record<string, string> = {},
): Promise<Response> {
  return fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      ...overrides,
    }),
  })
}

/**
 * An OAuth 1.0a HMAC-SHA256 signer written separately from the emulator's verifier, so a shared
 * mistake in both can't make a wrong signature pass.
 */
export function tbaHeader(input: {
  method: string
  url: string
  realm: string
  consumerKey: string
  consumerSecret: string
  tokenId: string
  tokenSecret: string
  nonce?: string
  timestamp?: number
  signatureMethod?: string
}): { header: string; baseString: string } {
  const enc = (s: string) =>
    encodeURIComponent(s).replace(
      /[!'()*]/g,
      (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
    )
  const url = new URL(input.url)
  const oauth: Record<string, string> = {
    oauth_consumer_key: input.consumerKey,
    oauth_token: input.tokenId,
    oauth_signature_method: input.signatureMethod ?? 'HMAC-SHA256',
    oauth_timestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_nonce: input.nonce ?? randomBytes(8).toString('hex'),
    oauth_version: '1.0',
  }
  const pairs = [...Object.entries(oauth), ...url.searchParams.entries()]
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .sort()
  const baseString = [
    input.method.toUpperCase(),
    enc(`${url.origin}${url.pathname}`),
    enc(pairs.join('&')),
  ].join('&')
  const signature = createHmac('sha256', `${enc(input.consumerSecret)}&${enc(input.tokenSecret)}`)
    .update(baseString)
    .digest('base64')
  const params = { realm: input.realm, ...oauth, oauth_signature: signature }
  return {
    header:
      'OAuth ' +
      Object.entries(params)
        .map(([k, v]) => `${k}="${enc(v)}"`)
        .join(', '),
    baseString,
  }
}

/** The NetSuite error body shape every failure must have. */
export interface NsErrorBody {
  type: string
  title: string
  status: number
  'o:errorDetails': Array<{
    detail: string
    'o:errorCode': string
    'o:errorPath'?: string
    'o:errorQueryParam'?: string
    'o:urlPath'?: string
    'o:errorHeader'?: string
  }>
}
