import type { Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsforce, startTestOrg, type TestOrg } from './test-support.ts'

/**
 * The drift reconciler's query for hand edits, driven through jsforce: rows whose
 * `SystemModstamp` is after a moment and whose `LastModifiedById` is not the integration user.
 */
describe('SOQL on SystemModstamp and LastModifiedById', () => {
  let org: TestOrg
  let conn: Connection

  beforeAll(async () => {
    org = await startTestOrg()
    conn = await jsforce(org)
  })
  afterAll(() => org.close())

  const put = (records: Record<string, unknown>[], asUser?: string) =>
    org.control('put', {
      object: 'Billing_Subscription__c',
      externalIdField: 'Subscription_Key__c',
      records,
      ...(asUser ? { asUser } : {}),
    })

  it('finds the rows a person changed since a moment, not the integration user’s', async () => {
    const account = (await org.control('put', { object: 'Account', records: [{ Name: 'M Co' }] }))
      .body.results[0].id as string
    await put([
      { Subscription_Key__c: 'MOD-1', Account__c: account, Quantity__c: 5 },
      { Subscription_Key__c: 'MOD-2', Account__c: account, Quantity__c: 7 },
    ])
    const me = await conn.request<{ user_id: string }>('/services/oauth2/userinfo')
    await org.control('advanceClock', { seconds: 5 })
    const since = (
      await conn.query<{ SystemModstamp: string }>(
        "SELECT SystemModstamp FROM Billing_Subscription__c WHERE Subscription_Key__c = 'MOD-1'",
      )
    ).records[0]?.SystemModstamp as string
    await org.control('advanceClock', { seconds: 5 })
    await put([{ Subscription_Key__c: 'MOD-1', Quantity__c: 99 }], 'rep@concord.example')
    await put([{ Subscription_Key__c: 'MOD-2', Quantity__c: 8 }])

    const stamp = new Date(since).toISOString().replace('.000Z', 'Z')
    const soql =
      'SELECT Id, Subscription_Key__c, Quantity__c, LastModifiedById FROM Billing_Subscription__c ' +
      `WHERE SystemModstamp > ${stamp} AND LastModifiedById != '${me.user_id}' ORDER BY SystemModstamp`
    const found = await conn.query<{ Subscription_Key__c: string; LastModifiedById: string }>(soql)
    expect(found.records.map((r) => r.Subscription_Key__c)).toEqual(['MOD-1'])
    expect(found.records[0]?.LastModifiedById).not.toBe(me.user_id)

    const everyChange = await conn.query<{ Subscription_Key__c: string }>(
      `SELECT Subscription_Key__c FROM Billing_Subscription__c WHERE SystemModstamp > ${stamp} ORDER BY Subscription_Key__c`,
    )
    expect(everyChange.records.map((r) => r.Subscription_Key__c)).toEqual(['MOD-1', 'MOD-2'])
  })

  it('refuses a put attributed to a user the org does not have', async () => {
    const res = await put([{ Subscription_Key__c: 'MOD-3' }], 'nobody@concord.example')
    expect(res.status).toBe(400)
  })
})
