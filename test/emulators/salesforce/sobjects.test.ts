import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestOrg, type TestOrg } from './test-support.ts'

describe('single-record sObject resources', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ seed: true })
  })
  afterEach(() => org.close())

  it('upserts by external id (201 created, then 200 updated) and reads the record back', async () => {
    const created = await org.api(
      'PATCH',
      '/sobjects/Subscription_Sync__c/External_Id__c/3f1c2c55-7f61-4c9e-a35c-0d9b1f0d6c11',
      { Status__c: 'received', Sequence__c: 1 },
    )
    expect(created).toMatchObject({
      status: 201,
      body: { success: true, created: true, errors: [] },
    })
    const updated = await org.api(
      'PATCH',
      '/sobjects/Subscription_Sync__c/External_Id__c/3f1c2c55-7f61-4c9e-a35c-0d9b1f0d6c11',
      { Status__c: 'applied' },
    )
    expect(updated).toMatchObject({ status: 200, body: { id: created.body.id, created: false } })
    const read = await org.api('GET', `/sobjects/Subscription_Sync__c/${created.body.id}`)
    expect(read.body).toMatchObject({
      attributes: {
        type: 'Subscription_Sync__c',
        url: `/services/data/v65.0/sobjects/Subscription_Sync__c/${created.body.id}`,
      },
      Id: created.body.id,
      Status__c: 'applied',
      Sequence__c: 1,
      Name: 'SYNC-000001',
    })
    expect(read.body.SystemModstamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/)
    const bad = await org.api('PATCH', '/sobjects/Subscription_Sync__c/External_Id__c/e-2', {
      Status__c: 'lost',
    })
    expect(bad).toMatchObject({
      status: 400,
      body: [{ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status__c'] }],
    })
  })

  it('reads an Account with its standard fields by 15- or 18-character id, and 404s an unknown one', async () => {
    const id = org.emu.sf.seed().accountIds[1] ?? ''
    const full = await org.api('GET', `/sobjects/Account/${id}`)
    expect(full.body).toMatchObject({
      Name: 'Blue Harbor Foods Ltd',
      BillingCity: 'London',
      CurrencyIsoCode: 'GBP',
      Concord_Legal_Entity__c: 'UK-LTD',
    })
    expect((await org.api('GET', `/sobjects/Account/${id.slice(0, 15)}?fields=Name`)).body).toEqual(
      { attributes: full.body.attributes, Name: 'Blue Harbor Foods Ltd' },
    )
    expect(await org.api('GET', '/sobjects/Account/001000000000000AAA')).toMatchObject({
      status: 404,
      body: [{ errorCode: 'NOT_FOUND' }],
    })
  })

  it('updates an Account by id with 204 and records the change once', async () => {
    const id = org.emu.sf.seed().accountIds[0] ?? ''
    const res = await org.api('PATCH', `/sobjects/Account/${id}`, {
      Concord_Standing__c: 'watch',
      Concord_Balance__c: 1200,
    })
    expect(res.status).toBe(204)
    await org.api('PATCH', `/sobjects/Account/${id}`, {
      Concord_Standing__c: 'watch',
      Concord_Balance__c: 1200,
    })
    expect(org.emu.effects.all()).toEqual([
      expect.objectContaining({ kind: 'Account.update', target: id }),
    ])
  })
})
