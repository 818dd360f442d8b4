import type { UsageRecord } from '../../../shared/index.ts'
import { recordUsage, type RecordContext, type RecordUsageResult } from './record.ts'
import { nextSeal } from './report.ts'

export type { RecordUsageResult }

/**
 * Records a batch of one account's usage in one synchronous step (durable when it returns) and
 * answers when the pump should next run: now when a record landed in a minute already over,
 * else when the earliest open minute ends.
 */
export function acceptUsage(
  ctx: RecordContext,
  records: UsageRecord[],
  customerId: string | null,
): { results: RecordUsageResult[]; wakeAt?: number } {
  const results = records.map((r) => recordUsage(ctx, r, customerId))
  if (!results.some((r) => r.status === 'accepted')) return { results }
  return { results, wakeAt: nextSeal(ctx.sql) }
}
