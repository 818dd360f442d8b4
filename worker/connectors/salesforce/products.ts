import { ConnectorError } from '../../failure/errors.ts'
import type { CatalogSalesforce, PricebookEntryFacts, SalesforceProductFacts } from '../catalog.ts'
import { soqlQuote, type SalesforceClient } from './client.ts'

/** Values per `IN` list: keeps the query well under SOQL's 100,000-character limit. */
const BATCH = 200

interface ProductRow {
  Id: string
  ProductCode: string | null
  IsActive: boolean
}

interface EntryRow {
  Id: string
  Product2Id: string
  UnitPrice: number
  IsActive: boolean
  CurrencyIsoCode?: string
}

const inList = (values: readonly string[]) => `(${values.map(soqlQuote).join(', ')})`

/**
 * The standard price book's entries of `productIds`. `CurrencyIsoCode` exists only where
 * multi-currency is on; elsewhere asking for it is INVALID_FIELD, so the query runs again
 * without it (the org's one currency is then the only one).
 */
async function standardEntries(
  client: SalesforceClient,
  productIds: readonly string[],
): Promise<EntryRow[]> {
  const query = (currency: boolean) =>
    client.query<EntryRow>(
      `SELECT Id, Product2Id, UnitPrice, IsActive${currency ? ', CurrencyIsoCode' : ''} FROM PricebookEntry WHERE Pricebook2.IsStandard = true AND Product2Id IN ${inList(productIds)}`,
    )
  try {
    return await query(true)
  } catch (err) {
    if (err instanceof ConnectorError && err.code === 'INVALID_FIELD') return query(false)
    throw err
  }
}

/**
 * The `Product2` rows whose `ProductCode` is among `codes`, each with its standard price book
 * entries (`IsActive`, `UnitPrice` in major units). Two SOQL queries per 200 codes.
 * @throws ConnectorError
 */
export async function readProducts(
  client: SalesforceClient,
  codes: readonly string[],
): Promise<SalesforceProductFacts[]> {
  const unique = [...new Set(codes)]
  const out: SalesforceProductFacts[] = []
  for (let i = 0; i < unique.length; i += BATCH) {
    const products = await client.query<ProductRow>(
      `SELECT Id, ProductCode, IsActive FROM Product2 WHERE ProductCode IN ${inList(unique.slice(i, i + BATCH))}`,
    )
    if (products.length === 0) continue
    const entries = await standardEntries(
      client,
      products.map((p) => p.Id),
    )
    for (const p of products) {
      const mine: PricebookEntryFacts[] = entries
        .filter((e) => e.Product2Id === p.Id)
        .map((e) => ({
          id: e.Id,
          active: e.IsActive,
          unitPrice: e.UnitPrice,
          ...(e.CurrencyIsoCode ? { currency: e.CurrencyIsoCode } : {}),
        }))
      out.push({ id: p.Id, productCode: p.ProductCode ?? '', active: p.IsActive, entries: mine })
    }
  }
  return out
}

export function salesforceCatalog(client: SalesforceClient): CatalogSalesforce {
  return { products: (codes) => readProducts(client, codes) }
}
