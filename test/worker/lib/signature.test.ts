import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import shared from '../../../sfdx/main/default/staticresources/ConcordSignatureVectors.json'
import { AppError } from '../../../worker/errors.ts'
import { hmacSha256Hex, sha256Hex } from '../../../worker/lib/hmac.ts'
import {
  canonicalString,
  signRequest,
  verifyRequestSignature,
} from '../../../worker/lib/signature.ts'
import { ReplayMemory } from '../../../worker/ops/replay-memory.ts'

type Vector = (typeof shared.vectors)[number]
const [vector] = shared.vectors as [Vector]
const OTHER_SECRET = 'z'.repeat(40)
const bytes = (text: string) => new TextEncoder().encode(text)

/** The inputs of `verifyRequestSignature` for a vector, as the route would pass them. */
function asReceived(v: Vector, overrides: Partial<Parameters<typeof verifyRequestSignature>[0]>) {
  return {
    timestamp: v.timestamp,
    nonce: v.nonce,
    signature: `v2=${v.signature}`,
    method: v.method,
    target: v.path,
    rawBody: bytes(v.body),
    secrets: [v.secret],
    nowSeconds: Number(v.timestamp),
    ...overrides,
  }
}

/** The error `verifyRequestSignature` throws, checked to be a 401 that gives nothing away. */
async function refusal(input: Parameters<typeof verifyRequestSignature>[0]): Promise<AppError> {
  const error = await verifyRequestSignature(input).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof AppError)) throw new Error(`expected a refusal, got ${String(error)}`)
  expect(error.status).toBe(401)
  expect(error.message).not.toMatch(/[0-9a-f]{64}/)
  for (const secret of input.secrets) expect(error.message).not.toContain(secret)
  return error
}

describe('canonicalString and signRequest', () => {
  it.each(shared.vectors.map((v) => [v.name, v]))(
    'reproduce the shared vector: %s',
    async (_name, v) => {
      const parts = { ...v, target: v.path }
      expect(await canonicalString(parts)).toBe(v.canonical)
      expect(await sha256Hex(bytes(v.body))).toBe(v.bodySha256)
      const headers = await signRequest(v.secret, parts, { timestamp: v.timestamp, nonce: v.nonce })
      expect(headers).toEqual({
        'X-Concord-Timestamp': v.timestamp,
        'X-Concord-Nonce': v.nonce,
        'X-Concord-Signature': `v2=${v.signature}`,
      })
    },
  )

  it('draws a new nonce for each request', async () => {
    const request = { method: 'GET', target: '/v1/catalog', body: '' }
    const a = await signRequest(vector.secret, request, { timestamp: 1 })
    const b = await signRequest(vector.secret, request, { timestamp: 1 })
    expect(a['X-Concord-Nonce']).toMatch(/^[0-9a-f]{32}$/)
    expect(a['X-Concord-Nonce']).not.toBe(b['X-Concord-Nonce'])
    expect(a['X-Concord-Signature']).not.toBe(b['X-Concord-Signature'])
  })
})

describe('verifyRequestSignature', () => {
  it.each(shared.vectors.map((v) => [v.name, v]))(
    'accepts the shared vector and keys it by its canonical string: %s',
    async (_name, v) => {
      const verified = await verifyRequestSignature(asReceived(v, {}))
      expect(verified).toEqual({
        replayKey: await sha256Hex(v.canonical),
        rememberUntil: Number(v.timestamp) + 300 + 60,
        secretIndex: 0,
        skewSeconds: 0,
      })
    },
  )

  it('accepts the current and the previous secret during a rotation, and refuses a third', async () => {
    const [current, previous] = [vector.secret, OTHER_SECRET]
    const signedWith = async (secret: string) =>
      `v2=${await hmacSha256Hex(secret, vector.canonical)}`
    const secrets = [current, previous]
    const a = await verifyRequestSignature(asReceived(vector, { secrets }))
    const b = await verifyRequestSignature(
      asReceived(vector, { secrets, signature: await signedWith(previous) }),
    )
    // The same request under either key is one request to the replay memory.
    expect(b.replayKey).toBe(a.replayKey)
    expect([a.secretIndex, b.secretIndex]).toEqual([0, 1])
    const third = await refusal(
      asReceived(vector, { secrets, signature: await signedWith('y'.repeat(40)) }),
    )
    expect(third.message).toMatch(/does not match/)
  })

  it('accepts any one of several offered v2 values', async () => {
    const signature = `v2=${'0'.repeat(64)}, v2=${vector.signature}`
    await expect(verifyRequestSignature(asReceived(vector, { signature }))).resolves.toBeDefined()
  })

  it.each([
    ['another method', { method: 'PUT' }],
    ['another path', { target: '/v1/amendments/preview' }],
    ['a query added', { target: `${vector.path}?dryRun=1` }],
    ['another body', { rawBody: bytes('{"events":[{}]}') }],
    ['another nonce', { nonce: `${vector.nonce.slice(0, -1)}0` }],
    ['another timestamp', { timestamp: String(Number(vector.timestamp) + 1) }],
  ])('refuses the signature for %s', async (_label, change) => {
    expect((await refusal(asReceived(vector, change))).message).toMatch(/does not match/)
  })

  it.each([
    ['stale', -301],
    ['future', 301],
  ])('refuses a %s timestamp beyond the 5-minute window', async (_label, skew) => {
    const nowSeconds = Number(vector.timestamp) - skew
    expect((await refusal(asReceived(vector, { nowSeconds }))).message).toMatch(/5 minutes/)
  })

  it('refuses the old v1 scheme, saying v2 is required', async () => {
    const v1 = await hmacSha256Hex(vector.secret, `${vector.timestamp}.${vector.body}`)
    const error = await refusal(asReceived(vector, { signature: `v1=${v1}`, nonce: undefined }))
    expect(error.message).toMatch(/v1 is no longer accepted: v2 is required/)
  })

  it.each([
    ['no nonce', undefined, /Missing X-Concord-Nonce/],
    ['a short nonce', 'abc', /16 to 64/],
    ['a nonce with a line feed', `${vector.nonce}\nPOST`, /16 to 64/],
  ])('refuses %s', async (_label, nonce, message) => {
    expect((await refusal(asReceived(vector, { nonce }))).message).toMatch(message)
  })
})

describe('ReplayMemory (in the OpsRegistry)', () => {
  /** Runs `use` on the replay memory of a fresh OpsRegistry instance, inside the object. */
  const withMemory = <T>(name: string, use: (replays: ReplayMemory) => T) =>
    runInDurableObject(env.OPS_REGISTRY.getByName(name), (_o, state) =>
      use(new ReplayMemory(state.storage.sql)),
    )

  it('lets a key through once within its window, then reports it replayed', async () => {
    const results = await withMemory('replay-once', (replays) => [
      replays.remember('key-a', 2_000, 1_000),
      replays.remember('key-a', 2_000, 1_500),
      replays.remember('key-b', 2_000, 1_500),
    ])
    expect(results.map((r) => r.status)).toEqual(['first', 'replayed', 'first'])
  })

  it('drops keys whose window has closed, so the table holds only recent requests', async () => {
    const sizes = await withMemory('replay-prune', (replays) => {
      replays.remember('old', 100, 50)
      replays.remember('recent', 10_000, 90)
      const before = replays.size()
      replays.remember('new', 10_000, 101)
      return { before, after: replays.size(), recent: replays.remember('recent', 10_000, 102) }
    })
    expect(sizes).toEqual({ before: 2, after: 2, recent: { status: 'replayed' } })
  })
})
