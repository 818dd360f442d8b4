import { gates } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { netsuiteControl, netsuiteParts, netsuiteSettings } from './netsuite-support.ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  pkcs8FromPem,
  signClientAssertion,
  TOKEN_PATH,
} from '../../../worker/connectors/netsuite/auth-m2m.ts'
import { utf8 } from '../../../worker/connectors/netsuite/auth.ts'
import { encodeBase64 as base64 } from '../../../worker/lib/base64url.ts'
import {
  signatureBaseString,
  tbaAuthorization,
} from '../../../worker/connectors/netsuite/auth-tba.ts'
import { clearTokenCache, createNetsuite } from '../../../worker/connectors/netsuite/index.ts'

import type { NetsuiteSettings } from '../../../worker/config/types.ts'
import { sq, suiteql, suiteqlAll } from '../../../worker/connectors/netsuite/suiteql.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import { requestUrl } from '../support/helpers.ts'

/**
 * The emulator is shared by every worker test file: tests use their own gate instances and
 * fault routes, and count token mints through a fetch spy rather than global counters.
 */
const BASE = env.NETSUITE_BASE_URL as string

const stackSettings = () => netsuiteSettings()
const control = (path: string, body: unknown = {}) => netsuiteControl(path, body)
const parts = () => netsuiteParts('auth-test')
const currencyOne = suiteql`SELECT id, symbol FROM currency WHERE id = ${sq.int(1)}`

function tokenCalls(spy: { mock: { calls: unknown[][] } }): number {
  return spy.mock.calls.filter(([input]) =>
    String(input instanceof Request ? input.url : input).endsWith(TOKEN_PATH),
  ).length
}

afterEach(() => {
  vi.restoreAllMocks()
  clearTokenCache()
})

describe('NetSuite M2M auth', () => {
  it('mints one token for 12 concurrent callers and uses it for all of them', async () => {
    clearTokenCache()
    const spy = vi.spyOn(globalThis, 'fetch')
    const { client } = parts()
    const results = await Promise.all(
      Array.from({ length: 12 }, () => suiteqlAll(client, currencyOne)),
    )
    expect(results.map((rows) => rows[0]?.symbol)).toEqual(Array(12).fill('USD'))
    expect(tokenCalls(spy)).toBe(1)
    const headers = spy.mock.calls
      .filter(([input]) => requestUrl(input).includes('/suiteql'))
      .map(([, init]) => new Headers((init as RequestInit).headers).get('authorization'))
    expect(new Set(headers).size).toBe(1)
    expect(headers[0]).toMatch(/^Bearer nsat\./)
  })

  it('keeps the token for later calls in the isolate, across connector instances', async () => {
    clearTokenCache()
    const spy = vi.spyOn(globalThis, 'fetch')
    await suiteqlAll(parts().client, currencyOne)
    await suiteqlAll(parts().client, currencyOne)
    expect(tokenCalls(spy)).toBe(1)
  })

  it('re-mints once after NetSuite refuses an expired token, and the request succeeds', async () => {
    clearTokenCache()
    const { client } = parts()
    await suiteqlAll(client, currencyOne)
    await control('netsuite/expire-tokens')
    const spy = vi.spyOn(globalThis, 'fetch')
    expect((await suiteqlAll(client, currencyOne))[0]?.symbol).toBe('USD')
    expect(tokenCalls(spy)).toBe(1)
    const suiteqlCalls = spy.mock.calls.filter(([input]) => requestUrl(input).includes('/suiteql'))
    expect(suiteqlCalls).toHaveLength(2)
  })

  it('answers a refused client assertion as a transient auth failure without echoing the key', async () => {
    clearTokenCache()
    const bad = {
      ...stackSettings(),
      auth: {
        ...(stackSettings().auth as Extract<NetsuiteSettings['auth'], { flow: 'm2m' }>),
        certificateId: 'no-such-cert',
      },
    }
    const { client } = createNetsuite(bad, gates, {
      name: `auth-test-${crypto.randomUUID()}`,
    })
    const err = (await suiteqlAll(client, currencyOne).catch((e: unknown) => e)) as ConnectorError
    expect(err).toMatchObject({ kind: 'transient', code: 'auth_failed', status: 400 })
    expect(err.message).toMatch(/invalid_grant/)
    expect(err.message).not.toMatch(/PRIVATE KEY|MII/)
  })

  it('signs ES256 assertions as JWS wants: raw 64-byte r||s that verifies, kid/iss/aud/scope, short exp', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])
    const der = await crypto.subtle.exportKey('pkcs8', pair.privateKey)
    const pem = `-----BEGIN PRIVATE KEY-----\n${base64(der).replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`
    const jwt = await signClientAssertion({
      alg: 'ES256',
      privateKeyPem: pem,
      certificateId: 'kid-1',
      clientId: 'client-1',
      audience: `${BASE}${TOKEN_PATH}`,
      now: 1_800_000_000,
    })
    const [h, p, s] = jwt.split('.') as [string, string, string]
    const decode = (part: string) =>
      Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
    expect(JSON.parse(new TextDecoder().decode(decode(h)))).toEqual({
      typ: 'JWT',
      alg: 'ES256',
      kid: 'kid-1',
    })
    expect(JSON.parse(new TextDecoder().decode(decode(p)))).toEqual({
      iss: 'client-1',
      scope: 'rest_webservices',
      aud: `${BASE}${TOKEN_PATH}`,
      iat: 1_800_000_000,
      exp: 1_800_000_300,
    })
    expect(decode(s)).toHaveLength(64)
    expect(
      await crypto.subtle.verify(
        { name: 'ECDSA', hash: 'SHA-256' },
        pair.publicKey,
        decode(s),
        utf8(`${h}.${p}`),
      ),
    ).toBe(true)
  })

  it('refuses a PKCS#1 key with a fix, never the key itself', () => {
    const pkcs1 =
      '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretsecret\n-----END RSA PRIVATE KEY-----'
    expect(() => pkcs8FromPem(pkcs1)).toThrow(/RSA PRIVATE KEY; convert it to PKCS#8/)
    expect(() => pkcs8FromPem(pkcs1)).not.toThrow(/secretsecret/)
  })
})

/**
 * The shared emulator has no TBA credentials and cannot be given any at run time (they are a
 * start option, and a second emulator can't be started inside workerd). So the signer is checked
 * against RFC 5849's own example and against vectors that the emulator's verifier
 * (test/emulators/netsuite/auth/tba.ts `verifyTba`) accepted when run on this signer's output in
 * Node, with the fixture's awkward secrets (`&`, space, `/`, `+`).
 */
describe('NetSuite TBA signing', () => {
  it('builds RFC 5849 §3.4.1.1 example base string exactly, and its HMAC-SHA1 signature matches the RFC', async () => {
    const base = signatureBaseString(
      'POST',
      'http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b',
      [
        ['oauth_consumer_key', '9djdj82h48djs9d2'],
        ['oauth_token', 'kkk9d7dh3k39sjv7'],
        ['oauth_signature_method', 'HMAC-SHA1'],
        ['oauth_timestamp', '137131201'],
        ['oauth_nonce', '7d8f3e4a'],
        // The example's form body parameters, which the signer receives the same way.
        ['c2', ''],
        ['a3', '2 q'],
      ],
    )
    expect(base).toBe(
      'POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7',
    )
    const key = await crypto.subtle.importKey(
      'raw',
      utf8('j49sk3j29djd&dh893hdasih9'),
      { name: 'HMAC', hash: 'SHA-1' },
      false,
      ['sign'],
    )
    expect(base64(await crypto.subtle.sign('HMAC', key, utf8(base)))).toBe(
      'r6/TJjbCOr97/+UU0NsvSne7s5g=',
    )
  })

  const creds = {
    realm: '1234567_SB1',
    consumerKey: 'ck-1',
    consumerSecret: 'cs&secret 1',
    tokenId: 'tk-1',
    tokenSecret: 'ts/secret+1',
  }
  const fixed = { nonce: 'n0nce0123456789ABCDEF', timestamp: 1767225600 }

  it.each([
    [
      'POST',
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql?limit=1000&offset=0',
      'WUC44ygqDHu96TDuNl%2BegcU6WxVKClR5ZdU16QLLMc4%3D',
    ],
    [
      'PUT',
      'https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/eid:concord-amd-0f8fad5b-d9cb-469f-a165-70867728950e?replace=item',
      'qsnpGmSOwrI1IgIIFlVOb%2Fcux07CdirQOp5LWnibSa0%3D',
    ],
    [
      'GET',
      'http://127.0.0.1:8787/services/rest/record/v1/customer/eid:001Hs00000Xk9ZpIAJ?expandSubResources=true&q=a%20b%2Bc*',
      '9uqDRjnzt6k3Nng90nqNVTBgf%2B78KGfv8I7Jc6CvmwA%3D',
    ],
  ])('signs %s %s as the emulator verifies it', async (method, url, signature) => {
    expect(await tbaAuthorization(creds, method, url, fixed)).toBe(
      `OAuth realm="1234567_SB1", oauth_consumer_key="ck-1", oauth_token="tk-1", oauth_signature_method="HMAC-SHA256", oauth_timestamp="1767225600", oauth_nonce="n0nce0123456789ABCDEF", oauth_version="1.0", oauth_signature="${signature}"`,
    )
  })

  it('uses a new nonce and the current time on every request', async () => {
    const a = await tbaAuthorization(creds, 'GET', 'https://x.example/a')
    const b = await tbaAuthorization(creds, 'GET', 'https://x.example/a')
    const nonce = (h: string) => /oauth_nonce="([^"]+)"/.exec(h)?.[1]
    expect(nonce(a)).not.toBe(nonce(b))
    expect(Number(/oauth_timestamp="(\d+)"/.exec(a)?.[1])).toBeCloseTo(Date.now() / 1000, -1)
  })

  it('is refused by the shared emulator (no TBA credentials there) as a transient login failure, without a retry', async () => {
    const settings: NetsuiteSettings = {
      ...stackSettings(),
      auth: {
        flow: 'tba',
        consumerKey: 'ck-1',
        consumerSecret: 'cs',
        tokenId: 'tk-1',
        tokenSecret: 'ts',
      },
    }
    const spy = vi.spyOn(globalThis, 'fetch')
    const { client } = createNetsuite(settings, gates, {
      name: `auth-test-${crypto.randomUUID()}`,
    })
    const err = await suiteqlAll(client, currencyOne).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'INVALID_LOGIN' })
    expect(spy.mock.calls.filter(([input]) => requestUrl(input).includes('/suiteql'))).toHaveLength(
      1,
    )
    const sent = new Headers((spy.mock.calls[0]?.[1] as RequestInit).headers).get('authorization')
    expect(sent).toMatch(
      /^OAuth realm="1234567_SB1", oauth_consumer_key="ck-1", oauth_token="tk-1", oauth_signature_method="HMAC-SHA256"/,
    )
  })
})
