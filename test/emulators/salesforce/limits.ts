import type { Clock } from './clock.ts'

const DAY_MS = 24 * 60 * 60 * 1000
const BUCKET_MS = 60 * 1000

/**
 * The org's daily API request allocation: a rolling 24-hour window, counted per minute bucket.
 * Every REST call counts one, a whole Composite counts one.
 * https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html
 */
export class ApiUsage {
  private buckets = new Map<number, number>()
  private clock: Clock
  max: number
  /** Every counted call since start/reset, never decays: what a benchmark counts. */
  total = 0
  /** Calls refused with REQUEST_LIMIT_EXCEEDED. */
  refused = 0

  constructor(clock: Clock, max: number) {
    this.clock = clock
    this.max = max
  }

  /** Calls in the last 24 hours. */
  used(): number {
    const cutoff = Math.floor((this.clock.now() - DAY_MS) / BUCKET_MS)
    let sum = 0
    for (const [bucket, n] of this.buckets) {
      if (bucket <= cutoff) this.buckets.delete(bucket)
      else sum += n
    }
    return sum
  }

  /** Counts one call; false when the allocation is spent (the call must be refused). */
  take(): boolean {
    if (this.used() >= this.max) {
      this.refused += 1
      return false
    }
    const bucket = Math.floor(this.clock.now() / BUCKET_MS)
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1)
    this.total += 1
    return true
  }

  /** Pretends `n` calls were already made in the current window (to start a test near the limit). */
  setUsed(n: number): void {
    this.buckets.clear()
    if (n > 0) this.buckets.set(Math.floor(this.clock.now() / BUCKET_MS), n)
  }

  header(): string {
    return `api-usage=${this.used()}/${this.max}`
  }

  reset(): void {
    this.buckets.clear()
    this.total = 0
    this.refused = 0
  }
}
