import { generateKeyPairSync, sign } from 'node:crypto'
import { AuthInfo, Connection } from '@salesforce/core'
import {
  SALESFORCE_EMULATOR_DEFAULTS,
  startSalesforceEmulator,
  type RunningSalesforceEmulator,
  type SalesforceEmulatorOptions,
} from './index.ts'

/**
 * Parsed JSON as assertions walk it (`res.body[0].errors[0].statusCode`). The one deliberate
 * `any` in these tests: the shapes are what is under test, so they are asserted, not declared.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the deliberate any described above
export type Json = any

/** What a test talks to: the running emulator and a token-holding REST helper. */
export interface TestOrg {
  emu: RunningSalesforceEmulator
  url: string
  token: string
  /** One REST call under `/services/data/v65.0`. */
  api(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResult>
  /** `POST /__control/salesforce/<action>`. */
  control(action: string, body?: unknown): Promise<ApiResult>
  state(): Promise<Json>
  close(): Promise<void>
}

export interface ApiResult {
  status: number
  headers: Headers
  body: Json
}

async function toResult(res: Response): Promise<ApiResult> {
  const text = await res.text()
  const body: unknown = text ? JSON.parse(text) : undefined
  return { status: res.status, headers: res.headers, body }
}

/** A fresh RSA key pair (PEM) for the JWT bearer flow. */
export function rsaKeys(): { privateKey: string; publicKey: string } {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  })
}

/** An RS256-signed JWT assertion. */
export function signJwt(
  privateKey: string,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256' },
): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
  const unsigned = `${enc(header)}.${enc(claims)}`
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), privateKey).toString('base64url')}`
}

/** `POST /services/oauth2/token` with a form body. */
export async function tokenRequest(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  return toResult(
    await fetch(`${url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    }),
  )
}

/** Client-credentials token with the default connected app. */
export async function clientCredentialsToken(url: string): Promise<string> {
  const res = await tokenRequest(url, {
    grant_type: 'client_credentials',
    client_id: SALESFORCE_EMULATOR_DEFAULTS.consumerKey,
    client_secret: SALESFORCE_EMULATOR_DEFAULTS.consumerSecret,
  })
  if (res.status !== 200) throw new Error(`token: ${res.status} ${JSON.stringify(res.body)}`)
  return (res.body as { access_token: string }).access_token
}

/** Starts an emulator and mints a client-credentials token. */
export async function startTestOrg(options: SalesforceEmulatorOptions = {}): Promise<TestOrg> {
  const emu = await startSalesforceEmulator(options)
  const url = emu.url
  const org: TestOrg = {
    emu,
    url,
    token: await clientCredentialsToken(url),
    async api(method, path, body, headers = {}) {
      const res = await fetch(`${url}/services/data/v65.0${path}`, {
        method,
        headers: {
          authorization: `Bearer ${org.token}`,
          'content-type': 'application/json',
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return toResult(res)
    },
    async control(action, body) {
      const res = await fetch(`${url}/__control/salesforce/${action}`, {
        method: 'POST',
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      return toResult(res)
    },
    async state(): Promise<Json> {
      return (await toResult(await fetch(`${url}/__control/state`))).body
    },
    close: () => emu.close(),
  }
  return org
}

/** A collections upsert body of one type. */
export function collection(type: string, records: Record<string, unknown>[], allOrNone = false) {
  return { allOrNone, records: records.map((r) => ({ attributes: { type }, ...r })) }
}

/** One CometD POST: messages in, messages (and the Set-Cookie) out. */
export async function bayeux(
  url: string,
  token: string,
  messages: unknown[],
  cookie?: string,
): Promise<{ status: number; messages: Json[]; setCookie: string | null }> {
  const res = await fetch(`${url}/cometd/65.0`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(messages),
  })
  return {
    status: res.status,
    messages: (await res.json()) as Json[],
    setCookie: res.headers.get('set-cookie'),
  }
}

/**
 * A jsforce connection (through `@salesforce/core`, as the CLI makes one) to the emulated org,
 * with `accessToken` (the org's own when not given), so the emulator is driven by the vendor's
 * client rather than by our code.
 */
export async function jsforce(org: TestOrg, accessToken = org.token): Promise<Connection> {
  return Connection.create({
    authInfo: await AuthInfo.create({
      accessTokenOptions: { accessToken, instanceUrl: org.url, loginUrl: org.url },
    }),
    connectionOptions: { version: '65.0' },
  })
}
