import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NetsuiteSeed } from './index.ts'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

// SuiteTax on sales orders: tax details written by an integration whose tax engine is elsewhere.

const seed: NetsuiteSeed = {
  items: [{ id: 10, itemId: 'PRO-SEAT', itemType: 'serviceSaleItem', rate: 50 }],
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

const rec = (path: string) => `/services/rest/record/v1/${path}`
const put = (path: string, body: unknown, query = '') =>
  fx.call(rec(path) + query, { method: 'PUT', token, body: JSON.stringify(body) })
const get = async (path: string) =>
  (await (await fx.call(rec(path), { token })).json()) as Record<string, unknown>

const order = (extra: Record<string, unknown> = {}) => ({
  entity: { id: 200 },
  item: { items: [{ item: { id: 10 }, quantity: 5, rate: 50 }] },
  ...extra,
})

describe('NetSuite emulator SuiteTax', () => {
  it('lists tax types and tax codes', async () => {
    const code = await get('salesTaxItem/1')
    expect(code).toMatchObject({ itemId: 'US-CA', rate: 7.25, taxType: { id: '1' } })
  })

  it('keeps overridden tax details, sourcing the type from the code, and adds their total to the order total', async () => {
    const res = await put(
      'salesOrder/eid:concord-amd-1',
      order({
        taxDetailsOverride: true,
        taxDetails: {
          items: [
            {
              taxDetailsReference: 'California',
              taxCode: { id: 1 },
              taxBasis: 250,
              taxAmount: 18.13,
            },
          ],
        },
      }),
      '?replace=item,taxDetails',
    )
    expect(res.status).toBe(204)
    const id = res.headers.get('location')?.split('/').pop() ?? ''
    const so = await get(`salesOrder/${id}?expandSubResources=true`)
    expect(so).toMatchObject({ taxDetailsOverride: true, taxTotal: 18.13, total: 268.13 })
    const lines = (so.taxDetails as { items: Array<Record<string, unknown>> }).items
    expect(lines).toEqual([
      expect.objectContaining({
        taxCode: expect.objectContaining({ id: '1' }),
        taxType: expect.objectContaining({ id: '1' }),
        taxRate: 7.25,
        taxBasis: 250,
        taxAmount: 18.13,
      }),
    ])
    // Upserted again with ?replace=taxDetails: the same single line, not a second one.
    await put(
      'salesOrder/eid:concord-amd-1',
      order({
        taxDetailsOverride: true,
        taxDetails: { items: [{ taxCode: { id: 1 }, taxBasis: 250, taxAmount: 18.13 }] },
      }),
      '?replace=item,taxDetails',
    )
    const again = await get(`salesOrder/${id}?expandSubResources=true`)
    expect((again.taxDetails as { items: unknown[] }).items).toHaveLength(1)
    expect(again.taxTotal).toBe(18.13)
  })

  it('refuses tax details without the override, and a tax type that is not the code type', async () => {
    const without = await put(
      'salesOrder/eid:concord-amd-2',
      order({ taxDetails: { items: [{ taxCode: { id: 1 }, taxBasis: 250 }] } }),
    )
    expect(without.status).toBe(400)
    const body = (await without.json()) as NsErrorBody
    expect(body['o:errorDetails'][0]?.['o:errorPath']).toBe('taxDetailsOverride')
    const mismatch = await put(
      'salesOrder/eid:concord-amd-3',
      order({
        taxDetailsOverride: true,
        taxDetails: { items: [{ taxCode: { id: 1 }, taxType: { id: 2 }, taxBasis: 250 }] },
      }),
    )
    expect(mismatch.status).toBe(400)
  })
})
