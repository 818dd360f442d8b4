import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { collection, startTestOrg, type TestOrg } from './test-support.ts'

const INVOICES = '/composite/sobjects/Billing_Invoice__c/External_Id__c'

describe('per-record fault injection', () => {
  let org: TestOrg
  beforeEach(async () => {
    org = await startTestOrg()
  })
  afterEach(() => org.close())

  const batch = (ids: string[]) =>
    collection(
      'Billing_Invoice__c',
      ids.map((id) => ({ External_Id__c: id, Status__c: 'open', Correlation_Id__c: `corr-${id}` })),
    )

  it('fails a record transiently N times, then lets it through', async () => {
    await org.control('recordFaults', {
      rules: [
        {
          object: 'Billing_Invoice__c',
          externalId: 'in_locked',
          statusCode: 'UNABLE_TO_LOCK_ROW',
          times: 2,
        },
      ],
    })
    const outcomes: boolean[] = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await org.api('PATCH', INVOICES, batch(['in_locked']))
      outcomes.push(res.body[0].success)
      if (!res.body[0].success) {
        expect(res.body[0].errors).toEqual([
          {
            statusCode: 'UNABLE_TO_LOCK_ROW',
            message: 'unable to obtain exclusive access to this record or 1 records: in_locked',
            fields: [],
          },
        ])
      }
    }
    expect(outcomes).toEqual([false, false, true])
    expect((await org.state()).recordFaults[0]).toMatchObject({ remaining: 0, hits: 2 })
  })

  it('lets a writer retry only the failed records and park the permanent ones, with each effect once', async () => {
    await org.control('recordFaults', {
      rules: [
        {
          object: 'Billing_Invoice__c',
          externalId: 'in_2',
          statusCode: 'UNABLE_TO_LOCK_ROW',
          times: 1,
        },
        {
          object: 'Billing_Invoice__c',
          externalId: 'in_3',
          statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          message: 'Amount must be positive',
          fields: ['Amount_Due__c'],
        },
      ],
    })
    const transient = new Set(['UNABLE_TO_LOCK_ROW'])
    let pending = ['in_1', 'in_2', 'in_3', 'in_4']
    const parked: string[] = []
    for (let round = 0; round < 4 && pending.length > 0; round++) {
      const res = await org.api('PATCH', INVOICES, batch(pending))
      const retry: string[] = []
      res.body.forEach((r: { success: boolean; errors: { statusCode: string }[] }, i: number) => {
        const id = pending[i] ?? ''
        if (r.success) return
        if (transient.has(r.errors[0]?.statusCode ?? '')) retry.push(id)
        else parked.push(id)
      })
      pending = retry
    }
    expect(parked).toEqual(['in_3'])
    expect(pending).toEqual([])
    const records = org.emu.sf.records('Billing_Invoice__c')
    expect(records.map((r) => [r.External_Id__c, r._writes])).toEqual([
      ['in_1', 1],
      ['in_4', 1],
      ['in_2', 1],
    ])
    expect(org.emu.effects.all().map((e) => [e.kind, e.target, e.correlationId])).toEqual([
      ['Billing_Invoice__c.create', 'in_1', 'corr-in_1'],
      ['Billing_Invoice__c.create', 'in_4', 'corr-in_4'],
      ['Billing_Invoice__c.create', 'in_2', 'corr-in_2'],
    ])
  })

  it('keeps failing a permanent fault and applies it to the single-record upsert too', async () => {
    await org.control('recordFaults', {
      rules: [
        {
          object: 'Billing_Invoice__c',
          externalId: 'in_bad',
          statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          fields: ['Status__c'],
        },
      ],
    })
    for (let i = 0; i < 3; i++) {
      const res = await org.api('PATCH', '/sobjects/Billing_Invoice__c/External_Id__c/in_bad', {
        Status__c: 'open',
      })
      expect(res).toMatchObject({
        status: 400,
        body: [{ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Status__c'] }],
      })
    }
    expect(org.emu.sf.records('Billing_Invoice__c')).toHaveLength(0)
    await org.control('recordFaults', { rules: [] })
    expect(
      (
        await org.api('PATCH', '/sobjects/Billing_Invoice__c/External_Id__c/in_bad', {
          Status__c: 'open',
        })
      ).status,
    ).toBe(201)
  })
})
