import type { Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsforce, startTestOrg, type TestOrg } from './test-support.ts'

/** Billing_Credit_Note__c as the OrgWriter writes it and the invoice page reads it, through jsforce. */
describe('Salesforce emulator: Billing_Credit_Note__c', () => {
  let org: TestOrg
  let conn: Connection
  let accountId: string

  beforeAll(async () => {
    org = await startTestOrg({ seed: true })
    accountId = org.emu.sf.seed().accountIds[0] ?? ''
    conn = await jsforce(org)
  })
  afterAll(() => org.close())

  it('upserts a credit note by its Stripe id, linked to its invoice by the invoice external id', async () => {
    await conn
      .sobject('Billing_Invoice__c')
      .upsert(
        { External_Id__c: 'in_cn1', Account__c: accountId, Status__c: 'paid' },
        'External_Id__c',
      )
    const note = {
      External_Id__c: 'cn_1',
      Account__c: accountId,
      Invoice__r: { External_Id__c: 'in_cn1' },
      Amount__c: 15,
      Amount_Refunded__c: 0,
      Currency_Iso__c: 'USD',
      Reason__c: 'order_change',
      Status__c: 'issued',
      Erp_Credit_Memo_Id__c: '1042',
      Created_At__c: '2026-12-07T10:00:00.000Z',
    }
    const first = await conn.sobject('Billing_Credit_Note__c').upsert(note, 'External_Id__c')
    expect(first).toMatchObject({ success: true, created: true })
    const again = await conn
      .sobject('Billing_Credit_Note__c')
      .upsert({ ...note, Status__c: 'void' }, 'External_Id__c')
    expect(again).toMatchObject({ success: true, created: false })

    const found = await conn.query<{
      Id: string
      Name: string
      Status__c: string
      Erp_Credit_Memo_Id__c: string
      Invoice__r: { External_Id__c: string }
    }>(
      "SELECT Id, Name, Status__c, Erp_Credit_Memo_Id__c, Invoice__r.External_Id__c FROM Billing_Credit_Note__c WHERE External_Id__c = 'cn_1'",
    )
    expect(found.records).toEqual([
      expect.objectContaining({
        Id: expect.stringMatching(/^a0N/),
        Name: 'CN-000001',
        Status__c: 'void',
        Erp_Credit_Memo_Id__c: '1042',
        Invoice__r: expect.objectContaining({ External_Id__c: 'in_cn1' }),
      }),
    ])
  })

  it('refuses a reason Stripe does not have, as the restricted picklist does', async () => {
    const res = await conn
      .sobject('Billing_Credit_Note__c')
      .upsert({ External_Id__c: 'cn_2', Reason__c: 'goodwill' }, 'External_Id__c')
      .catch((e: unknown) => e)
    expect(res).toMatchObject({ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' })
  })
})
