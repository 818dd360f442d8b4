import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SALESFORCE_EMULATOR_DEFAULTS as D } from './index.ts'
import { rsaKeys, signJwt, startTestOrg, tokenRequest, type TestOrg } from './test-support.ts'

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const keys = rsaKeys()
const otherKeys = rsaKeys()
const MY_DOMAIN = 'https://concord-dev.my.salesforce.com'

function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: D.consumerKey,
    sub: D.username,
    aud: 'https://login.salesforce.com',
    exp: Math.floor(Date.now() / 1000) + 120,
    ...overrides,
  }
}

describe('POST /services/oauth2/token', () => {
  let org: TestOrg
  beforeAll(async () => {
    org = await startTestOrg({ jwtPublicKeyPem: keys.publicKey, myDomainUrl: MY_DOMAIN })
  })
  afterAll(() => org.close())

  const jwt = (assertion: string) => tokenRequest(org.url, { grant_type: JWT_GRANT, assertion })

  it('mints a token for a JWT signed with the configured key, usable on REST', async () => {
    const before = (await org.state()).tokensMinted
    const res = await jwt(signJwt(keys.privateKey, claims()))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'api', instance_url: org.url })
    expect(res.body.id).toMatch(/^https:\/\/login\.salesforce\.com\/id\/00D\w{15}\/005\w{15}$/)
    expect(res.body.issued_at).toMatch(/^\d+$/)
    expect(typeof res.body.signature).toBe('string')
    expect((await org.state()).tokensMinted).toBe(before + 1)
    const call = await fetch(`${org.url}/services/data/v65.0/limits`, {
      headers: { authorization: `Bearer ${res.body.access_token}` },
    })
    expect(call.status).toBe(200)
  })

  it('accepts the sandbox and My Domain audiences', async () => {
    expect(
      (await jwt(signJwt(keys.privateKey, claims({ aud: 'https://test.salesforce.com' })))).status,
    ).toBe(200)
    expect((await jwt(signJwt(keys.privateKey, claims({ aud: MY_DOMAIN })))).status).toBe(200)
  })

  it.each([
    [
      'a signature from another key',
      () => signJwt(otherKeys.privateKey, claims()),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'a wrong audience',
      () => signJwt(keys.privateKey, claims({ aud: 'https://evil.example.com' })),
      'invalid_grant',
      'audience is invalid',
    ],
    [
      'an exp more than 3 minutes ahead',
      () => signJwt(keys.privateKey, claims({ exp: Math.floor(Date.now() / 1000) + 600 })),
      'invalid_grant',
      'invalid assertion',
    ],
    [
      'an expired exp',
      () => signJwt(keys.privateKey, claims({ exp: Math.floor(Date.now() / 1000) - 5 })),
      'invalid_grant',
      'expired authorization code',
    ],
    [
      'an unknown username',
      () => signJwt(keys.privateKey, claims({ sub: 'nobody@concord.example' })),
      'invalid_grant',
      "user hasn't approved this consumer",
    ],
    [
      'an unknown consumer key',
      () => signJwt(keys.privateKey, claims({ iss: 'someone-else' })),
      'invalid_client_id',
      'client identifier invalid',
    ],
    [
      'HS256 instead of RS256',
      () => signJwt(keys.privateKey, claims(), { alg: 'HS256' }),
      'invalid_grant',
      'invalid assertion',
    ],
    ['garbage', () => 'not.a.jwt.at-all', 'invalid_grant', 'invalid assertion'],
  ])('refuses %s with 400 %s', async (_, assertion, error, description) => {
    const before = (await org.state()).tokensMinted
    const res = await jwt(assertion())
    expect(res.status).toBe(400)
    expect(res.body).toEqual({ error, error_description: description })
    expect((await org.state()).tokensMinted).toBe(before)
  })

  it('mints a token for client credentials in the body or in HTTP Basic', async () => {
    const body = await tokenRequest(org.url, {
      grant_type: 'client_credentials',
      client_id: D.consumerKey,
      client_secret: D.consumerSecret,
    })
    expect(body.status).toBe(200)
    const basic = Buffer.from(`${D.consumerKey}:${D.consumerSecret}`).toString('base64')
    const viaBasic = await tokenRequest(
      org.url,
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${basic}` },
    )
    expect(viaBasic.status).toBe(200)
    expect(viaBasic.body.access_token).not.toBe(body.body.access_token)
    expect(viaBasic.body.id).toContain(`${org.url}/id/`)
  })

  it('refuses a wrong client secret, an unknown client and an unsupported grant', async () => {
    const wrong = await tokenRequest(org.url, {
      grant_type: 'client_credentials',
      client_id: D.consumerKey,
      client_secret: 'nope',
    })
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: 'invalid_client', error_description: 'invalid client credentials' },
    })
    const unknown = await tokenRequest(org.url, {
      grant_type: 'client_credentials',
      client_id: 'x',
      client_secret: 'y',
    })
    expect(unknown.body.error).toBe('invalid_client_id')
    const password = await tokenRequest(org.url, {
      grant_type: 'password',
      username: 'a',
      password: 'b',
    })
    expect(password).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } })
  })

  it('answers INVALID_SESSION_ID once tokens are revoked, and counts no API call for it', async () => {
    expect((await org.api('GET', '/limits')).status).toBe(200)
    const expired = await org.control('expireTokens')
    expect(expired.body.expired).toBeGreaterThan(0)
    const before = (await org.state()).api.total
    const res = await org.api('GET', '/limits')
    expect(res.status).toBe(401)
    expect(res.body).toEqual([
      { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
    ])
    expect((await org.state()).api.total).toBe(before)
    const bogus = await fetch(`${org.url}/services/data/v65.0/limits`, {
      headers: { authorization: 'Bearer 00Dxx!bogus' },
    })
    expect(bogus.status).toBe(401)
  })

  it('expires an idle session after the session timeout', async () => {
    const res = await tokenRequest(org.url, {
      grant_type: 'client_credentials',
      client_id: D.consumerKey,
      client_secret: D.consumerSecret,
    })
    org.emu.sf.advanceClock(2 * 3600_000 + 1000)
    const call = await fetch(`${org.url}/services/data/v65.0/limits`, {
      headers: { authorization: `Bearer ${res.body.access_token}` },
    })
    expect(call.status).toBe(401)
  })
})

describe('GET /services/oauth2/userinfo', () => {
  it('names the token’s user and org, and refuses an unknown token', async () => {
    const org = await startTestOrg()
    try {
      const res = await fetch(`${org.url}/services/oauth2/userinfo`, {
        headers: { authorization: `Bearer ${org.token}` },
      })
      const body = await res.json()
      expect(body).toMatchObject({
        preferred_username: 'integration@concord.example',
        organization_id: org.emu.sf.org.orgId,
        user_id: org.emu.sf.org.integrationUserId,
      })
      const refused = await fetch(`${org.url}/services/oauth2/userinfo`, {
        headers: { authorization: 'Bearer nope' },
      })
      expect(refused.status).toBe(403)
      expect((await org.state()).api.total).toBe(0)
    } finally {
      await org.close()
    }
  })
})
