import * as z from 'zod/mini'
import { Currency } from './finance.ts'
import './zod-messages.ts'

const nonEmpty = () => z.string().check(z.minLength(1))

/**
 * One sellable price (an offer), mapped to its billing price, ERP item and Salesforce product
 * (`Product2.ProductCode`, priced by an active standard `PricebookEntry` in the same currency).
 */
export const CatalogEntry = z.object({
  billingPriceId: nonEmpty(),
  erpItemId: nonEmpty(),
  /** The Salesforce `Product2.ProductCode` reps sell this offer as; `sf concord catalog check` flags it when absent. */
  salesforceProductCode: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
  interval: z.enum(['month', 'year']),
  currency: Currency,
  productName: nonEmpty(),
  /** Price per unit in minor units, shown to reps next to the proration preview. */
  unitAmount: z.optional(z.int().check(z.nonnegative())),
})
export type CatalogEntry = z.infer<typeof CatalogEntry>

/**
 * One billable meter: usage recorded against it is reported to billing as meter events named
 * `eventName` and summarised to the ERP per period as `erpItemId`.
 */
export const MeterEntry = z.object({
  eventName: z.string().check(z.minLength(1), z.maxLength(100)),
  erpItemId: nonEmpty(),
  productName: nonEmpty(),
  unit: z.optional(nonEmpty()),
})
export type MeterEntry = z.infer<typeof MeterEntry>

/** The versioned price catalog: `priceKey → entry`. Validated once when the worker starts. */
export const Catalog = z.object({
  version: nonEmpty(),
  prices: z.record(z.string().check(z.minLength(1), z.maxLength(255)), CatalogEntry),
  /** Usage meters: `meterKey → entry` (the key is what usage records name). */
  meters: z.optional(z.record(z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]{0,39}$/)), MeterEntry)),
})
export type Catalog = z.infer<typeof Catalog>
