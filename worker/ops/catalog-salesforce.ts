import type { CatalogEntry, CatalogFinding } from '../../shared/index.ts'
import type { CatalogSalesforce, SalesforceProductFacts } from '../connectors/catalog.ts'
import { toMajor } from '../lib/currency.ts'
import { unavailable, withRetry } from './catalog-billing.ts'

type At = (
  code: CatalogFinding['code'],
  severity: CatalogFinding['severity'],
  message: string,
  fix: string,
) => CatalogFinding

/** The product's standard price book entry in the offer's currency: present, active, at its price. */
function entryFindings(e: CatalogEntry, product: SalesforceProductFacts, at: At): CatalogFinding[] {
  const code = product.productCode
  const inCurrency = product.entries.filter((x) => !x.currency || x.currency === e.currency)
  if (inCurrency.length === 0)
    return [
      at(
        'pricebook_entry_missing',
        'error',
        `Product ${code} has no standard price book entry in ${e.currency}.`,
        `Add a ${e.currency} list price for ${code} to the Standard Price Book.`,
      ),
    ]
  const active = inCurrency.find((x) => x.active)
  if (!active)
    return [
      at(
        'pricebook_entry_inactive',
        'error',
        `Product ${code}'s standard ${e.currency} price book entry is inactive.`,
        `Activate the ${e.currency} entry of ${code} in the Standard Price Book.`,
      ),
    ]
  if (e.unitAmount === undefined) return []
  const listPrice = toMajor(e.unitAmount, e.currency)
  if (active.unitPrice === listPrice) return []
  return [
    at(
      'list_price_mismatch',
      'warning',
      `Product ${code}'s list price is ${active.unitPrice} ${e.currency}; the catalog says ${listPrice}.`,
      `Set the list price of ${code} to ${listPrice} ${e.currency}, or correct unitAmount in CATALOG.`,
    ),
  ]
}

/** The offer's Salesforce product: present and active, then its price book entry. */
function productFindings(
  key: string,
  e: CatalogEntry,
  product: SalesforceProductFacts | undefined,
): CatalogFinding[] {
  const code = e.salesforceProductCode ?? ''
  const at: At = (c, severity, message, fix) => ({
    offer: key,
    system: 'salesforce',
    code: c,
    severity,
    message,
    fix,
  })
  if (!product)
    return [
      at(
        'product_missing',
        'error',
        `Salesforce has no Product2 with ProductCode ${code} for ${key}.`,
        `Create the product (Setup > Products) with Product Code ${code}, or correct salesforceProductCode of ${key} in CATALOG.`,
      ),
    ]
  if (!product.active)
    return [
      at(
        'product_inactive',
        'error',
        `Salesforce product ${code} (${product.id}) is inactive: reps cannot sell ${key}.`,
        `Tick "Active" on product ${code}, or retire ${key} from the catalog.`,
      ),
    ]
  return entryFindings(e, product, at)
}

/** Salesforce: every mapped offer's product and standard price book entry. */
export async function salesforceFindings(
  offers: ReadonlyArray<[string, CatalogEntry]>,
  salesforce: CatalogSalesforce,
): Promise<CatalogFinding[]> {
  const mapped = offers.filter(([, e]) => e.salesforceProductCode)
  if (mapped.length === 0) return []
  let products
  try {
    const codes = mapped.map(([, e]) => e.salesforceProductCode ?? '')
    const read = await withRetry(() => salesforce.products(codes))
    products = new Map(read.map((p) => [p.productCode, p]))
  } catch (err) {
    return [unavailable('salesforce', err)]
  }
  return mapped.flatMap(([key, e]) =>
    productFindings(key, e, products.get(e.salesforceProductCode ?? '')),
  )
}
