import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { harness, KEY, START, type Harness } from './fixtures.ts'
import { parseForm } from './form.ts'
import { StripeTestClient } from './test-client.ts'
import type { Customer, Invoice, StripeList } from './types.ts'

let h: Harness
beforeEach(async () => {
  h = await harness()
})
afterEach(async () => {
  await h.emu.close()
})

describe('form decoding', () => {
  it('nests bracketed keys into hashes and arrays', () => {
    const p = parseForm(
      'items[0][price]=p1&items[0][quantity]=2&items[1][id]=si_1&metadata[sf_account_id]=001&expand[]=a&expand[]=b.c',
    )
    expect(p).toEqual({
      items: [{ price: 'p1', quantity: '2' }, { id: 'si_1' }],
      metadata: { sf_account_id: '001' },
      expand: ['a', 'b.c'],
    })
  })
})

describe('Stripe emulator authentication', () => {
  it('refuses a missing key with a Stripe-shaped 401 and changes nothing', async () => {
    const anon = new StripeTestClient(h.emu.url, undefined)
    const res = await anon.post('/v1/customers', { email: 'x@y.z' })
    expect(res.status).toBe(401)
    expect(res.body.error?.type).toBe('invalid_request_error')
    expect(res.body.error?.message).toMatch(/did not provide an API key/)
    expect(h.emu.stripe.store.customers.size).toBe(0)
    expect(h.emu.effects.all()).toHaveLength(0)
  })

  it('refuses a wrong key and masks it in the message', async () => {
    const wrong = new StripeTestClient(h.emu.url, 'sk_test_wrong_key_123456')
    const res = await wrong.get('/v1/customers')
    expect(res.status).toBe(401)
    expect(res.body.error?.message).toMatch(/^Invalid API Key provided: sk_test_\*+3456$/)
    expect(JSON.stringify(res.body)).not.toContain('wrong_key')
  })

  it('accepts the configured key as Bearer or as the Basic username', async () => {
    expect((await h.api.get('/v1/customers')).status).toBe(200)
    const basic = await fetch(`${h.emu.url}/v1/customers`, {
      headers: { authorization: `Basic ${Buffer.from(`${KEY}:`).toString('base64')}` },
    })
    expect(basic.status).toBe(200)
  })
})

describe('Stripe emulator request handling', () => {
  it('rejects JSON bodies and unknown parameters without side effects', async () => {
    const json = await fetch(`${h.emu.url}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.c' }),
    })
    expect(json.status).toBe(400)
    const unknown = await h.api.post('/v1/customers', { emial: 'a@b.c' })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param: 'emial',
    })
    expect(h.emu.stripe.store.customers.size).toBe(0)
  })

  it('answers resource_missing for unknown ids', async () => {
    const res = await h.api.get('/v1/customers/cus_nope')
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({
      code: 'resource_missing',
      message: "No such customer: 'cus_nope'",
      param: 'id',
    })
    expect(res.headers.get('request-id')).toMatch(/^req_/)
  })

  it('creates, updates and retrieves a customer with Stripe fields and metadata rules', async () => {
    const created = await h.api.post<Customer>('/v1/customers', {
      name: 'Acme',
      email: 'ap@acme.test',
      metadata: { sf_account_id: '001A', tier: 'gold' },
    })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({
      object: 'customer',
      livemode: false,
      created: START,
      balance: 0,
      metadata: { sf_account_id: '001A', tier: 'gold' },
    })
    expect(created.body.id).toMatch(/^cus_/)
    const updated = await h.api.post<Customer>(`/v1/customers/${created.body.id}`, {
      name: 'Acme Corp',
      metadata: { tier: '' },
    })
    expect(updated.body.name).toBe('Acme Corp')
    expect(updated.body.metadata).toEqual({ sf_account_id: '001A' })
    const fetched = await h.api.get<Customer>(`/v1/customers/${created.body.id}`)
    expect(fetched.body).toEqual(updated.body)
    expect(h.emu.effects.counts()).toEqual({ 'customer.create': 1, 'customer.update': 1 })
    const events = [...h.emu.stripe.store.events.values()]
    const update = events.find((e) => e.type === 'customer.updated')
    expect(update?.data.previous_attributes).toEqual({
      name: 'Acme',
      metadata: { sf_account_id: '001A', tier: 'gold' },
    })
  })

  it("searches customers by metadata['sf_account_id'] and honours search lag", async () => {
    await h.api.post('/v1/customers', { name: 'A', metadata: { sf_account_id: '001AAA' } })
    const b = await h.api.post<Customer>('/v1/customers', {
      name: 'B',
      metadata: { sf_account_id: '001BBB' },
    })
    const hit = await h.api.get<StripeList<Customer>>('/v1/customers/search', {
      query: "metadata['sf_account_id']:'001BBB'",
    })
    expect(hit.status).toBe(200)
    expect(hit.body).toMatchObject({ object: 'search_result', has_more: false })
    expect(hit.body.data.map((c) => c.id)).toEqual([b.body.id])
    const bad = await h.api.get('/v1/customers/search', { query: 'sf_account_id=1' })
    expect(bad.status).toBe(400)

    h.emu.stripe.ctx.settings.searchLagMs = 60_000
    await h.api.post('/v1/customers', { name: 'C', metadata: { sf_account_id: '001CCC' } })
    const lagging = await h.api.get<StripeList<Customer>>('/v1/customers/search', {
      query: "metadata['sf_account_id']:'001CCC'",
    })
    expect(lagging.body.data).toHaveLength(0)
  })
})

describe('Stripe emulator pagination', () => {
  it('pages customers newest first with limit, starting_after and has_more', async () => {
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await h.api.post<Customer>('/v1/customers', { name: `c${i}` })).body.id)
    const newestFirst = [...ids].reverse()
    const page1 = await h.api.get<StripeList<Customer>>('/v1/customers', { limit: 2 })
    expect(page1.body.data.map((c) => c.id)).toEqual(newestFirst.slice(0, 2))
    expect(page1.body.has_more).toBe(true)
    const page2 = await h.api.get<StripeList<Customer>>('/v1/customers', {
      limit: 2,
      starting_after: page1.body.data[1]?.id,
    })
    expect(page2.body.data.map((c) => c.id)).toEqual(newestFirst.slice(2, 4))
    const page3 = await h.api.get<StripeList<Customer>>('/v1/customers', {
      limit: 2,
      starting_after: page2.body.data[1]?.id,
    })
    expect(page3.body.data.map((c) => c.id)).toEqual(newestFirst.slice(4))
    expect(page3.body.has_more).toBe(false)
    expect((await h.api.get('/v1/customers', { limit: 101 })).status).toBe(400)
  })

  it('lists a customer’s invoices across renewals with pagination', async () => {
    const c = await h.api.post<Customer>('/v1/customers', { name: 'Acme' })
    await h.api.post('/v1/subscriptions', {
      customer: c.body.id,
      items: [{ price: 'price_seat_monthly', quantity: 1 }],
    })
    h.emu.stripe.advance(95 * 86_400)
    const all: Invoice[] = []
    let cursor: string | undefined
    for (;;) {
      const page: { body: StripeList<Invoice> } = await h.api.get<StripeList<Invoice>>(
        '/v1/invoices',
        { customer: c.body.id, limit: 2, starting_after: cursor },
      )
      all.push(...page.body.data)
      if (!page.body.has_more) break
      cursor = page.body.data.at(-1)?.id
    }
    expect(all.map((i) => i.billing_reason)).toEqual([
      'subscription_cycle',
      'subscription_cycle',
      'subscription_cycle',
      'subscription_create',
    ])
    expect(new Set(all.map((i) => i.id)).size).toBe(4)
    expect(all.every((i) => i.status === 'paid')).toBe(true)
  })
})
