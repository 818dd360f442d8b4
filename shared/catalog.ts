import * as z from 'zod'
import { Currency } from './finance.ts'

/** One sellable price, mapped to its billing price and ERP item. */
export const CatalogEntry = z.object({
  billingPriceId: z.string().min(1),
  erpItemId: z.string().min(1),
  interval: z.enum(['month', 'year']),
  currency: Currency,
  productName: z.string().min(1),
  /** Price per unit in minor units, shown to reps next to the proration preview. */
  unitAmount: z.number().int().nonnegative().optional(),
})
export type CatalogEntry = z.infer<typeof CatalogEntry>

/** The versioned price catalog: `priceKey → entry`. Validated once when the worker starts. */
export const Catalog = z.object({
  version: z.string().min(1),
  prices: z.record(z.string().min(1).max(255), CatalogEntry),
})
export type Catalog = z.infer<typeof Catalog>
