import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

let fx: Fixture
let token: string

beforeAll(async () => {
  fx = await startFixture({
    seed: { customers: [{ externalId: 'SEEDED', companyName: 'Seeded', subsidiary: { id: 1 } }] },
  })
})
afterAll(() => fx.emu.close())
beforeEach(async () => {
  await fx.control('reset')
  token = await fx.token()
})

const upsert = () =>
  fx.call('/services/rest/record/v1/customer/eid:F-1', {
    method: 'PUT',
    token,
    body: JSON.stringify({ companyName: 'Faulty', subsidiary: { id: 1 } }),
  })
const counts = async () =>
  (
    (await (await fetch(`${fx.emu.url}/__control/effects`)).json()) as {
      counts: Record<string, number>
    }
  ).counts

describe('fault injection', () => {
  it('answers an injected 503 in NetSuite shape with no effect; the retry creates exactly once', async () => {
    await fx.control('faults', {
      rules: [{ route: 'PUT /services/rest/record/v1/customer', status: 503, count: 1 }],
    })
    const first = await upsert()
    expect(first.status).toBe(503)
    const body = (await first.json()) as NsErrorBody
    expect(body).toMatchObject({ status: 503, title: 'Service Unavailable' })
    expect(body['o:errorDetails'][0]!['o:errorCode']).toBeTruthy()
    expect(fx.emu.netsuite.store.byExternalId('customer', 'F-1')).toBeUndefined()

    expect((await upsert()).status).toBe(204)
    expect(await counts()).toEqual({ 'customer.upsert.create': 1 })
  })

  it('loses the response after the write; the retried upsert is a noop, so the create happened once', async () => {
    await fx.control('faults', {
      rules: [
        {
          route: 'PUT /services/rest/record/v1/customer',
          status: 500,
          count: 1,
          afterEffect: true,
        },
      ],
    })
    expect((await upsert()).status).toBe(500)
    expect(fx.emu.netsuite.store.byExternalId('customer', 'F-1')).toBeDefined()
    expect((await upsert()).status).toBe(204)
    expect(await counts()).toEqual({ 'customer.upsert.create': 1, 'customer.upsert.noop': 1 })
  })

  it('injects a 429 with Retry-After on SuiteQL only', async () => {
    await fx.control('faults', {
      rules: [{ route: '/suiteql', status: 429, retryAfter: 2, count: 1 }],
    })
    const refused = await fx.suiteql('SELECT id FROM customer')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('2')
    expect(((await refused.json()) as NsErrorBody)['o:errorDetails'][0]!['o:errorCode']).toBe(
      'CONCURRENCY_LIMIT_EXCEEDED',
    )
    expect((await fx.suiteql('SELECT id FROM customer')).status).toBe(200)
  })

  it('takes SuiteQL down for an outage while records keep answering', async () => {
    await fx.control('outage', { seconds: 30, route: 'POST /services/rest/query/v1/suiteql' })
    const down = await fx.suiteql('SELECT id FROM customer')
    expect(down.status).toBe(503)
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await fx.call('/services/rest/record/v1/customer/eid:SEEDED', { token })).status).toBe(
      200,
    )
  })

  it('resets to the seed: records, effects, tokens and faults all start over', async () => {
    expect((await upsert()).status).toBe(204)
    await fx.control('faults', { rules: [{ route: 'GET', status: 500 }] })
    await fx.control('reset')
    expect(fx.emu.netsuite.store.byExternalId('customer', 'F-1')).toBeUndefined()
    expect(fx.emu.netsuite.store.byExternalId('customer', 'SEEDED')).toBeDefined()
    expect(await counts()).toEqual({})
    expect((await fx.call('/services/rest/record/v1/customer/eid:SEEDED', { token })).status).toBe(
      401,
    )
    expect((await fx.call('/services/rest/record/v1/customer/eid:SEEDED')).status).toBe(200)
  })
})
