import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startTestOrg, type TestOrg } from './test-support.ts'

const V = '/services/data/v65.0'

function collectionSub(
  referenceId: string,
  type: string,
  records: Record<string, unknown>[],
  allOrNone = false,
) {
  return {
    method: 'PATCH',
    url: `${V}/composite/sobjects/${type}/External_Id__c`,
    referenceId,
    body: { allOrNone, records: records.map((r) => ({ attributes: { type }, ...r })) },
  }
}

const invoiceBatch = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({
    External_Id__c: `in_${from + i}`,
    Status__c: 'open',
    Amount_Due__c: i,
  }))

describe('POST /composite', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg({ seed: true })
  })
  afterEach(() => org.close())

  const apiTotal = async () => (await org.state()).api.total as number

  it('runs 5 collections of 200 records as ONE API call', async () => {
    const before = await apiTotal()
    const subs = [0, 1, 2, 3, 4].map((k) =>
      collectionSub(`batch${k}`, 'Billing_Invoice__c', invoiceBatch(200, k * 200)),
    )
    const res = await org.api('POST', '/composite', {
      allOrNone: false,
      collateSubrequests: false,
      compositeRequest: subs,
    })
    expect(res.status).toBe(200)
    expect(res.body.compositeResponse).toHaveLength(5)
    for (const [k, sub] of res.body.compositeResponse.entries()) {
      expect(sub).toMatchObject({ httpStatusCode: 200, referenceId: `batch${k}`, httpHeaders: {} })
      expect(sub.body).toHaveLength(200)
      expect(
        sub.body.every((r: { success: boolean; created: boolean }) => r.success && r.created),
      ).toBe(true)
    }
    expect(await apiTotal()).toBe(before + 1)
    expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${before + 1}/100000`)
    expect(org.emu.sf.records('Billing_Invoice__c')).toHaveLength(1000)
    expect(org.emu.effects.counts()['Billing_Invoice__c.create']).toBe(1000)
  })

  it('rejects a sixth collection or query with 400 LIMIT_EXCEEDED and writes nothing', async () => {
    const subs = [0, 1, 2, 3, 4].map((k) =>
      collectionSub(`batch${k}`, 'Billing_Invoice__c', invoiceBatch(1, k)),
    )
    subs.push({
      method: 'GET',
      url: `${V}/query?q=SELECT+Id+FROM+Account`,
      referenceId: 'q',
      body: undefined as never,
    })
    const res = await org.api('POST', '/composite', { compositeRequest: subs })
    expect(res.status).toBe(400)
    expect(res.body.compositeResponse[0]).toMatchObject({
      httpStatusCode: 400,
      referenceId: null,
      body: [{ errorCode: 'LIMIT_EXCEEDED' }],
    })
    expect(res.body.compositeResponse[0].body[0].message).toContain(
      '5 sObject Collections or query',
    )
    expect(org.emu.sf.records('Billing_Invoice__c')).toHaveLength(0)
    expect(org.emu.effects.all()).toHaveLength(0)
  })

  it('rejects more than 25 subrequests', async () => {
    const subs = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: `${V}/limits`,
      referenceId: `l${i}`,
    }))
    const res = await org.api('POST', '/composite', { compositeRequest: subs })
    expect(res.status).toBe(400)
    expect(res.body.compositeResponse[0].body[0]).toEqual({
      errorCode: 'LIMIT_EXCEEDED',
      message: 'The request can’t contain more than 25 operations.',
    })
  })

  it('mixes record upserts, a query and an event publish, passing references between them', async () => {
    const accountId = org.emu.sf.seed().accountIds[0]
    const res = await org.api('POST', '/composite', {
      allOrNone: false,
      compositeRequest: [
        {
          method: 'PATCH',
          url: `${V}/sobjects/Billing_Invoice__c/External_Id__c/in_ref`,
          referenceId: 'inv',
          body: { Account__c: accountId, Status__c: 'open' },
        },
        {
          method: 'GET',
          url: `${V}/sobjects/Billing_Invoice__c/@{inv.id}?fields=Name`,
          referenceId: 'read',
        },
        {
          method: 'GET',
          url: `${V}/query?q=SELECT+Name+FROM+Account+WHERE+Id+=+'${accountId}'`,
          referenceId: 'acct',
        },
        {
          method: 'POST',
          url: `${V}/sobjects/Concord_Refresh__e`,
          referenceId: 'hint',
          body: { Buckets__c: '@{acct.records[0].attributes.url}', Reason__c: 'invoice' },
        },
      ],
    })
    const [inv, read, acct, hint] = res.body.compositeResponse
    expect(inv).toMatchObject({ httpStatusCode: 201, body: { created: true } })
    expect(read).toMatchObject({ httpStatusCode: 200, body: { Name: 'INV-000001' } })
    expect(acct.body.records[0].Name).toBe('Kestrel Analytics Inc.')
    expect(hint).toMatchObject({ httpStatusCode: 201, body: { success: true } })
    expect(org.emu.sf.org.bus.retained('/event/Concord_Refresh__e')[0]?.fields.Buckets__c).toBe(
      `${V}/sobjects/Account/${accountId}`,
    )
  })

  it('rolls everything back under allOrNone and halts the other subrequests', async () => {
    const res = await org.api('POST', '/composite', {
      allOrNone: true,
      compositeRequest: [
        collectionSub('good', 'Billing_Invoice__c', invoiceBatch(3)),
        {
          method: 'PATCH',
          url: `${V}/sobjects/Billing_Invoice__c/External_Id__c/in_single`,
          referenceId: 'single',
          body: { Status__c: 'open' },
        },
        collectionSub('bad', 'Billing_Payment__c', [
          { External_Id__c: 'py_1', Status__c: 'bounced' },
        ]),
        { method: 'GET', url: `${V}/limits`, referenceId: 'after' },
      ],
    })
    expect(res.status).toBe(200)
    const [good, single, bad, after] = res.body.compositeResponse
    const halted = { httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] }
    expect(good).toMatchObject(halted)
    expect(single).toMatchObject(halted)
    expect(after).toMatchObject(halted)
    expect(bad.body[0].errors[0].statusCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST')
    expect(org.emu.sf.records('Billing_Invoice__c')).toHaveLength(0)
    expect(org.emu.effects.all()).toHaveLength(0)
  })

  it('keeps the successful subrequests when allOrNone is false', async () => {
    const res = await org.api('POST', '/composite', {
      allOrNone: false,
      compositeRequest: [
        collectionSub('good', 'Billing_Invoice__c', invoiceBatch(2)),
        {
          method: 'PATCH',
          url: `${V}/sobjects/Billing_Invoice__c/External_Id__c/in_x`,
          referenceId: 'bad',
          body: { Nope__c: 1 },
        },
      ],
    })
    expect(res.body.compositeResponse[1]).toMatchObject({
      httpStatusCode: 400,
      body: [{ errorCode: 'INVALID_FIELD' }],
    })
    expect(org.emu.sf.records('Billing_Invoice__c')).toHaveLength(2)
  })

  it('does not publish after-commit events of a rolled-back Composite, but does publish immediate ones', async () => {
    await org.api('POST', '/composite', {
      allOrNone: true,
      compositeRequest: [
        {
          method: 'POST',
          url: `${V}/sobjects/Concord_Refresh__e`,
          referenceId: 'hint',
          body: { Buckets__c: 'x', Reason__c: 'r' },
        },
        {
          method: 'POST',
          url: `${V}/sobjects/Subscription_Amendment__e`,
          referenceId: 'amend',
          body: { Sequence__c: 1, Action__c: 'create' },
        },
        {
          method: 'PATCH',
          url: `${V}/sobjects/Billing_Invoice__c/External_Id__c/in_y`,
          referenceId: 'fail',
          body: { Status__c: 'wrong' },
        },
      ],
    })
    expect(org.emu.sf.org.bus.retained('/event/Concord_Refresh__e')).toHaveLength(1)
    expect(org.emu.sf.org.bus.retained('/event/Subscription_Amendment__e')).toHaveLength(0)
  })
})
