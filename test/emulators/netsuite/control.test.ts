import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture({ startAt: '2026-05-01T09:00:00Z', freezeClock: true })
})
afterAll(() => fx.emu.close())
beforeEach(() => fx.control('reset'))

const post = async (action: string, body: unknown = {}) => {
  const res = await fetch(`${fx.emu.url}/__control/netsuite/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

const customerRow = async (eid: string) => {
  const res = await fx.suiteql(
    `SELECT oncredithold, creditholdoverride, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM customer WHERE externalid = '${eid}'`,
  )
  return ((await res.json()) as { items: Array<Record<string, string>> }).items[0]!
}

describe('POST /__control/netsuite/<action>', () => {
  it('seeds records through the same validation as REST and answers their ids, without effects', async () => {
    const seeded = await post('seed', {
      customers: [{ externalId: 'CTL-1', companyName: 'Control Co', subsidiary: { id: 1 } }],
      invoices: [
        { externalId: 'CTL-INV', entity: 'eid:CTL-1', amount: 99.5, dueDate: '2026-04-01' },
      ],
    })
    expect(seeded.status).toBe(200)
    expect(seeded.body.created).toEqual({
      customers: [{ id: expect.any(Number), externalId: 'CTL-1' }],
      invoices: [{ id: expect.any(Number), externalId: 'CTL-INV' }],
    })
    expect(fx.emu.netsuite.record('customer', 'eid:CTL-1')).toMatchObject({
      balance: 99.5,
      overdueBalance: 99.5,
      daysOverdue: 30,
    })
    expect(fx.emu.effects.all()).toEqual([])
  })

  it('answers a seed NetSuite would refuse with the NetSuite error', async () => {
    const bad = await post('seed', { customers: [{ externalId: 'CTL-2', companyName: 'No Sub' }] })
    expect(bad.status).toBe(400)
    expect((bad.body as unknown as NsErrorBody)['o:errorDetails'][0]).toMatchObject({
      'o:errorCode': 'USER_ERROR',
      'o:errorPath': 'subsidiary',
    })
    expect(fx.emu.netsuite.store.byExternalId('customer', 'CTL-2')).toBeUndefined()
  })

  it('puts a customer on credit hold, visible to SuiteQL, with a newer lastmodifieddate', async () => {
    await post('seed', {
      customers: [{ externalId: 'CTL-3', companyName: 'Holdable', subsidiary: { id: 1 } }],
    })
    const before = await customerRow('CTL-3')
    expect(before).toMatchObject({ oncredithold: 'F', creditholdoverride: 'AUTO' })
    await post('clock', { advanceMs: 60_000 })
    expect((await post('credit-hold', { customer: 'eid:CTL-3', value: 'ON' })).body).toMatchObject({
      creditHoldOverride: 'ON',
    })
    const after = await customerRow('CTL-3')
    expect(after).toMatchObject({
      oncredithold: 'T',
      creditholdoverride: 'ON',
      modified: '2026-05-01 09:01:00',
    })
    expect(before.modified).toBe('2026-05-01 09:00:00')
  })

  it('touches a record and shows it expanded through `record`', async () => {
    await post('seed', {
      customers: [{ externalId: 'CTL-4', companyName: 'Touchy', subsidiary: { id: 1 } }],
    })
    await post('clock', { advanceDays: 2 })
    expect((await post('touch', { type: 'customer', ref: 'eid:CTL-4' })).body).toMatchObject({
      lastModified: '2026-05-03T09:00:00.000Z',
    })
    const shown = await post('record', { type: 'customer', ref: 'eid:CTL-4' })
    expect(shown.body).toMatchObject({
      companyName: 'Touchy',
      lastModifiedDate: '2026-05-03T09:00:00Z',
      dateCreated: '2026-05-01T09:00:00Z',
    })
  })

  it('edits a record as a person would in the UI, and deletes one, without effects', async () => {
    await post('seed', {
      customers: [{ externalId: 'CTL-5', companyName: 'Editable', subsidiary: { id: 1 } }],
      invoices: [{ externalId: 'CTL-INV-5', entity: 'eid:CTL-5', amount: 10 }],
    })
    await post('clock', { advanceMs: 60_000 })
    const edited = await post('edit', {
      type: 'invoice',
      ref: 'eid:CTL-INV-5',
      body: { memo: 'changed by hand' },
    })
    expect(edited.body).toMatchObject({ lastModified: '2026-05-01T09:01:00.000Z' })
    expect((await post('record', { type: 'invoice', ref: 'eid:CTL-INV-5' })).body).toMatchObject({
      memo: 'changed by hand',
    })
    expect((await post('delete', { type: 'invoice', ref: 'eid:CTL-INV-5' })).status).toBe(200)
    expect((await post('record', { type: 'invoice', ref: 'eid:CTL-INV-5' })).status).toBe(404)
    const rows = await fx.suiteql(`SELECT id FROM transaction WHERE externalid = 'CTL-INV-5'`)
    expect(((await rows.json()) as { items: unknown[] }).items).toEqual([])
    expect(fx.emu.effects.all()).toEqual([])
  })

  it('answers 404 for an unknown action or record', async () => {
    expect((await post('nope')).status).toBe(404)
    expect((await post('pay-invoice', { invoice: 'eid:MISSING' })).status).toBe(404)
  })
})
