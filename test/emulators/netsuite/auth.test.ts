import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { netsuiteEmulator, signClientAssertion, type JwtAlg } from './index.ts'
import { signatureBaseString } from './auth/tba.ts'
import {
  kidFor,
  startFixture,
  tbaHeader,
  tokenRequest,
  type Fixture,
  type NsErrorBody,
} from './test-support.ts'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture({}, ['PS256', 'ES256', 'ES384'])
})
afterAll(() => fx.emu.close())
beforeEach(() => fx.control('reset'))

const now = () => Math.floor(Date.now() / 1000)

function assertion(alg: JwtAlg, over: Partial<Parameters<typeof signClientAssertion>[0]> = {}) {
  return signClientAssertion({
    privateKey: fx.keys[alg]!.privateKey,
    alg,
    kid: kidFor(alg),
    clientId: fx.clientId,
    audience: fx.emu.tokenUrl,
    ...over,
  })
}

async function tokenError(jwt: string) {
  const res = await tokenRequest(fx.emu.tokenUrl, jwt)
  return {
    status: res.status,
    body: (await res.json()) as { error: string; error_description: string },
    headers: res.headers,
  }
}

describe('POST /services/rest/auth/oauth2/v1/token', () => {
  it.each(['PS256', 'ES256', 'ES384'] as const)(
    'issues a bearer token for a valid %s assertion, and the token works',
    async (alg) => {
      const res = await tokenRequest(fx.emu.tokenUrl, assertion(alg))
      expect(res.status).toBe(200)
      const body = (await res.json()) as {
        access_token: string
        token_type: string
        expires_in: number
      }
      expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600 })
      const get = await fx.call('/services/rest/record/v1/currency/1', { token: body.access_token })
      expect(get.status).toBe(200)
      expect(fx.emu.netsuite.tokens.state()).toEqual({ issued: 1, live: 1 })
    },
  )

  it('refuses an RS256 assertion even when the RSA key is the mapped one', async () => {
    const rs = signClientAssertion({
      privateKey: fx.keys.PS256!.privateKey,
      alg: 'RS256',
      kid: kidFor('PS256'),
      clientId: fx.clientId,
      audience: fx.emu.tokenUrl,
    })
    const { status, body } = await tokenError(rs)
    expect(status).toBe(400)
    expect(body.error).toBe('invalid_grant')
    expect(body.error_description).toMatch(/RS256/)
    expect(fx.emu.netsuite.tokens.state().issued).toBe(0)
  })

  it.each([
    ['an unknown kid', () => assertion('ES256', { kid: 'not-mapped' }), /kid/],
    [
      'a foreign aud',
      () => assertion('ES256', { audience: 'https://elsewhere.example/token' }),
      /aud/,
    ],
    ['an expired exp', () => assertion('ES256', { iat: now() - 600, exp: now() - 10 }), /expired/],
    [
      'exp a full hour after iat',
      () => assertion('ES256', { iat: now(), exp: now() + 3600 }),
      /60 minutes/,
    ],
    [
      'no rest_webservices scope',
      () => assertion('ES256', { scope: 'restlets' }),
      /rest_webservices/,
    ],
    [
      'a kid whose key is of another type',
      () => assertion('ES256', { kid: kidFor('PS256') }),
      /signature/,
    ],
  ])('refuses %s with invalid_grant', async (_name, make, reason) => {
    const { status, body } = await tokenError(make())
    expect(status).toBe(400)
    expect(body.error).toBe('invalid_grant')
    expect(body.error_description).toMatch(reason)
    expect(fx.emu.netsuite.tokens.state().issued).toBe(0)
  })

  it('refuses a signature made with a key that is not the mapped certificate', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
    const { status, body } = await tokenError(assertion('ES256', { privateKey: other }))
    expect([status, body.error]).toEqual([400, 'invalid_grant'])
    expect(body.error_description).toMatch(/signature/)
  })

  it('refuses a payload altered after signing', async () => {
    const [h, , s] = assertion('ES256').split('.')
    const forged = Buffer.from(
      JSON.stringify({
        iss: fx.clientId,
        scope: 'rest_webservices',
        aud: fx.emu.tokenUrl,
        iat: now(),
        exp: now() + 3000,
      }),
    ).toString('base64url')
    const { status, body } = await tokenError(`${h}.${forged}.${s}`)
    expect([status, body.error]).toEqual([400, 'invalid_grant'])
  })

  it('answers an unknown client id with 401 invalid_client and a Basic challenge', async () => {
    const { status, body, headers } = await tokenError(
      assertion('ES256', { clientId: 'someone-else' }),
    )
    expect([status, body.error]).toEqual([401, 'invalid_client'])
    expect(headers.get('www-authenticate')).toBe('Basic realm="1234567"')
  })

  it('refuses a request that is not a client-credentials JWT-bearer form', async () => {
    const wrongGrant = await tokenRequest(fx.emu.tokenUrl, assertion('ES256'), {
      grant_type: 'authorization_code',
    })
    expect(wrongGrant.status).toBe(400)
    expect(((await wrongGrant.json()) as { error: string }).error).toBe('invalid_request')
    const asJson = await fetch(fx.emu.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    })
    expect(asJson.status).toBe(400)
  })

  it('refuses to be configured with a certificate key NetSuite would not accept', () => {
    const weak = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
    expect(() =>
      netsuiteEmulator({
        m2m: [{ clientId: 'c', certificates: [{ certificateId: 'k', publicKey: weak }] }],
      }),
    ).toThrow(/3072 or 4096/)
  })
})

describe('bearer tokens on REST calls', () => {
  async function expectInvalidLogin(res: Response) {
    expect(res.status).toBe(401)
    const body = (await res.json()) as NsErrorBody
    expect(body).toMatchObject({
      title: 'Unauthorized',
      status: 401,
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.2',
    })
    expect(body['o:errorDetails'][0]).toMatchObject({ 'o:errorCode': 'INVALID_LOGIN' })
    expect(JSON.stringify(body)).not.toMatch(/expired|unknown/)
  }

  it('answers 401 INVALID_LOGIN once tokens are expired through the control API', async () => {
    const token = await fx.token()
    expect((await fx.call('/services/rest/record/v1/currency/1', { token })).status).toBe(200)
    expect(await fx.control('netsuite/expire-tokens')).toEqual({ expired: 1 })
    const res = await fx.call('/services/rest/record/v1/currency/1', { token })
    expect(res.headers.get('www-authenticate')).toMatch(/error="invalid_token"/)
    await expectInvalidLogin(res)
    expect(fx.emu.netsuite.auth.audit.at(-1)).toMatchObject({
      scheme: 'bearer',
      ok: false,
      reason: 'unknown or expired access token',
    })
  })

  it('expires a token after its lifetime on the emulator clock', async () => {
    const token = await fx.token()
    await fx.control('netsuite/clock', { advanceMs: 3601_000 })
    await expectInvalidLogin(await fx.call('/services/rest/record/v1/currency/1', { token }))
  })

  it('answers 401 for a made-up token and for no Authorization at all', async () => {
    await expectInvalidLogin(
      await fx.call('/services/rest/record/v1/currency/1', { token: 'nsat.madeup' }),
    )
    await expectInvalidLogin(await fetch(`${fx.emu.url}/services/rest/record/v1/currency/1`))
  })
})

describe('token-based authentication (OAuth 1.0a)', () => {
  const url = (path: string) => `${fx.emu.url}${path}`
  const sign = (
    method: string,
    target: string,
    over: Partial<Parameters<typeof tbaHeader>[0]> = {},
  ) => tbaHeader({ method, url: target, realm: '1234567', ...fx.tba, ...over })

  it('builds the base string the emulator expects (known answer)', () => {
    const base = signatureBaseString(
      'get',
      'HTTP://Example.COM:80/services/rest/record/v1/customer/eid:A-1',
      [
        ['oauth_nonce', 'n1'],
        ['limit', '5'],
        ['oauth_consumer_key', 'c k'],
      ],
    )
    expect(base).toBe(
      'GET&http%3A%2F%2Fexample.com%2Fservices%2Frest%2Frecord%2Fv1%2Fcustomer%2Feid%3AA-1&limit%3D5%26oauth_consumer_key%3Dc%2520k%26oauth_nonce%3Dn1',
    )
  })

  it('accepts a correctly signed request, query parameters included', async () => {
    const target = url('/services/rest/record/v1/currency/1?expandSubResources=true')
    const res = await fetch(target, { headers: { authorization: sign('GET', target).header } })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { refName?: string; name: string }).name).toBe('USD')
    expect(fx.emu.netsuite.auth.audit.at(-1)).toMatchObject({ scheme: 'tba', ok: true })
  })

  it.each([
    [
      'a query parameter added after signing',
      (t: string) => ({
        target: `${t}&expandSubResources=false`,
        header: sign('GET', `${t}`).header,
      }),
    ],
    [
      'the wrong token secret',
      (t: string) => ({ target: t, header: sign('GET', t, { tokenSecret: 'nope' }).header }),
    ],
    ['another method signed', (t: string) => ({ target: t, header: sign('POST', t).header })],
    [
      'a sandbox realm on a production account',
      (t: string) => ({ target: t, header: sign('GET', t, { realm: '1234567_SB1' }).header }),
    ],
    [
      'HMAC-SHA1',
      (t: string) => ({
        target: t,
        header: sign('GET', t, { signatureMethod: 'HMAC-SHA1' }).header,
      }),
    ],
    [
      'a stale timestamp',
      (t: string) => ({ target: t, header: sign('GET', t, { timestamp: now() - 3600 }).header }),
    ],
  ])('refuses %s with 401 INVALID_LOGIN', async (_name, make) => {
    const { target, header } = make(url('/services/rest/record/v1/currency/1?limit=5'))
    const res = await fetch(target, { headers: { authorization: header } })
    expect(res.status).toBe(401)
    expect(((await res.json()) as NsErrorBody)['o:errorDetails'][0]!['o:errorCode']).toBe(
      'INVALID_LOGIN',
    )
    expect(fx.emu.netsuite.auth.audit.at(-1)).toMatchObject({ scheme: 'tba', ok: false })
  })

  it('refuses a replayed nonce', async () => {
    const target = url('/services/rest/record/v1/currency/1')
    const { header } = sign('GET', target, { nonce: 'same-nonce' })
    expect((await fetch(target, { headers: { authorization: header } })).status).toBe(200)
    expect((await fetch(target, { headers: { authorization: header } })).status).toBe(401)
    expect(fx.emu.netsuite.auth.audit.at(-1)?.reason).toBe('nonce already used')
  })

  it('signs writes too: a TBA upsert creates the record', async () => {
    const target = url('/services/rest/record/v1/customer/eid:TBA-1')
    const res = await fetch(target, {
      method: 'PUT',
      headers: { authorization: sign('PUT', target).header, 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'Signed Co', subsidiary: { id: 1 } }),
    })
    expect(res.status).toBe(204)
    expect(fx.emu.netsuite.record('customer', 'eid:TBA-1')).toMatchObject({
      companyName: 'Signed Co',
    })
  })
})
