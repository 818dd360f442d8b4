import type { Connection } from '@salesforce/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_PRODUCTS } from './seed.ts'
import { jsforce, startTestOrg, type TestOrg } from './test-support.ts'

interface Entry {
  Id: string
  UnitPrice: number
  IsActive: boolean
  CurrencyIsoCode: string
  Product2: { ProductCode: string }
}

/** Product2, Pricebook2 and PricebookEntry as the catalog check reads them, through jsforce. */
describe('Salesforce emulator: products and the standard price book', () => {
  let org: TestOrg
  let conn: Connection

  beforeAll(async () => {
    org = await startTestOrg({ seed: true })
    conn = await jsforce(org)
  })
  afterAll(() => org.close())

  it('has one standard price book, whose IsStandard no client may set', async () => {
    const books = await conn.query<{ Id: string; Name: string; IsStandard: boolean }>(
      'SELECT Id, Name, IsStandard FROM Pricebook2',
    )
    expect(books.records).toEqual([
      expect.objectContaining({ Name: 'Standard Price Book', IsStandard: true }),
    ])
    await expect(
      conn.sobject('Pricebook2').create({ Name: 'Partner prices', IsStandard: true }),
    ).rejects.toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' })
  })

  it('seeds the demo products with their standard list prices, one per currency', async () => {
    const entries = await conn.query<Entry>(
      'SELECT Id, UnitPrice, IsActive, CurrencyIsoCode, Product2.ProductCode FROM PricebookEntry WHERE Pricebook2.IsStandard = true',
    )
    const seen = entries.records
      .map((e) => `${e.Product2.ProductCode} ${e.CurrencyIsoCode} ${e.UnitPrice}`)
      .sort()
    const wanted = DEMO_PRODUCTS.flatMap((p) =>
      Object.entries(p.prices).map(([c, v]) => `${p.code} ${c} ${v}`),
    ).sort()
    expect(seen).toEqual(wanted)
  })

  it('finds products by ProductCode and keeps an archived one (IsActive false) readable', async () => {
    const created = await conn
      .sobject('Product2')
      .create({ Name: 'Retired add-on', ProductCode: 'RETIRED-1', IsActive: false })
    expect(created).toMatchObject({ success: true })
    const found = await conn.query<{ Id: string; ProductCode: string; IsActive: boolean }>(
      "SELECT Id, ProductCode, IsActive FROM Product2 WHERE ProductCode IN ('RETIRED-1', 'PRO-SEAT-M') ORDER BY ProductCode",
    )
    expect(found.records.map((r) => [r.ProductCode, r.IsActive])).toEqual([
      ['PRO-SEAT-M', true],
      ['RETIRED-1', false],
    ])
  })
})
