import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NetsuiteSeed } from './index.ts'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

const seed: NetsuiteSeed = {
  items: [{ id: 20, itemId: 'API-CALLS', itemType: 'serviceSaleItem', rate: 0.002 }],
  customers: [{ id: 200, externalId: 'ACC-1', companyName: 'Acme', subsidiary: { id: 1 } }],
}

let fx: Fixture
let token: string

beforeAll(async () => {
  fx = await startFixture({ seed })
})
afterAll(() => fx.emu.close())
beforeEach(async () => {
  await fx.control('reset')
  token = await fx.token()
})

const path = (ref: string) => `/services/rest/record/v1/customrecord_concord_usage/${ref}`
const summary = (quantity: number, extra: Record<string, unknown> = {}) => ({
  name: 'SUB-1 api-calls 2026-11',
  custrecord_concord_usage_customer: { id: '200' },
  custrecord_concord_usage_item: { id: '20' },
  custrecord_concord_usage_subscription: 'SUB-1',
  custrecord_concord_usage_meter: 'api-calls',
  custrecord_concord_usage_period: '2026-11',
  custrecord_concord_usage_quantity: quantity,
  custrecord_concord_usage_records: 3,
  ...extra,
})

async function errorOf(res: Response, status: number) {
  expect(res.status).toBe(status)
  return ((await res.json()) as NsErrorBody)['o:errorDetails'][0]!
}

describe('customrecord_concord_usage (usage summaries)', () => {
  it('upserts one summary per external id and reads it back', async () => {
    const put = (q: number) =>
      fx.call(path('eid:use-1'), { method: 'PUT', token, body: JSON.stringify(summary(q)) })
    expect((await put(120)).status).toBe(204)
    expect((await put(120)).status).toBe(204)
    expect((await put(130)).status).toBe(204)
    const read = await fx.call(path('eid:use-1'), { token })
    expect(await read.json()).toMatchObject({
      externalId: 'use-1',
      custrecord_concord_usage_quantity: 130,
      custrecord_concord_usage_period: '2026-11',
      custrecord_concord_usage_customer: { id: '200' },
    })
    const kinds = fx.emu.effects.all().map((e) => e.kind)
    expect(kinds.filter((k) => k.startsWith('customrecord_concord_usage'))).toEqual([
      'customrecord_concord_usage.upsert.create',
      'customrecord_concord_usage.upsert.noop',
      'customrecord_concord_usage.upsert.update',
    ])
  })

  it('refuses an unknown item or customer, a bad period, a negative quantity and an undeclared field', async () => {
    const put = (body: unknown) =>
      fx.call(path('eid:use-2'), { method: 'PUT', token, body: JSON.stringify(body) })
    const item = await errorOf(
      await put(summary(1, { custrecord_concord_usage_item: { id: '999' } })),
      400,
    )
    expect(item['o:errorPath']).toBe('custrecord_concord_usage_item')
    const customer = await errorOf(
      await put(summary(1, { custrecord_concord_usage_customer: { id: '404' } })),
      400,
    )
    expect(customer['o:errorPath']).toBe('custrecord_concord_usage_customer')
    const period = await errorOf(
      await put(summary(1, { custrecord_concord_usage_period: 'Nov' })),
      400,
    )
    expect(period.detail).toContain('YYYY-MM')
    expect((await errorOf(await put(summary(-1)), 400))['o:errorPath']).toBe(
      'custrecord_concord_usage_quantity',
    )
    const undeclared = await errorOf(await put(summary(1, { custrecord_concord_usage_x: 1 })), 400)
    expect(undeclared.detail).toContain('custrecord_concord_usage_x')
    expect(fx.emu.effects.all().filter((e) => e.kind.startsWith('customrecord'))).toEqual([])
  })
})
