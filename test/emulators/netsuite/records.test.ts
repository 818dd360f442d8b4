import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NetsuiteSeed } from './index.ts'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

const seed: NetsuiteSeed = {
  items: [
    { id: 10, itemId: 'PRO-SEAT', itemType: 'serviceSaleItem', rate: 50 },
    { id: 11, itemId: 'TEAM-SEAT', itemType: 'serviceSaleItem', rate: 20 },
  ],
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
const put = (path: string, body: unknown) =>
  fx.call(rec(path), { method: 'PUT', token, body: JSON.stringify(body) })
const effects = () => fx.emu.effects.all()
const kinds = () => effects().map((e) => e.kind)

async function error(res: Response, status: number) {
  expect(res.status).toBe(status)
  const body = (await res.json()) as NsErrorBody
  expect(body.status).toBe(status)
  expect(body.type).toMatch(/^https:\/\/www\.rfc-editor\.org\/rfc\//)
  return body['o:errorDetails'][0]!
}

const order = (quantity: number, extra: Record<string, unknown> = {}) => ({
  entity: { id: 200 },
  memo: 'correlationId=corr-42',
  item: { items: [{ item: { id: 10 }, quantity }] },
  ...extra,
})

describe('PUT /record/v1/{type}/eid:{externalId} (upsert)', () => {
  it('creates, then updates the same record, one effect each, with a Location header', async () => {
    const created = await put('customer/eid:SF-001', {
      companyName: 'Globex',
      subsidiary: { id: 1 },
      custentity_concord_correlation_id: 'c-1',
    })
    expect(created.status).toBe(204)
    expect(await created.text()).toBe('')
    const location = created.headers.get('location')!
    expect(location).toMatch(new RegExp(`^${fx.emu.url}/services/rest/record/v1/customer/\\d+$`))

    const updated = await put('customer/eid:SF-001', {
      companyName: 'Globex International',
      custentity_concord_correlation_id: 'c-2',
    })
    expect(updated.status).toBe(204)
    expect(updated.headers.get('location')).toBe(location)

    const got = (await (await fx.call(rec('customer/eid:SF-001'), { token })).json()) as Record<
      string,
      unknown
    >
    expect(got).toMatchObject({
      id: location.split('/').pop(),
      externalId: 'SF-001',
      companyName: 'Globex International',
      entityId: 'Globex',
    })
    expect(got.subsidiary).toMatchObject({ id: '1', refName: 'Parent Company' })
    expect(effects().map((e) => [e.kind, e.target, e.correlationId])).toEqual([
      ['customer.upsert.create', 'customer:SF-001', 'c-1'],
      ['customer.upsert.update', 'customer:SF-001', 'c-2'],
    ])
  })

  it('records a repeat that changes nothing as a noop and leaves lastModifiedDate alone', async () => {
    await put('customer/eid:SF-002', { companyName: 'Initech', subsidiary: { id: 1 } })
    const before = fx.emu.netsuite.store.byExternalId('customer', 'SF-002')!.lastModifiedAt
    fx.emu.netsuite.clock.advance(5000)
    expect(
      (await put('customer/eid:SF-002', { companyName: 'Initech', subsidiary: { id: '1' } }))
        .status,
    ).toBe(204)
    expect(fx.emu.netsuite.store.byExternalId('customer', 'SF-002')!.lastModifiedAt).toBe(before)
    expect(kinds()).toEqual(['customer.upsert.create', 'customer.upsert.noop'])
  })

  it('appends item lines on a repeated upsert unless ?replace=item, as NetSuite does', async () => {
    await put('salesOrder/eid:SO-1', order(3))
    await put('salesOrder/eid:SO-1', order(3))
    expect(fx.emu.netsuite.record('salesOrder', 'eid:SO-1')).toMatchObject({ total: 300 })
    const replaced = await fx.call(rec('salesOrder/eid:SO-1?replace=item'), {
      method: 'PUT',
      token,
      body: JSON.stringify(order(4)),
    })
    expect(replaced.status).toBe(204)
    const so = fx.emu.netsuite.record('salesOrder', 'eid:SO-1') as {
      total: number
      item: { items: unknown[] }
    }
    expect(so.total).toBe(200)
    expect(so.item.items).toHaveLength(1)
    await fx.call(rec('salesOrder/eid:SO-1?replace=item'), {
      method: 'PUT',
      token,
      body: JSON.stringify(order(4)),
    })
    expect(kinds()).toEqual([
      'salesOrder.upsert.create',
      'salesOrder.upsert.update',
      'salesOrder.upsert.update',
      'salesOrder.upsert.noop',
    ])
    expect(effects().every((e) => e.correlationId === 'corr-42')).toBe(true)
  })

  it.each(['ACME|1', 'has space', 'dot.ted', 'ümlaut'])(
    'refuses the external id %j and stores nothing',
    async (eid) => {
      const detail = await error(
        await put(`customer/eid:${encodeURIComponent(eid)}`, {
          companyName: 'X',
          subsidiary: { id: 1 },
        }),
        400,
      )
      expect(detail['o:errorCode']).toBe('INVALID_ID')
      expect(detail.detail).toMatch(/letters, numbers, underscore/)
      expect(effects()).toEqual([])
      expect(fx.emu.netsuite.store.counts().customer).toBe(1)
    },
  )

  it('refuses a body externalId that disagrees with the URL', async () => {
    const detail = await error(
      await put('customer/eid:A1', { externalId: 'B2', companyName: 'X', subsidiary: { id: 1 } }),
      400,
    )
    expect(detail['o:errorPath']).toBe('externalId')
    expect(effects()).toEqual([])
  })
})

describe('record validation', () => {
  it('answers a bad item reference with INVALID_KEY_OR_REF at its path and stores nothing', async () => {
    const body = order(1, {
      item: { items: [{ item: { id: 10 } }, { item: { id: 999 }, quantity: 2 }] },
    })
    const detail = await error(await put('salesOrder/eid:SO-9', body), 400)
    expect(detail).toMatchObject({
      'o:errorCode': 'INVALID_KEY_OR_REF',
      'o:errorPath': 'item.items[1].item',
    })
    expect(detail.detail).toContain('999')
    expect(fx.emu.netsuite.store.counts().salesOrder ?? 0).toBe(0)
    expect(effects()).toEqual([])
  })

  it.each([
    ['an unknown customer', { entity: { id: 4242 } }, 'INVALID_KEY_OR_REF', 'entity'],
    ['an unknown subsidiary', { subsidiary: { id: 9 } }, 'INVALID_KEY_OR_REF', 'subsidiary'],
    ['no lines', { item: { items: [] } }, 'USER_ERROR', 'item'],
    ['no customer', { entity: null }, 'USER_ERROR', 'entity'],
    ['an unknown field', { discountRate: 5 }, 'INVALID_CONTENT', 'discountRate'],
    ['a read-only field', { total: 5 }, 'INVALID_CONTENT', 'total'],
    [
      'a string where a number belongs',
      { item: { items: [{ item: { id: 10 }, quantity: '3' }] } },
      'INVALID_CONTENT',
      'item.items[0].quantity',
    ],
  ])('refuses a sales order with %s', async (_name, change, code, path) => {
    const detail = await error(await put('salesOrder/eid:SO-X', { ...order(1), ...change }), 400)
    expect(detail).toMatchObject({ 'o:errorCode': code, 'o:errorPath': path })
    expect(effects()).toEqual([])
  })

  it('matches field names case-insensitively and stores them under their REST names', async () => {
    expect(
      (await put('customer/eid:CASE-1', { COMPANYNAME: 'Loud', Subsidiary: { id: 1 } })).status,
    ).toBe(204)
    expect(fx.emu.netsuite.record('customer', 'eid:CASE-1')).toMatchObject({ companyName: 'Loud' })
  })
})

describe('POST, PATCH and GET', () => {
  it('creates with POST (204 + Location) and refuses a second record with the same externalId', async () => {
    const body = JSON.stringify({ companyName: 'Posted', subsidiary: { id: 1 }, externalId: 'P-1' })
    const first = await fx.call(rec('customer'), { method: 'POST', token, body })
    expect(first.status).toBe(204)
    expect(first.headers.get('location')).toMatch(/\/customer\/\d+$/)
    const detail = await error(await fx.call(rec('customer'), { method: 'POST', token, body }), 400)
    expect(detail['o:errorCode']).toBe('DUP_RCRD')
    expect(kinds()).toEqual(['customer.create'])
  })

  it('patches by internal id and by eid, recording updates and noops', async () => {
    const id = fx.emu.netsuite.store.byExternalId('customer', 'ACC-1')!.id
    expect(
      (
        await fx.call(rec(`customer/${id}`), {
          method: 'PATCH',
          token,
          body: '{"email":"ap@acme.example"}',
        })
      ).status,
    ).toBe(204)
    expect(
      (
        await fx.call(rec('customer/eid:ACC-1'), {
          method: 'PATCH',
          token,
          body: '{"email":"ap@acme.example"}',
        })
      ).status,
    ).toBe(204)
    expect(kinds()).toEqual(['customer.update', 'customer.update.noop'])
    expect(fx.emu.netsuite.record('customer', id)).toMatchObject({ email: 'ap@acme.example' })
  })

  it('answers a missing record with 404 NONEXISTENT_ID', async () => {
    expect((await error(await fx.call(rec('invoice/424242'), { token }), 404))['o:errorCode']).toBe(
      'NONEXISTENT_ID',
    )
    expect(
      (
        await error(
          await fx.call(rec('customer/eid:NOPE'), { method: 'PATCH', token, body: '{}' }),
          404,
        )
      )['o:errorCode'],
    ).toBe('NONEXISTENT_ID')
  })

  it('shows sublists as links unless expandSubResources=true', async () => {
    await put('salesOrder/eid:SO-2', order(2))
    const plain = (await (await fx.call(rec('salesOrder/eid:SO-2'), { token })).json()) as {
      item: Record<string, unknown>
    }
    expect(plain.item).toEqual({
      links: [{ rel: 'self', href: expect.stringMatching(/\/salesOrder\/\d+\/item$/) }],
    })
    const expanded = (await (
      await fx.call(rec('salesOrder/eid:SO-2?expandSubResources=true'), { token })
    ).json()) as { item: { items: unknown[] } }
    expect(expanded.item.items).toEqual([
      expect.objectContaining({
        line: 1,
        quantity: 2,
        rate: 50,
        amount: 100,
        item: expect.objectContaining({ id: '10', refName: 'PRO-SEAT' }),
      }),
    ])
  })
})

describe('payments against invoices', () => {
  it('reduces the invoice, bumps its lastModifiedDate and the customer balance', async () => {
    await put('invoice/eid:INV-1', {
      entity: { id: 200 },
      item: { items: [{ item: { id: 11 }, quantity: 10 }] },
    })
    const invoice = fx.emu.netsuite.store.byExternalId('invoice', 'INV-1')!
    const stamped = invoice.lastModifiedAt
    fx.emu.netsuite.clock.advance(2000)
    const pay = await put('customerpayment/eid:PAY-1', {
      customer: { id: 200 },
      payment: 150,
      apply: { items: [{ doc: { id: invoice.id }, apply: true, amount: 150 }] },
    })
    expect(pay.status).toBe(204)
    expect(fx.emu.netsuite.record('invoice', 'eid:INV-1')).toMatchObject({
      total: 200,
      amountPaid: 150,
      amountRemaining: 50,
      status: { id: 'A', refName: 'Open' },
    })
    expect(invoice.lastModifiedAt).toBeGreaterThan(stamped)
    expect(fx.emu.netsuite.record('customer', 200)).toMatchObject({ balance: 50 })
    expect(kinds()).toEqual(['invoice.upsert.create', 'customerpayment.upsert.create'])
  })

  it('refuses applying more than the invoice still owes', async () => {
    await put('invoice/eid:INV-2', {
      entity: { id: 200 },
      item: { items: [{ item: { id: 11 }, quantity: 1 }] },
    })
    const id = fx.emu.netsuite.store.byExternalId('invoice', 'INV-2')!.id
    const detail = await error(
      await put('customerpayment/eid:PAY-2', {
        customer: { id: 200 },
        payment: 500,
        apply: { items: [{ doc: { id }, amount: 100 }] },
      }),
      400,
    )
    expect(detail).toMatchObject({
      'o:errorCode': 'USER_ERROR',
      'o:errorPath': 'apply.items[0].amount',
    })
    expect(fx.emu.netsuite.record('invoice', id)).toMatchObject({ amountRemaining: 20 })
  })
})

describe('SuiteBilling subscriptions and change orders', () => {
  async function subscription() {
    await put('subscription/eid:SUB-1', {
      customer: { id: 200 },
      name: 'Acme Pro',
      subscriptionLine: { items: [{ item: { id: 10 }, quantity: 5 }] },
    })
    return fx.emu.netsuite.store.byExternalId('subscription', 'SUB-1')!.id
  }

  it('applies change orders on their effective date and refuses a second one of the same type that day', async () => {
    const sub = await subscription()
    const today = fx.emu.netsuite.clock.today()
    expect(
      (
        await put('subscriptionChangeOrder/eid:CO-1', {
          action: 'ACTIVATE',
          subscription: { id: sub },
          effectiveDate: today,
        })
      ).status,
    ).toBe(204)
    const modify = {
      action: 'MODIFY_PRICING',
      subscription: { id: sub },
      effectiveDate: '2999-01-01',
      subline: { items: [{ sequence: 1, apply: true, quantityNew: 8 }] },
    }
    expect((await put('subscriptionchangeorder/eid:CO-2', modify)).status).toBe(204)
    expect(fx.emu.netsuite.record('subscription', sub)).toMatchObject({
      status: { id: 'ACTIVE' },
      subscriptionLine: { items: [expect.objectContaining({ quantity: 5 })] },
    })

    const twin = await put('subscriptionChangeOrder/eid:CO-3', modify)
    expect((await error(twin, 400)).detail).toMatch(/only one change order/)

    await fx.control('netsuite/clock', { now: '2999-01-02T00:00:00Z' })
    expect(fx.emu.netsuite.record('subscription', sub)).toMatchObject({
      subscriptionLine: { items: [expect.objectContaining({ quantity: 8, status: 'ACTIVE' })] },
    })
    expect(kinds().filter((k) => k.startsWith('subscriptionChangeOrder'))).toEqual([
      'subscriptionChangeOrder.upsert.create',
      'subscriptionChangeOrder.upsert.create',
    ])
  })
})
