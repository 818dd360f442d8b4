import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NetsuiteSeed } from './index.ts'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

const seed: NetsuiteSeed = {
  items: [{ id: 11, itemId: 'TEAM-SEAT', itemType: 'serviceSaleItem', rate: 20 }],
  customers: [
    { id: 200, externalId: 'ACC-1', companyName: 'Acme', subsidiary: { id: 1 } },
    { id: 201, externalId: 'ACC-2', companyName: 'Globex', subsidiary: { id: 1 } },
  ],
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
const send = (method: string, path: string, body?: unknown) =>
  fx.call(rec(path), { method, token, body: body === undefined ? undefined : JSON.stringify(body) })
const kinds = () => fx.emu.effects.all().map((e) => e.kind)

async function detail(res: Response, status: number) {
  expect(res.status).toBe(status)
  return ((await res.json()) as NsErrorBody)['o:errorDetails'][0]!
}

/** A $200 invoice (10 seats at $20) for customer 200. */
async function invoice(eid = 'INV-1') {
  await send('PUT', `invoice/eid:${eid}`, {
    entity: { id: 200 },
    item: { items: [{ item: { id: 11 }, quantity: 10 }] },
  })
  return fx.emu.netsuite.store.byExternalId('invoice', eid)!
}

describe('POST /record/v1/invoice/{id}/!transform/creditMemo', () => {
  it('credits the invoice’s lines, applied to what it owes, under the external id sent', async () => {
    const inv = await invoice()
    const res = await send('POST', `invoice/${inv.id}/!transform/creditMemo`, {
      externalId: 'req-1-credit',
      memo: 'correlationId=corr-9',
      item: { items: [{ item: { id: 11 }, quantity: 2, rate: 20 }] },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('location')).toMatch(/\/creditmemo\/\d+$/)
    expect(fx.emu.netsuite.record('creditmemo', 'eid:req-1-credit')).toMatchObject({
      total: 40,
      applied: 40,
      createdFrom: { id: String(inv.id) },
      entity: { id: '200' },
    })
    expect(fx.emu.netsuite.record('invoice', inv.id)).toMatchObject({ amountRemaining: 160 })

    // The external id makes a retried transform a refused duplicate, never a second memo.
    const again = await send('POST', `invoice/${inv.id}/!transform/creditMemo`, {
      externalId: 'req-1-credit',
      item: { items: [{ item: { id: 11 }, quantity: 2, rate: 20 }] },
    })
    expect((await detail(again, 400))['o:errorCode']).toBe('DUP_RCRD')
    expect(kinds()).toEqual(['invoice.upsert.create', 'creditmemo.create'])
  })

  it('refuses a pair it cannot transform', async () => {
    const inv = await invoice()
    const res = await send('POST', `invoice/${inv.id}/!transform/salesOrder`, {})
    expect((await detail(res, 400))['o:errorCode']).toBe('INVALID_TRANSFORM')
  })
})

describe('customerRefund', () => {
  it('pays a credit memo out, lowering what it has left, once per external id', async () => {
    await invoice()
    await send('PUT', 'creditmemo/eid:CM-1', {
      entity: { id: 200 },
      item: { items: [{ item: { id: 11 }, quantity: 3, rate: 20 }] },
    })
    const memo = fx.emu.netsuite.store.byExternalId('creditmemo', 'CM-1')!
    expect(fx.emu.netsuite.record('customer', 200)).toMatchObject({ balance: 140 })
    const body = {
      customer: { id: 200 },
      apply: { items: [{ doc: { id: memo.id }, apply: true, amount: 50 }] },
    }
    expect((await send('PUT', 'customerRefund/eid:req-2-refund', body)).status).toBe(204)
    expect((await send('PUT', 'customerRefund/eid:req-2-refund', body)).status).toBe(204)
    expect(fx.emu.netsuite.record('customerRefund', 'eid:req-2-refund')).toMatchObject({
      total: 50,
    })
    expect(fx.emu.netsuite.record('creditmemo', memo.id)).toMatchObject({ amountRemaining: 10 })
    expect(fx.emu.netsuite.record('customer', 200)).toMatchObject({ balance: 190 })
    expect(kinds().filter((k) => k.startsWith('customerRefund'))).toEqual([
      'customerRefund.upsert.create',
      'customerRefund.upsert.noop',
    ])
  })

  it('refuses refunding more than the credit memo has left, or another customer’s credit', async () => {
    await send('PUT', 'creditmemo/eid:CM-2', {
      entity: { id: 200 },
      item: { items: [{ item: { id: 11 }, quantity: 1, rate: 20 }] },
    })
    const memo = fx.emu.netsuite.store.byExternalId('creditmemo', 'CM-2')!
    const over = await send('PUT', 'customerRefund/eid:R-OVER', {
      customer: { id: 200 },
      apply: { items: [{ doc: { id: memo.id }, apply: true, amount: 20.01 }] },
    })
    expect((await detail(over, 400)).detail).toMatch(/exceeds its amount remaining \(20\)/)
    const other = await send('PUT', 'customerRefund/eid:R-OTHER', {
      customer: { id: 201 },
      apply: { items: [{ doc: { id: memo.id }, apply: true, amount: 5 }] },
    })
    expect((await detail(other, 400))['o:errorCode']).toBe('INVALID_KEY_OR_REF')
    expect(kinds().some((k) => k.startsWith('customerRefund'))).toBe(false)
  })
})
