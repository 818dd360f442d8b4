import { salesforceTokensOf, salesforceSinkOf, salesforceSection } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { emulatorControl } from '../support/vendors.ts'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import {
  clearTokenCache,
  createTokenSource,
  SalesforceClient,
} from '../../../worker/connectors/salesforce/index.ts'
import type { SalesforceSettings } from '../../../worker/config/types.ts'

const { salesforceUrl } = inject('vendors')
const control = (path: string, body?: unknown) => emulatorControl(salesforceUrl, path, body)
const minted = async () => (await control('state')).tokensMinted as number

/**
 * Token requests made from this isolate (a pass-through spy, nothing is mocked). The emulator's
 * `tokensMinted` is shared with the other worker suites, which mint in parallel (and re-mint
 * after this file revokes every session), so exact counts come from here and the emulator is
 * checked to have minted at least as many.
 */
function requestsTo(suffix = '/services/oauth2/token'): { count(): number } {
  const spy = vi.spyOn(globalThis, 'fetch')
  return {
    count: () =>
      spy.mock.calls.filter(([input]) =>
        String(input instanceof Request ? input.url : input).endsWith(suffix),
      ).length,
  }
}

function stackSettings(): SalesforceSettings {
  const read = salesforceSection(env)
  if (read.status !== 'ok') throw new Error('the worker test env has no Salesforce settings')
  return read.settings
}

/** The emulator's connected-app secret: the shared stack sets no `consumerSecret`, so it is the default in test/emulators/salesforce/org.ts. */
const EMULATOR_CONSUMER_SECRET = 'concord-emulator-consumer-secret'

afterEach(() => {
  clearTokenCache()
  vi.restoreAllMocks()
})

describe('Salesforce token source', () => {
  it('mints one JWT bearer token for 20 concurrent callers', async () => {
    clearTokenCache()
    const tokens = createTokenSource(stackSettings())
    const before = await minted()
    const requests = requestsTo()
    const sessions = await Promise.all(Array.from({ length: 20 }, () => tokens.session()))
    expect(requests.count()).toBe(1)
    expect(await minted()).toBeGreaterThanOrEqual(before + 1)
    expect(new Set(sessions.map((s) => s.accessToken)).size).toBe(1)
    expect(sessions[0]?.instanceUrl).toBe(salesforceUrl)
  })

  it('shares the token across token sources of the same org in the isolate', async () => {
    clearTokenCache()
    const requests = requestsTo()
    const a = await createTokenSource(stackSettings()).session()
    const b = await salesforceTokensOf(env)?.session()
    expect(b?.accessToken).toBe(a.accessToken)
    expect(requests.count()).toBe(1)
  })

  it('re-mints after the org revokes the session and retries the refused request once', async () => {
    const tokens = createTokenSource(stackSettings())
    const client = new SalesforceClient({ tokens, apiVersion: '65.0' })
    const first = await tokens.session()
    await client.call('GET', '/limits')
    const before = await minted()
    await control('salesforce/expireTokens', {})
    const requests = requestsTo()
    const limitCalls = requestsTo('/limits')
    const limits = await client.call<{ DailyApiRequests?: unknown }>('GET', '/limits')
    expect(limits.DailyApiRequests).toBeDefined()
    expect(requests.count()).toBe(1)
    expect(limitCalls.count()).toBe(2)
    expect(await minted()).toBeGreaterThanOrEqual(before + 1)
    expect((await tokens.session()).accessToken).not.toBe(first.accessToken)
  })

  it('mints with client credentials (client id and secret) and uses the token', async () => {
    const tokens = createTokenSource({
      ...stackSettings(),
      flow: 'client_credentials',
      clientSecret: EMULATOR_CONSUMER_SECRET,
      username: undefined,
    })
    const before = await minted()
    const session = await tokens.session()
    expect(await minted()).toBeGreaterThanOrEqual(before + 1)
    const client = new SalesforceClient({ tokens, apiVersion: '65.0' })
    const rows = await client.query<{ Id: string }>('SELECT Id FROM Account LIMIT 1')
    expect(Array.isArray(rows)).toBe(true)
    expect(session.accessToken).toMatch(/!/)
  })

  it('reports a refused login as transient, without the secret, and does not ask again at once', async () => {
    const tokens = createTokenSource({
      ...stackSettings(),
      flow: 'client_credentials',
      clientSecret: 'wrong-secret-value',
      username: undefined,
    })
    const err = await tokens.session().catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'salesforce_auth_failed', status: 400 })
    expect((err as Error).message).toContain('invalid_client')
    expect((err as Error).message).not.toContain('wrong-secret-value')
    const requests = requestsTo()
    const again = await tokens.session().catch((e: unknown) => e)
    expect(again).toMatchObject({
      code: 'salesforce_auth_failed',
      retryAfterMs: expect.any(Number),
    })
    expect(requests.count()).toBe(0)
  })

  it('refuses a PKCS#1 key with a hint instead of a token request', async () => {
    const tokens = createTokenSource({
      ...stackSettings(),
      privateKeyPem: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----',
    })
    await expect(tokens.session()).rejects.toMatchObject({
      code: 'invalid_private_key',
      kind: 'transient',
    })
  })
})

describe('salesforceOrg', () => {
  it('is undefined when no Salesforce credential is set', () => {
    expect(salesforceSinkOf({})).toBeUndefined()
    expect(
      salesforceTokensOf({ SALESFORCE_LOGIN_URL: 'https://login.salesforce.com' }),
    ).toBeUndefined()
  })

  it('answers a half-configured org with a transient error naming the variables, never their values', async () => {
    const sink = salesforceSinkOf({
      SALESFORCE_CLIENT_ID: 'id',
      SALESFORCE_CLIENT_SECRET: 'shh-secret',
      SALESFORCE_AUTH_FLOW: 'jwt_bearer',
    })
    const err = await sink?.readAccount('001000000000001AAA', 'c-1').catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'misconfigured' })
    expect((err as Error).message).toContain('SALESFORCE_PRIVATE_KEY')
    expect((err as Error).message).not.toContain('shh-secret')
  })
})
