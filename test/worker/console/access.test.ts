import { describe, expect, it } from 'vitest'
import { createAccessVerifier } from '../../../worker/console/access.ts'
import { roleFor } from '../../../worker/console/roles.ts'
import { encodeBase64url } from '../../../worker/lib/base64url.ts'
import { ACCESS, accessKey, claims, jwksServer, TEAM } from './support.ts'

const EMAIL = 'ada@example.com'

async function setup() {
  const key = await accessKey()
  const server = jwksServer([key])
  let now = Date.now()
  const verifier = createAccessVerifier({ fetch: server.fetch, now: () => now })
  return { key, server, verifier, advance: (ms: number) => (now += ms) }
}

describe('Cloudflare Access tokens', () => {
  it('accepts a token signed by a team key, for the audience, from the team, in time', async () => {
    const { key, verifier } = await setup()
    const result = await verifier.verify(await key.sign(claims(EMAIL, { sub: 'u-1' })), ACCESS)
    expect(result).toEqual({ ok: true, identity: { email: EMAIL, sub: 'u-1', groups: [] } })
  })

  it('refuses another application audience', async () => {
    const { key, verifier } = await setup()
    const token = await key.sign(claims(EMAIL, { aud: ['someone-elses-app'] }))
    expect(await verifier.verify(token, ACCESS)).toEqual({ ok: false, reason: 'wrong_audience' })
  })

  it('refuses another issuer, even one signed with the same key', async () => {
    const { key, verifier } = await setup()
    const token = await key.sign(claims(EMAIL, { iss: 'https://evil.cloudflareaccess.com' }))
    expect(await verifier.verify(token, ACCESS)).toEqual({ ok: false, reason: 'wrong_issuer' })
  })

  it('refuses an expired token and one not valid yet (beyond 30 s of skew)', async () => {
    const { key, verifier } = await setup()
    const now = Math.floor(Date.now() / 1000)
    const expired = await key.sign(claims(EMAIL, { exp: now - 31 }))
    expect(await verifier.verify(expired, ACCESS)).toEqual({ ok: false, reason: 'expired' })
    const early = await key.sign(claims(EMAIL, { nbf: now + 120 }))
    expect(await verifier.verify(early, ACCESS)).toEqual({ ok: false, reason: 'not_yet_valid' })
    const skewed = await key.sign(claims(EMAIL, { exp: now - 5 }))
    expect((await verifier.verify(skewed, ACCESS)).ok).toBe(true)
  })

  it('refuses a bad signature: claims changed after signing, or signed by a key of the same kid', async () => {
    const { key, verifier } = await setup()
    const [head, , sig] = (await key.sign(claims(EMAIL))).split('.')
    const forged = `${head}.${encodeBase64url(JSON.stringify(claims('mallory@example.com')))}.${sig}`
    expect(await verifier.verify(forged, ACCESS)).toEqual({ ok: false, reason: 'bad_signature' })
    const impostor = await accessKey(key.kid)
    expect(await verifier.verify(await impostor.sign(claims(EMAIL)), ACCESS)).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
  })

  it('refuses alg none or HS256 and malformed tokens', async () => {
    const { key, verifier } = await setup()
    const none = await key.sign(claims(EMAIL), { alg: 'none' })
    expect(await verifier.verify(none, ACCESS)).toEqual({ ok: false, reason: 'unsupported_alg' })
    const hs = await key.sign(claims(EMAIL), { alg: 'HS256' })
    expect(await verifier.verify(hs, ACCESS)).toEqual({ ok: false, reason: 'unsupported_alg' })
    expect(await verifier.verify('a.b', ACCESS)).toEqual({ ok: false, reason: 'malformed' })
    expect(await verifier.verify('!!.??.**', ACCESS)).toEqual({ ok: false, reason: 'malformed' })
  })

  it('refuses an unknown kid, refetching the keys at most once a minute for it', async () => {
    const { key, server, verifier, advance } = await setup()
    await verifier.verify(await key.sign(claims(EMAIL)), ACCESS)
    expect(server.requests).toBe(1)
    advance(61_000)
    const stranger = await accessKey()
    const token = await stranger.sign(claims(EMAIL))
    expect(await verifier.verify(token, ACCESS)).toEqual({ ok: false, reason: 'unknown_kid' })
    expect(await verifier.verify(token, ACCESS)).toEqual({ ok: false, reason: 'unknown_kid' })
    expect(server.requests).toBe(2)
  })

  it('caches the keys, and picks up a rotated key by refetching on its new kid', async () => {
    const { key, server, verifier, advance } = await setup()
    for (let i = 0; i < 3; i++) await verifier.verify(await key.sign(claims(EMAIL)), ACCESS)
    expect(server.requests).toBe(1)
    const next = await accessKey()
    server.keys = [next, key]
    advance(61_000)
    expect((await verifier.verify(await next.sign(claims(EMAIL)), ACCESS)).ok).toBe(true)
    expect((await verifier.verify(await key.sign(claims(EMAIL)), ACCESS)).ok).toBe(true)
    expect(server.requests).toBe(2)
  })

  it('reports the JWKS unreachable rather than accepting anything', async () => {
    const key = await accessKey()
    const verifier = createAccessVerifier({
      fetch: () => Promise.resolve(new Response('upstream down', { status: 502 })),
    })
    expect(await verifier.verify(await key.sign(claims(EMAIL)), ACCESS)).toEqual({
      ok: false,
      reason: 'jwks_unavailable',
    })
  })

  it('reads groups from the token and requires an email', async () => {
    const { key, verifier } = await setup()
    const withGroups = await key.sign(
      claims(EMAIL, { groups: ['finance-ops'], custom: { groups: ['revops'] } }),
    )
    const result = await verifier.verify(withGroups, ACCESS)
    expect(result.ok && result.identity.groups).toEqual(['finance-ops', 'revops'])
    const service = await key.sign(claims(EMAIL, { email: undefined, common_name: 'svc' }))
    expect(await verifier.verify(service, ACCESS)).toEqual({ ok: false, reason: 'no_email' })
    expect(TEAM).toBe(ACCESS.issuer)
  })
})

describe('console roles', () => {
  const map = {
    emails: { 'Ada@Example.com': 'viewer' as const, 'root@example.com': 'admin' as const },
    groups: { 'finance-ops': 'operator' as const, approvers: 'approver' as const },
  }

  it('maps an email case-insensitively and a group by name', () => {
    expect(roleFor({ email: 'ada@example.com', groups: [] }, map)).toBe('viewer')
    expect(roleFor({ email: 'bo@example.com', groups: ['finance-ops'] }, map)).toBe('operator')
  })

  it('grants the highest role that matches', () => {
    expect(roleFor({ email: 'ada@example.com', groups: ['approvers', 'finance-ops'] }, map)).toBe(
      'approver',
    )
    expect(roleFor({ email: 'root@example.com', groups: ['finance-ops'] }, map)).toBe('admin')
  })

  it('grants nothing to an unknown person, whatever their group is called', () => {
    expect(roleFor({ email: 'eve@example.com', groups: [] }, map)).toBeUndefined()
    expect(
      roleFor({ email: 'eve@example.com', groups: ['constructor', '__proto__', 'toString'] }, map),
    ).toBeUndefined()
  })
})
