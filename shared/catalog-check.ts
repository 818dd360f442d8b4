import * as z from 'zod/mini'

/** Where a drift finding was seen: the catalog itself, or one of the three systems it maps to. */
export const CatalogSystem = z.enum(['catalog', 'billing', 'erp', 'salesforce'])
export type CatalogSystem = z.infer<typeof CatalogSystem>

/**
 * What is wrong. `error`s would park an amendment (or a usage summary) that uses the offer;
 * `warning`s are mapping gaps that hide drift from the check.
 */
export const CatalogDriftCode = z.enum([
  'duplicate_billing_price',
  'salesforce_unmapped',
  'price_missing',
  'price_inactive',
  'currency_mismatch',
  'unit_amount_mismatch',
  'interval_mismatch',
  'item_missing',
  'item_inactive',
  'product_missing',
  'product_inactive',
  'pricebook_entry_missing',
  'pricebook_entry_inactive',
  'list_price_mismatch',
  'system_unavailable',
])
export type CatalogDriftCode = z.infer<typeof CatalogDriftCode>

/** One drift: which offer (price key or meter key), where, what, and what to do about it. */
export const CatalogFinding = z.object({
  offer: z.optional(z.string()),
  system: CatalogSystem,
  code: CatalogDriftCode,
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  fix: z.string(),
})
export type CatalogFinding = z.infer<typeof CatalogFinding>

/** Answer of `GET /v1/catalog/check` (and `sf concord catalog check --json`). */
export const CatalogCheckReport = z.object({
  catalogVersion: z.string(),
  checkedAt: z.string(),
  /** Offers (price keys) and meters checked. */
  offers: z.number(),
  meters: z.number(),
  /** True when there is no `error` finding. */
  ok: z.boolean(),
  counts: z.object({ error: z.number(), warning: z.number() }),
  findings: z.array(CatalogFinding),
})
export type CatalogCheckReport = z.infer<typeof CatalogCheckReport>
