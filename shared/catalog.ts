import * as z from 'zod/mini'
import { Currency } from './finance.ts'
import './zod-messages.ts'

const nonEmpty = () => z.string().check(z.minLength(1))

/** One sellable price, mapped to its billing price and ERP item. */
export const CatalogEntry = z.object({
  billingPriceId: nonEmpty(),
  erpItemId: nonEmpty(),
  interval: z.enum(['month', 'year']),
  currency: Currency,
  productName: nonEmpty(),
  /** Price per unit in minor units, shown to reps next to the proration preview. */
  unitAmount: z.optional(z.int().check(z.nonnegative())),
})
export type CatalogEntry = z.infer<typeof CatalogEntry>

/** The versioned price catalog: `priceKey → entry`. Validated once when the worker starts. */
export const Catalog = z.object({
  version: nonEmpty(),
  prices: z.record(z.string().check(z.minLength(1), z.maxLength(255)), CatalogEntry),
})
export type Catalog = z.infer<typeof Catalog>
