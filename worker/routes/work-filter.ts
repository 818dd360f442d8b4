import type * as z from 'zod/mini'
import type { WorkQueueFilter } from '../ops/work-queue.ts'
import { ageMs, type ExceptionsQuery } from './operator-schemas.ts'

/** The work queue's filter from the parsed query (API and console alike). */
export function workFilter(q: z.output<typeof ExceptionsQuery>): WorkQueueFilter {
  return {
    limit: q.limit,
    system: q.system,
    accountId: q.accountId,
    code: q.code,
    category: q.category,
    olderThanMs: q.olderThan ? ageMs(q.olderThan) : undefined,
    q: q.q,
    cursor: q.cursor,
  }
}
