import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestOrg, type TestOrg } from './test-support.ts'

describe('GET /query (SOQL subset)', () => {
  let org: TestOrg
  let accounts: string[]
  beforeAll(async () => {
    org = await startTestOrg({ seed: true })
    accounts = org.emu.sf.seed().accountIds
  })
  afterAll(() => org.close())

  const q = async (soql: string, headers?: Record<string, string>) =>
    org.api('GET', `/query?q=${encodeURIComponent(soql)}`, undefined, headers)
  const names = (res: { body: { records: { Name?: string }[] } }) =>
    res.body.records.map((r) => r.Name)

  it('selects fields with attributes, filters with = and orders', async () => {
    const res = await q(
      "SELECT Id, Name, CurrencyIsoCode FROM Account WHERE CurrencyIsoCode = 'EUR' ORDER BY Name DESC",
    )
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ totalSize: 2, done: true })
    expect(res.body.records[0]).toEqual({
      attributes: { type: 'Account', url: `/services/data/v65.0/sobjects/Account/${accounts[2]}` },
      Id: accounts[2],
      Name: 'Tessellate Robotik GmbH',
      CurrencyIsoCode: 'EUR',
    })
    expect(names(res)).toEqual(['Tessellate Robotik GmbH', 'Marigold Clinics SAS'])
  })

  it('handles AND/OR with parentheses, IN, NOT IN, !=, < and >', async () => {
    const res = await q(
      "select Subscription_Key__c from Billing_Subscription__c where (Status__c in ('active','past_due') and Quantity__c > 20) or Status__c = 'pending' order by Subscription_Key__c",
    )
    expect(
      res.body.records.map((r: { Subscription_Key__c: string }) => r.Subscription_Key__c),
    ).toEqual(['SUB-BLUEHARBOR-1', 'SUB-KESTREL-1', 'SUB-PACIFICLOOM-1', 'SUB-TESSELLATE-1'])
    const notIn = await q(
      "SELECT Name FROM Account WHERE CurrencyIsoCode NOT IN ('EUR','USD') AND Name != 'Pacific Loom Co.'",
    )
    expect(names(notIn)).toEqual(['Blue Harbor Foods Ltd'])
    const lt = await q(
      'SELECT Subscription_Key__c FROM Billing_Subscription__c WHERE Quantity__c < 10',
    )
    expect(lt.body.records).toEqual([
      expect.objectContaining({ Subscription_Key__c: 'SUB-KESTREL-2' }),
    ])
  })

  it('matches LIKE and = case-insensitively, and ids in 15- or 18-character form', async () => {
    expect(names(await q("SELECT Name FROM Account WHERE Name LIKE '%harbor%'"))).toEqual([
      'Blue Harbor Foods Ltd',
    ])
    expect(names(await q("SELECT Name FROM Account WHERE Name = 'pacific loom co.'"))).toEqual([
      'Pacific Loom Co.',
    ])
    const byId15 = await q(`SELECT Name FROM Account WHERE Id = '${accounts[0]?.slice(0, 15)}'`)
    expect(names(byId15)).toEqual(['Kestrel Analytics Inc.'])
  })

  it('reads parent fields through a relationship', async () => {
    const res = await q(
      "SELECT Subscription_Key__c, Account__r.Name, Account__r.Concord_Legal_Entity__c FROM Billing_Subscription__c WHERE Account__r.CurrencyIsoCode = 'GBP'",
    )
    expect(res.body.records).toEqual([
      {
        attributes: expect.objectContaining({ type: 'Billing_Subscription__c' }),
        Subscription_Key__c: 'SUB-BLUEHARBOR-1',
        Account__r: {
          attributes: {
            type: 'Account',
            url: `/services/data/v65.0/sobjects/Account/${accounts[1]}`,
          },
          Name: 'Blue Harbor Foods Ltd',
          Concord_Legal_Entity__c: 'UK-LTD',
        },
      },
    ])
  })

  it('applies LIMIT and OFFSET, and counts with COUNT()', async () => {
    expect(names(await q('SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 1'))).toEqual([
      'Kestrel Analytics Inc.',
      'Marigold Clinics SAS',
    ])
    expect(
      (await q("SELECT COUNT() FROM Billing_Subscription__c WHERE Status__c = 'active'")).body,
    ).toEqual({ totalSize: 3, done: true, records: [] })
    expect(
      (await q('SELECT Name FROM Account WHERE Concord_Standing__c = null')).body.totalSize,
    ).toBe(5)
  })

  it.each([
    ['SELECT Id FRM Account', 'MALFORMED_QUERY'],
    ['SELECT Id FROM Account WHERE', 'MALFORMED_QUERY'],
    ["SELECT Id FROM Account WHERE Name = 'unterminated", 'MALFORMED_QUERY'],
    ['SELECT FROM Account', 'MALFORMED_QUERY'],
    ['SELECT Nope__c FROM Account', 'INVALID_FIELD'],
    ['SELECT Id FROM Nope__c', 'INVALID_TYPE'],
    ["SELECT Id FROM Billing_Subscription__c WHERE Quantity__c = '5'", 'INVALID_FIELD'],
    ['SELECT Id FROM Account OFFSET 2001', 'NUMBER_OUTSIDE_VALID_RANGE'],
  ])('answers %s with 400 %s', async (soql, errorCode) => {
    const res = await q(soql)
    expect(res.status).toBe(400)
    expect(res.body).toEqual([{ message: expect.any(String), errorCode }])
  })

  it('points at the bad token in a malformed query', async () => {
    const res = await q('SELECT Id FRM Account')
    expect(res.body[0].message).toBe(
      '\nSELECT Id FRM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM',
    )
  })

  it('pages past 2,000 rows with nextRecordsUrl, each page one API call', async () => {
    const records = Array.from({ length: 2300 }, (_, i) => ({
      External_Id__c: `in_page_${String(i).padStart(4, '0')}`,
      Status__c: 'open',
    }))
    const put = await org.control('put', {
      object: 'Billing_Invoice__c',
      externalIdField: 'External_Id__c',
      records,
    })
    expect(put.body.results.every((r: { success: boolean }) => r.success)).toBe(true)
    const before = (await org.state()).api.total
    const first = await q(
      "SELECT External_Id__c FROM Billing_Invoice__c WHERE External_Id__c LIKE 'in\\_page\\_%' ORDER BY External_Id__c",
    )
    expect(first.body).toMatchObject({ totalSize: 2300, done: false })
    expect(first.body.records).toHaveLength(2000)
    expect(first.body.nextRecordsUrl).toMatch(/^\/services\/data\/v65\.0\/query\/01g\w{15}-2000$/)
    const second = await fetch(`${org.url}${first.body.nextRecordsUrl}`, {
      headers: { authorization: `Bearer ${org.token}` },
    }).then((r) => r.json())
    expect(second).toMatchObject({ totalSize: 2300, done: true })
    expect(second.records).toHaveLength(300)
    expect(second.records[299].External_Id__c).toBe('in_page_2299')
    expect((await org.state()).api.total).toBe(before + 2)
    const small = await q(
      "SELECT Id FROM Billing_Invoice__c WHERE External_Id__c LIKE 'in_page_0%'",
      { 'sforce-query-options': 'batchSize=200' },
    )
    expect(small.body.records).toHaveLength(200)
    expect(small.body.nextRecordsUrl).toMatch(/-200$/)
  })
})
