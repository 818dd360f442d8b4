import type {
  Catalog,
  CatalogCheckReport,
  CatalogEntry,
  CatalogFinding,
} from '../../shared/index.ts'
import type { CatalogSources } from '../connectors/catalog.ts'
import { billingFindings, unavailable, withRetry } from './catalog-billing.ts'
import { salesforceFindings } from './catalog-salesforce.ts'

/** A price key and its entry. */
export type Offer = [priceKey: string, entry: CatalogEntry]

/** What the catalog says about itself: one billing price behind two offers, unmapped products. */
function catalogFindings(offers: readonly Offer[]): CatalogFinding[] {
  const out: CatalogFinding[] = []
  const byPrice = new Map<string, string>()
  for (const [key, e] of offers) {
    const first = byPrice.get(e.billingPriceId)
    if (first)
      out.push({
        offer: key,
        system: 'catalog',
        code: 'duplicate_billing_price',
        severity: 'error',
        message: `Offers ${first} and ${key} both map to billing price ${e.billingPriceId}: a subscription on it cannot tell which offer it is.`,
        fix: `Give ${key} its own billing price (or remove one of the two offers) in CATALOG and bump its version.`,
      })
    else byPrice.set(e.billingPriceId, key)
    if (!e.salesforceProductCode)
      out.push({
        offer: key,
        system: 'catalog',
        code: 'salesforce_unmapped',
        severity: 'warning',
        message: `Offer ${key} names no Salesforce product, so its Product2 and price book entry are not checked.`,
        fix: `Add "salesforceProductCode" (the Product2.ProductCode reps sell it as) to ${key} in CATALOG.`,
      })
  }
  return out
}

/** NetSuite: each offer's and meter's item exists and is active. */
async function erpFindings(catalog: Catalog, sources: CatalogSources): Promise<CatalogFinding[]> {
  const wanted: Array<[string, string]> = [
    ...Object.entries(catalog.prices).map(([k, e]): [string, string] => [k, e.erpItemId]),
    ...Object.entries(catalog.meters ?? {}).map(([k, m]): [string, string] => [k, m.erpItemId]),
  ]
  if (wanted.length === 0) return []
  let items
  try {
    const ids = wanted.map(([, id]) => id)
    items = new Map((await withRetry(() => sources.erp.items(ids))).map((i) => [i.id, i]))
  } catch (err) {
    return [unavailable('erp', err)]
  }
  const out: CatalogFinding[] = []
  for (const [offer, id] of wanted) {
    const item = items.get(id)
    if (!item)
      out.push({
        offer,
        system: 'erp',
        code: 'item_missing',
        severity: 'error',
        message: `NetSuite has no item with internal id ${id}: the order (or usage summary) for ${offer} would be refused.`,
        fix: `Point ${offer}'s erpItemId at the NetSuite item's internal id (Lists > Accounting > Items), or create the item.`,
      })
    else if (item.inactive)
      out.push({
        offer,
        system: 'erp',
        code: 'item_inactive',
        severity: 'error',
        message: `NetSuite item ${id} (${item.name}) is inactive: sales orders for ${offer} would be refused.`,
        fix: `Clear "Inactive" on NetSuite item ${id}, or map ${offer} to an active item and bump the catalog version.`,
      })
  }
  return out
}

/**
 * Compares the catalog with the three systems it maps to and reports each drift with its fix,
 * errors first. Read-only: it changes nothing anywhere. A system that cannot be read becomes
 * one `system_unavailable` finding; the others are still checked.
 */
export async function checkCatalog(
  catalog: Catalog,
  sources: CatalogSources,
  now = new Date(),
): Promise<CatalogCheckReport> {
  const offers = Object.entries(catalog.prices)
  const found = await Promise.all([
    billingFindings(offers, sources.billing),
    erpFindings(catalog, sources),
    salesforceFindings(offers, sources.salesforce),
  ])
  const findings = [...catalogFindings(offers), ...found.flat()].sort(
    (a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'),
  )
  const errors = findings.filter((f) => f.severity === 'error').length
  return {
    catalogVersion: catalog.version,
    checkedAt: now.toISOString(),
    offers: offers.length,
    meters: Object.keys(catalog.meters ?? {}).length,
    ok: errors === 0,
    counts: { error: errors, warning: findings.length - errors },
    findings,
  }
}
