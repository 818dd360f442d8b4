import type { Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsforce, startTestOrg, type TestOrg } from './test-support.ts'

/**
 * The package's before-update triggers on the mirror objects (`ConcordStaleGuard`), as the emulator
 * applies them, driven through jsforce's upserts: an update carrying an older source time than the
 * record holds changes nothing; a newer or equal one, or one without a source time, applies.
 */
describe('the stale guard on mirror objects', () => {
  let org: TestOrg
  let conn: Connection

  beforeAll(async () => {
    org = await startTestOrg()
    conn = await jsforce(org)
  })
  afterAll(() => org.close())

  const upsertSync = (fields: Record<string, unknown>) =>
    conn
      .sobject('Subscription_Sync__c')
      .upsert({ External_Id__c: 'amendment-guard', ...fields }, 'External_Id__c')
  const held = async () =>
    (
      await conn.query<{ Status__c: string; Error_Message__c: string | null }>(
        "SELECT Status__c, Error_Message__c FROM Subscription_Sync__c WHERE External_Id__c = 'amendment-guard'",
      )
    ).records[0]

  it('keeps the newer status when an older write lands after it, and takes newer ones', async () => {
    expect(
      await upsertSync({ Status__c: 'applied', Updated_At__c: '2026-12-07T10:00:05.000Z' }),
    ).toMatchObject({ success: true })
    const late = await upsertSync({
      Status__c: 'billed',
      Updated_At__c: '2026-12-07T10:00:01.000Z',
    })
    expect(late).toMatchObject({ success: true })
    expect((await held())?.Status__c).toBe('applied')

    await upsertSync({ Status__c: 'parked', Updated_At__c: '2026-12-07T10:00:05.000Z' })
    expect((await held())?.Status__c).toBe('parked')
    await upsertSync({ Status__c: 'applied', Updated_At__c: '2026-12-07T10:00:09.000Z' })
    expect((await held())?.Status__c).toBe('applied')
  })

  it('lets a person’s edit without a source time through', async () => {
    await upsertSync({ Error_Message__c: 'checked by finance' })
    expect((await held())?.Error_Message__c).toBe('checked by finance')
  })

  it('guards a subscription mirror written through the control API the same way', async () => {
    const put = (Quantity__c: number, stamp: string) =>
      org.control('put', {
        object: 'Billing_Subscription__c',
        externalIdField: 'Subscription_Key__c',
        records: [{ Subscription_Key__c: 'GUARD-1', Quantity__c, Source_Updated_At__c: stamp }],
      })
    await put(12, '2026-12-07T10:00:05.000Z')
    await put(5, '2026-12-07T10:00:01.000Z')
    const sub = await conn.query<{ Quantity__c: number }>(
      "SELECT Quantity__c FROM Billing_Subscription__c WHERE Subscription_Key__c = 'GUARD-1'",
    )
    expect(sub.records[0]?.Quantity__c).toBe(12)
  })
})
