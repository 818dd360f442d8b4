import { env, exports } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { hmacSha256Hex } from '../../worker/lib/hmac.ts'
import type { OpsRegistry } from '../../worker/objects/ops-registry.ts'
import { signRequest } from '../../worker/lib/signature.ts'
import { amendmentEvent, expectSafeError, ledger, newAccountId } from './support/helpers.ts'
import { TEST_EVENTS_SECRET, TEST_EVENTS_SECRET_PREVIOUS } from './support/test-config.ts'

const EVENTS = '/v1/salesforce/events'

afterEach(() => vi.restoreAllMocks())

/** A one-event intake body for a fresh account, so what got stored can be read back. */
function intakeBody(): { account: string; body: string } {
  const account = newAccountId()
  return { account, body: JSON.stringify({ events: [amendmentEvent({ Account_Id__c: account })] }) }
}

function send(
  method: string,
  target: string,
  body: string | undefined,
  headers: Record<string, string>,
): Promise<Response> {
  return exports.default.fetch(`https://concord.test${target}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
}

/** Signs for `signedAs` and sends to `sentTo`; by default both are the same request. */
async function signAndSend(opts: {
  signedAs: { method: string; target: string; body: string }
  sentTo?: { method?: string; target?: string; body?: string }
  secret?: string
  timestamp?: number
}): Promise<Response> {
  const headers = await signRequest(opts.secret ?? TEST_EVENTS_SECRET, opts.signedAs, {
    timestamp: opts.timestamp,
  })
  const method = opts.sentTo?.method ?? opts.signedAs.method
  const body = opts.sentTo?.body ?? opts.signedAs.body
  return send(method, opts.sentTo?.target ?? opts.signedAs.target, body || undefined, headers)
}

/** A refusal in the public error shape, with no secret, signature or hash in it. */
async function expectRefused(
  res: Response,
  status: number,
  message: RegExp,
): Promise<{ code: string }> {
  expect(res.status).toBe(status)
  const error = await expectSafeError(res)
  expect(error.message).toMatch(message)
  expect(JSON.stringify(error)).not.toMatch(/[0-9a-f]{64}|not-for-production/)
  return error
}

async function stored(account: string): Promise<number> {
  const summary = await ledger(account).summary()
  return Object.values(summary?.counts ?? {}).reduce((a, b) => a + b, 0)
}

describe('X-Concord-Signature v2 on the signed routes', () => {
  it('refuses a signature made for another method', async () => {
    const { account, body } = intakeBody()
    const res = await signAndSend({
      signedAs: { method: 'PUT', target: EVENTS, body },
      sentTo: { method: 'POST' },
    })
    await expectRefused(res, 401, /does not match/)
    expect(await stored(account)).toBe(0)
  })

  it('refuses a signature made for another route, or with another query', async () => {
    const { account, body } = intakeBody()
    const elsewhere = await signAndSend({
      signedAs: { method: 'POST', target: '/v1/amendments/preview', body },
      sentTo: { target: EVENTS },
    })
    await expectRefused(elsewhere, 401, /does not match/)
    const query = await signAndSend({
      signedAs: { method: 'GET', target: '/v1/catalog', body: '' },
      sentTo: { target: '/v1/catalog?currency=usd' },
    })
    await expectRefused(query, 401, /does not match/)
    expect(await stored(account)).toBe(0)
  })

  it('refuses a valid signature moved onto another body', async () => {
    const a = intakeBody()
    const b = intakeBody()
    const res = await signAndSend({
      signedAs: { method: 'POST', target: EVENTS, body: a.body },
      sentTo: { body: b.body },
    })
    await expectRefused(res, 401, /does not match/)
    expect(await stored(a.account)).toBe(0)
    expect(await stored(b.account)).toBe(0)
  })

  it('refuses the same signed request the second time, before it has any effect', async () => {
    const { account, body } = intakeBody()
    const headers = await signRequest(TEST_EVENTS_SECRET, { method: 'POST', target: EVENTS, body })
    const first = await send('POST', EVENTS, body, headers)
    expect(first.status).toBe(200)
    expect(await stored(account)).toBe(1)
    const again = await send('POST', EVENTS, body, headers)
    const error = await expectRefused(again, 409, /already received/)
    expect(error.code).toBe('replayed_request')
    // Upper-case hex is the same signature: the memory keys the request, not the header text.
    const hex = (headers['X-Concord-Signature'] ?? '').slice('v2='.length)
    const shouted = { ...headers, 'X-Concord-Signature': `v2=${hex.toUpperCase()}` }
    await expectRefused(await send('POST', EVENTS, body, shouted), 409, /already received/)
    expect(await stored(account)).toBe(1)
    expect(await env.OPS_REGISTRY.getByName('global').rememberedRequests()).toBeGreaterThan(0)
  })

  it('refuses a replayed catalog read too, and lets the same read with a new nonce through', async () => {
    const request = { method: 'GET', target: '/v1/catalog', body: '' }
    const timestamp = Math.floor(Date.now() / 1000)
    const headers = await signRequest(TEST_EVENTS_SECRET, request, { timestamp })
    expect((await send('GET', '/v1/catalog', undefined, headers)).status).toBe(200)
    await expectRefused(await send('GET', '/v1/catalog', undefined, headers), 409, /already/)
    // Two reps opening the action in the same second send identical requests but two nonces.
    const sameSecond = await signRequest(TEST_EVENTS_SECRET, request, { timestamp })
    expect((await send('GET', '/v1/catalog', undefined, sameSecond)).status).toBe(200)
  })

  it('accepts the current and the previous secret during a rotation, and refuses a third', async () => {
    for (const secret of [TEST_EVENTS_SECRET, TEST_EVENTS_SECRET_PREVIOUS]) {
      const { account, body } = intakeBody()
      const res = await signAndSend({ signedAs: { method: 'POST', target: EVENTS, body }, secret })
      expect(res.status).toBe(200)
      expect(await stored(account)).toBe(1)
    }
    const { account, body } = intakeBody()
    const third = await signAndSend({
      signedAs: { method: 'POST', target: EVENTS, body },
      secret: 'a-third-secret-that-was-never-configured-0123',
    })
    await expectRefused(third, 401, /does not match/)
    expect(await stored(account)).toBe(0)
  })

  it.each([
    ['stale', -360],
    ['future', 360],
  ])('refuses a %s timestamp on the catalog and the preview', async (_label, skew) => {
    const timestamp = Math.floor(Date.now() / 1000) + skew
    const catalog = await signAndSend({
      signedAs: { method: 'GET', target: '/v1/catalog', body: '' },
      timestamp,
    })
    await expectRefused(catalog, 401, /5 minutes/)
    const preview = await signAndSend({
      signedAs: { method: 'POST', target: '/v1/amendments/preview', body: '{}' },
      timestamp,
    })
    await expectRefused(preview, 401, /5 minutes/)
  })

  it('refuses the old v1 scheme with a message that v2 is required', async () => {
    const { account, body } = intakeBody()
    const timestamp = String(Math.floor(Date.now() / 1000))
    const v1 = await hmacSha256Hex(TEST_EVENTS_SECRET, `${timestamp}.${body}`)
    const res = await send('POST', EVENTS, body, {
      'X-Concord-Timestamp': timestamp,
      'X-Concord-Signature': `v1=${v1}`,
    })
    await expectRefused(res, 401, /v1 is no longer accepted: v2 is required/)
    expect(await stored(account)).toBe(0)
  })

  it('refuses a v2 signature without its nonce', async () => {
    const { account, body } = intakeBody()
    const headers = await signRequest(TEST_EVENTS_SECRET, { method: 'POST', target: EVENTS, body })
    const withoutNonce = { ...headers }
    delete withoutNonce['X-Concord-Nonce']
    await expectRefused(await send('POST', EVENTS, body, withoutNonce), 401, /X-Concord-Nonce/)
    expect(await stored(account)).toBe(0)
  })

  it('refuses to go on, retryably, when the replay memory cannot be reached', async () => {
    const down = {
      rememberRequest: () => Promise.reject(new Error('ops registry reset at seen_request.ts:12')),
    }
    vi.spyOn(env.OPS_REGISTRY, 'getByName').mockImplementation(
      () => down as unknown as DurableObjectStub<OpsRegistry>,
    )
    const { account, body } = intakeBody()
    const res = await signAndSend({ signedAs: { method: 'POST', target: EVENTS, body } })
    expect(res.headers.get('retry-after')).toBe('5')
    await expectRefused(res, 503, /could not check this request/)
    vi.restoreAllMocks()
    expect(await stored(account)).toBe(0)
  })
})
