import * as z from 'zod/mini'

/** The most usage records one `POST /v1/usage` may carry. */
export const MAX_USAGE_PER_BATCH = 10_000

const ACCOUNT_ID = /^001[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/

/**
 * One usage record as a metering system sends it. `id` is the sender's idempotency id: the same
 * id again is a duplicate, whatever else it says. `quantity` is a whole number of the meter's
 * unit (Stripe aggregates meter values; whole units keep every sum exact).
 */
export const UsageRecord = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(200)),
  accountId: z.string().check(z.regex(ACCOUNT_ID, 'must be a 15- or 18-character Account id')),
  subscriptionKey: z.string().check(z.minLength(1), z.maxLength(80)),
  meter: z.string().check(z.minLength(1), z.maxLength(40)),
  quantity: z.number().check(z.int(), z.gte(0), z.lte(1e12)),
  timestamp: z.iso.datetime({ offset: true }),
})
export type UsageRecord = z.infer<typeof UsageRecord>

/** Body of `POST /v1/usage`; records stay `unknown` so one bad record can't sink the batch. */
export const UsageBatch = z.object({
  records: z.array(z.unknown()).check(z.minLength(1, 'must hold at least one record')),
})
export type UsageBatch = z.infer<typeof UsageBatch>

/**
 * What became of one record, in the order sent: `accepted` (durable in its account's ledger),
 * `duplicate` (its id was accepted before: safe to resend), `parked` (kept, but for a period
 * already closed: a business exception for an operator), `rejected` (with the reasons and where
 * the raw record is kept), `failed` (not stored; resend the batch).
 */
export type UsageResult =
  | { index: number; id: string; status: 'accepted' | 'duplicate' }
  | { index: number; id: string; status: 'parked'; code: string; message: string }
  | {
      index: number
      id?: string
      status: 'rejected'
      quarantineId: string
      errors: Array<{ field: string; message: string }>
    }
  | { index: number; id: string; status: 'failed'; retryable: true }

export interface UsageResponse {
  requestId: string
  counts: Record<string, number>
  results: UsageResult[]
}

/** The UTC calendar month a usage instant is billed in (`2026-12`). */
export function usagePeriodOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7)
}
