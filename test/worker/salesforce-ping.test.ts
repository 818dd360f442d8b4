import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { SignedPing } from '../../shared/setup-status.ts'
import { signRequest } from '../../worker/lib/signature.ts'
import { expectSafeError } from './support/helpers.ts'
import { TEST_EVENTS_SECRET, TEST_EVENTS_SECRET_PREVIOUS } from './support/test-config.ts'

const PING = '/v1/salesforce/ping'

/** A GET signed the way `WorkerClient` signs it in Salesforce (v2, empty body). */
async function signedGet(
  opts: { secret?: string; target?: string; timestamp?: number } = {},
): Promise<Response> {
  const target = opts.target ?? PING
  const headers = await signRequest(
    opts.secret ?? TEST_EVENTS_SECRET,
    { method: 'GET', target, body: '' },
    { timestamp: opts.timestamp },
  )
  return exports.default.fetch(`https://concord.test${target}`, { headers })
}

describe('GET /v1/salesforce/ping', () => {
  it('answers a signed call with the secret that matched and the sender’s clock skew', async () => {
    const behind = Math.floor(Date.now() / 1000) - 42
    const res = await signedGet({ timestamp: behind })
    expect(res.status).toBe(200)
    const text = await res.text()
    const ping = SignedPing.parse(JSON.parse(text))
    expect(ping.key).toBe('current')
    expect(ping.skewSeconds).toBeGreaterThanOrEqual(42)
    expect(ping.skewSeconds).toBeLessThan(52)
    expect(ping.toleranceSeconds).toBe(300)
    expect(text).not.toContain(TEST_EVENTS_SECRET)
    expect(text).not.toMatch(/[0-9a-f]{64}/)
  })

  it('says so when Salesforce still signs with the previous secret', async () => {
    const res = await signedGet({ secret: TEST_EVENTS_SECRET_PREVIOUS })
    expect(res.status).toBe(200)
    const ping = SignedPing.parse(await res.json())
    expect(ping.key).toBe('previous')
    expect(Math.abs(ping.skewSeconds)).toBeLessThan(10)
  })

  it('refuses a wrong secret, a stale timestamp and an unsigned call with 401', async () => {
    const wrong = await signedGet({ secret: 'not-the-secret-not-the-secret-not-the-secret' })
    expect(wrong.status).toBe(401)
    expect((await expectSafeError(wrong)).message).toMatch(/does not match/)
    const stale = await signedGet({ timestamp: Math.floor(Date.now() / 1000) - 600 })
    expect(stale.status).toBe(401)
    expect((await expectSafeError(stale)).message).toMatch(/5 minutes/)
    const unsigned = await exports.default.fetch(`https://concord.test${PING}`)
    expect(unsigned.status).toBe(401)
    await expectSafeError(unsigned)
  })

  it('refuses the same signed call twice', async () => {
    const headers = await signRequest(TEST_EVENTS_SECRET, { method: 'GET', target: PING, body: '' })
    const first = await exports.default.fetch(`https://concord.test${PING}`, { headers })
    expect(first.status).toBe(200)
    const again = await exports.default.fetch(`https://concord.test${PING}`, { headers })
    expect(again.status).toBe(409)
    await expectSafeError(again)
  })
})
