import { usagePeriodOf } from '../../../shared/index.ts'

/**
 * Usage periods are UTC calendar months (`2026-12`). A period closes `graceMs` after it ends:
 * until then late records still count in it; after, a record for it is late, a business
 * exception parked for an operator, and the period's summary goes to the ERP and Salesforce.
 */
export { usagePeriodOf }

/** The first instant (ms) after `period`. */
export function periodEnd(period: string): number {
  const [y, m] = period.split('-').map(Number) as [number, number]
  return Date.UTC(y, m, 1)
}

/**
 * When `period` closes (ms): `graceMs` after its end, or earlier when an operator closed it
 * (to invoice it sooner); from then on a record for it is late.
 */
export function periodClosesAt(sql: SqlStorage, period: string, graceMs: number): number {
  const closed = sql
    .exec<{ at: number }>('SELECT closed_at AS at FROM usage_close WHERE period = ?', period)
    .toArray()[0]?.at
  const natural = periodEnd(period) + graceMs
  return closed === undefined ? natural : Math.min(closed, natural)
}

/** Meter events may be at most 35 days old (Stripe's documented limit on `timestamp`). */
export const MAX_USAGE_AGE_MS = 35 * 86_400_000
/** ... and at most 5 minutes ahead of billing's clock. */
export const MAX_USAGE_AHEAD_MS = 5 * 60_000

/** The start (unix seconds) of the minute `ms` falls in: the aggregate's bucket. */
export const minuteOf = (ms: number): number => Math.floor(ms / 60_000) * 60
