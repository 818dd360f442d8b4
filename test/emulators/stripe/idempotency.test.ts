import { afterEach, describe, expect, it } from 'vitest'
import { customerWithSubscription, harness, type Harness } from './fixtures.ts'
import { StripeTestClient } from './test-client.ts'
import type { Customer, Subscription } from './types.ts'

let h: Harness
afterEach(async () => {
  await h.emu.close()
})

describe('Idempotency-Key', () => {
  it('replays the first response for the same parameters and records the effect once', async () => {
    h = await harness()
    const params = { name: 'Acme', metadata: { sf_account_id: '001X', correlation_id: 'c-1' } }
    const first = await h.api.post<Customer>('/v1/customers', params, 'acct-001X:customer')
    const again = await h.api.post<Customer>('/v1/customers', params, 'acct-001X:customer')
    expect(first.status).toBe(200)
    expect(again.status).toBe(200)
    expect(again.body).toEqual(first.body)
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(again.headers.get('original-request')).toBe(first.headers.get('request-id'))
    expect(h.emu.stripe.store.customers.size).toBe(1)
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 1 })
    expect(h.emu.effects.all()[0]?.correlationId).toBe('c-1')
    expect(
      [...h.emu.stripe.store.events.values()].filter((e) => e.type === 'customer.created'),
    ).toHaveLength(1)
  })

  it('refuses the same key with different parameters or on another endpoint', async () => {
    h = await harness()
    await h.api.post('/v1/customers', { name: 'Acme' }, 'k-1')
    const mismatch = await h.api.post('/v1/customers', { name: 'Other' }, 'k-1')
    expect(mismatch.status).toBe(400)
    expect(mismatch.body.error?.type).toBe('idempotency_error')
    expect(mismatch.body.error?.message).toMatch(
      /^Keys for idempotent requests can only be used with the same parameters they were first used with\. Try using a key other than 'k-1'/,
    )
    const elsewhere = await h.api.post('/v1/products', { name: 'Acme' }, 'k-1')
    expect(elsewhere.status).toBe(400)
    expect(elsewhere.body.error?.type).toBe('idempotency_error')
    expect(h.emu.stripe.store.customers.size).toBe(1)
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 1 })
  })

  it('does not store a request that failed validation, so the key can be reused', async () => {
    h = await harness()
    const bad = await h.api.post(
      '/v1/subscriptions',
      { customer: 'cus_missing', items: [{ price: 'price_seat_monthly' }] },
      'k-sub',
    )
    // A missing object named in a parameter is a 400 (a 404 is for the URL's own id).
    expect(bad.status).toBe(400)
    expect(bad.body.error).toMatchObject({ code: 'resource_missing', param: 'customer' })
    const c = await h.api.post<Customer>('/v1/customers', { name: 'Acme' })
    const good = await h.api.post<Subscription>(
      '/v1/subscriptions',
      { customer: c.body.id, items: [{ price: 'price_seat_monthly' }] },
      'k-sub',
    )
    expect(good.status).toBe(200)
    expect(good.headers.get('idempotent-replayed')).toBeNull()
    expect(h.emu.effects.counts()['subscription.create']).toBe(1)
  })

  it('scopes keys per API key', async () => {
    h = await harness({ extraApiKeys: ['sk_test_other'] })
    const other = new StripeTestClient(h.emu.url, 'sk_test_other')
    const a = await h.api.post<Customer>('/v1/customers', { name: 'A' }, 'shared')
    const b = await other.post<Customer>('/v1/customers', { name: 'B' }, 'shared')
    expect(b.status).toBe(200)
    expect(b.body.id).not.toBe(a.body.id)
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 2 })
  })

  it('answers 409 while the first request with the key is still running', async () => {
    h = await harness({ lockHoldMs: 150 })
    const [one, two] = await Promise.all([
      h.api.post('/v1/customers', { name: 'A' }, 'dup'),
      h.api.post('/v1/customers', { name: 'A' }, 'dup'),
    ])
    expect([one.status, two.status].sort()).toEqual([200, 409])
    expect((one.status === 409 ? one : two).body.error?.type).toBe('idempotency_error')
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 1 })
  })
})

describe('lock_timeout', () => {
  it('answers 429 lock_timeout to the second of two overlapping writes to one subscription', async () => {
    h = await harness()
    const { sub } = await customerWithSubscription(h.api, { quantity: 5 })
    h.emu.stripe.setLockHoldMs(150)
    const si = sub.items.data[0]?.id
    const [a, b] = await Promise.all([
      h.api.post(`/v1/subscriptions/${sub.id}`, { items: [{ id: si, quantity: 6 }] }, 'upd-a'),
      h.api.post(`/v1/subscriptions/${sub.id}`, { items: [{ id: si, quantity: 7 }] }, 'upd-b'),
    ])
    const statuses = [a.status, b.status].sort()
    expect(statuses).toEqual([200, 429])
    const loser = a.status === 429 ? a : b
    expect(loser.body.error).toMatchObject({ type: 'invalid_request_error', code: 'lock_timeout' })
    expect(loser.headers.get('stripe-should-retry')).toBe('true')
    expect(h.emu.effects.counts()['subscription.update']).toBe(1)

    // The conflict was not stored: retrying the loser's key now runs it.
    h.emu.stripe.setLockHoldMs(0)
    const retry = await h.api.post<Subscription>(
      `/v1/subscriptions/${sub.id}`,
      { items: [{ id: si, quantity: a.status === 429 ? 6 : 7 }] },
      a.status === 429 ? 'upd-a' : 'upd-b',
    )
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBeNull()
    expect(h.emu.effects.counts()['subscription.update']).toBe(2)
  })

  it('lets writes to different subscriptions proceed in parallel', async () => {
    h = await harness()
    const one = await customerWithSubscription(h.api)
    const two = await customerWithSubscription(h.api)
    await h.api.control('stripe/lock', { holdMs: 100 })
    const res = await Promise.all([
      h.api.post(`/v1/subscriptions/${one.sub.id}`, { metadata: { a: '1' } }),
      h.api.post(`/v1/subscriptions/${two.sub.id}`, { metadata: { a: '1' } }),
    ])
    expect(res.map((r) => r.status)).toEqual([200, 200])
  })
})

describe('fault injection', () => {
  it('answers an injected 429 with a Stripe rate_limit body and Retry-After, then recovers', async () => {
    h = await harness()
    await h.api.control('faults', {
      rules: [{ route: 'POST /v1/customers', status: 429, retryAfter: 2, count: 1 }],
    })
    const limited = await h.api.post('/v1/customers', { name: 'A' }, 'k-rl')
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('2')
    expect(limited.body.error).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit' })
    expect(h.emu.stripe.store.customers.size).toBe(0)
    const retried = await h.api.post('/v1/customers', { name: 'A' }, 'k-rl')
    expect(retried.status).toBe(200)
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 1 })
  })

  it('answers injected 500/503 as api_error', async () => {
    h = await harness()
    await h.api.control('faults', {
      rules: [
        { route: '/v1/customers', status: 503, count: 1 },
        { route: '/v1/customers', status: 500, count: 1 },
      ],
    })
    const a = await h.api.get('/v1/customers')
    const b = await h.api.get('/v1/customers')
    expect([a.status, b.status]).toEqual([503, 500])
    expect(a.body.error?.type).toBe('api_error')
    expect(b.body.error?.type).toBe('api_error')
  })

  it('replays the real result after a lost response (afterEffect), with one effect', async () => {
    h = await harness()
    await h.api.control('faults', {
      rules: [{ route: 'POST /v1/customers', status: 500, afterEffect: true, count: 1 }],
    })
    const lost = await h.api.post('/v1/customers', { name: 'A' }, 'k-lost')
    expect(lost.status).toBe(500)
    expect(h.emu.stripe.store.customers.size).toBe(1)
    const retry = await h.api.post<Customer>('/v1/customers', { name: 'A' }, 'k-lost')
    expect(retry.status).toBe(200)
    expect(retry.headers.get('idempotent-replayed')).toBe('true')
    expect(retry.body.id).toBe([...h.emu.stripe.store.customers.keys()][0])
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 1 })
  })
})
