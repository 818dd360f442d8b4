import { closePeriods } from './close.ts'
import { nextSeal, reportSealed, sealEnded, type UsagePumpContext } from './report.ts'

type Wake = number | undefined

/**
 * The usage part of one run of an account's pump: seal the aggregates whose minute ended,
 * report the sealed ones to billing, summarise the closed periods to the ERP and Salesforce.
 * Every step is safe to run twice: an aggregate is marked reported only after billing took it
 * (a repeat sends the same identifier and value), a summary is an upsert by external id.
 */
export async function pumpUsage(ctx: UsagePumpContext): Promise<Wake[]> {
  sealEnded(ctx.sql, Date.now())
  const reported = await reportSealed(ctx)
  const closed = await closePeriods(ctx)
  return [reported, closed, nextSeal(ctx.sql)]
}

export type { UsagePumpContext }
