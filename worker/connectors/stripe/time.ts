import type { Interval } from './stripe-types.ts'

/** Stripe's unix seconds as a `YYYY-MM-DD` date (UTC). */
export function isoDate(unix: number): string {
  return new Date(unix * 1000).toISOString().slice(0, 10)
}

/** Stripe's unix seconds as an ISO 8601 date-time (UTC). */
export function isoDateTime(unix: number): string {
  return new Date(unix * 1000).toISOString()
}

/** The start (00:00 UTC) of a `YYYY-MM-DD` date, in unix seconds. */
export function startOfDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return Date.UTC(y, m - 1, d) / 1000
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

/**
 * `count` billing intervals after `from`, as Stripe bills calendar months: the day of month is
 * kept and clamped to the end of a shorter month (Jan 31 → Feb 28).
 */
export function addInterval(from: number, interval: Interval, count = 1): number {
  if (interval === 'day') return from + count * 86_400
  if (interval === 'week') return from + count * 7 * 86_400
  const d = new Date(from * 1000)
  const months = d.getUTCMonth() + (interval === 'year' ? 12 * count : count)
  const year = d.getUTCFullYear() + Math.floor(months / 12)
  const month = ((months % 12) + 12) % 12
  const day = Math.min(d.getUTCDate(), new Date(Date.UTC(year, month + 1, 0)).getUTCDate())
  return Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000
}
