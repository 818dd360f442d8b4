import type { Interval } from './types.ts'

/**
 * The emulator's notion of "now" in unix seconds. By default it follows the wall clock; with
 * `startTime` it is frozen there. `advance` moves it forward (like a Stripe test clock) and the
 * billing engine replays what would have happened in between.
 */
export class Clock {
  private frozen: number | undefined
  private offset = 0
  private readonly start: number | undefined

  constructor(startTime?: number) {
    this.start = startTime
    this.frozen = startTime
  }

  now(): number {
    return this.frozen ?? Math.floor(Date.now() / 1000) + this.offset
  }

  /** Sets the current time; never moves backwards. */
  set(t: number): void {
    if (t < this.now()) return
    if (this.frozen !== undefined) this.frozen = t
    else this.offset = t - Math.floor(Date.now() / 1000)
  }

  reset(): void {
    this.frozen = this.start
    this.offset = 0
  }
}

/**
 * Adds `count` billing intervals to a timestamp the way Stripe bills calendar months: the day
 * of month of `anchor` is kept, clamped to the end of shorter months (Jan 31 → Feb 28 → Mar 31).
 */
export function addInterval(anchor: number, interval: Interval, count: number): number {
  if (interval === 'day') return anchor + count * 86_400
  if (interval === 'week') return anchor + count * 7 * 86_400
  const d = new Date(anchor * 1000)
  const months = interval === 'year' ? count * 12 : count
  const targetMonth = d.getUTCMonth() + months
  const year = d.getUTCFullYear() + Math.floor(targetMonth / 12)
  const month = ((targetMonth % 12) + 12) % 12
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate()
  const day = Math.min(d.getUTCDate(), lastDay)
  return Math.floor(
    Date.UTC(year, month, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000,
  )
}

/** The billing period of `anchor`/`interval` that contains `t`: `[start, end)`. */
export function periodContaining(
  anchor: number,
  interval: Interval,
  intervalCount: number,
  t: number,
): { start: number; end: number } {
  let n = 0
  while (addInterval(anchor, interval, (n + 1) * intervalCount) <= t) n++
  return {
    start: addInterval(anchor, interval, n * intervalCount),
    end: addInterval(anchor, interval, (n + 1) * intervalCount),
  }
}
