import type * as z from 'zod/mini'
import type { TraceResult } from '../../console/trace-lookup.ts'
import type { ExceptionEntry } from '../../ledger/journal.ts'
import type { AccountSummary, AmendmentDetail } from '../../ledger/views.ts'
import type { QuarantineEntry } from '../../ops/ops-registry.ts'
import type { UsageResponse } from '../../../shared/index.ts'
import type { UsageLine, UsageOverview, readUsageAggregate } from '../../ledger/usage/views.ts'
import type { TraceMatch } from '../../ops/trace-index.ts'
import type { WorkQueuePage } from '../../ops/work-item.ts'
import type {
  AccountSummarySchema,
  AmendmentDetailSchema,
  ExceptionEntrySchema,
  QuarantineEntrySchema,
  TraceMatchSchema,
  TraceResultSchema,
  WorkQueuePageSchema,
} from './responses.ts'
import type {
  UsageAggregateDetailSchema,
  UsageLineSchema,
  UsageOverviewSchema,
  UsageResponseSchema,
} from './usage.ts'

/**
 * Type-level only (the worker's type check reads it; nothing imports it): each response schema
 * of the contract describes exactly the type its route answers with, so they cannot drift apart.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Holds<T extends true> = T

export type ContractChecks = [
  Holds<Same<z.output<typeof AmendmentDetailSchema>, AmendmentDetail>>,
  Holds<Same<z.output<typeof AccountSummarySchema>, AccountSummary>>,
  Holds<Same<z.output<typeof ExceptionEntrySchema>, ExceptionEntry>>,
  Holds<Same<z.output<typeof QuarantineEntrySchema>, QuarantineEntry>>,
  Holds<Same<z.output<typeof TraceMatchSchema>, TraceMatch>>,
  Holds<Same<z.output<typeof TraceResultSchema>, TraceResult>>,
  Holds<Same<z.output<typeof WorkQueuePageSchema>, WorkQueuePage>>,
  Holds<Same<z.output<typeof UsageResponseSchema>, UsageResponse>>,
  Holds<Same<z.output<typeof UsageOverviewSchema>, UsageOverview>>,
  Holds<Same<z.output<typeof UsageLineSchema>, UsageLine>>,
  Holds<
    Same<
      z.output<typeof UsageAggregateDetailSchema>,
      NonNullable<ReturnType<typeof readUsageAggregate>>
    >
  >,
]
