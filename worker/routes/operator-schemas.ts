import * as z from 'zod/mini'
import { AccountId } from '../../shared/index.ts'
import { RECOVERABILITIES } from '../failure/recoverability.ts'
import { WORK_SYSTEMS } from '../ops/work-item.ts'

/**
 * The operator and trace routes' input schemas, apart from the routes so the OpenAPI generator
 * (`contract/`) can read them without the runtime the routes need.
 */

/** What retry and skip take, from the JSON API and the console alike. */
export const RetryInput = z.object({
  reason: z.optional(z.string().check(z.trim(), z.maxLength(500))),
})
export const SkipInput = z.object({
  reason: z
    .string()
    .check(z.trim(), z.minLength(3, 'say why (at least 3 characters)'), z.maxLength(500)),
})

/** What a trace search takes: any id an amendment is known by. */
export const TraceSearchQuery = z.object({
  q: z.string().check(z.trim(), z.minLength(1, 'give an id to search for'), z.maxLength(200)),
})

/** A correlation id as Salesforce sends it (`Correlation_Id__c`, at most 64 characters). */
export const CorrelationIdParam = z.object({
  correlationId: z.string().check(z.minLength(1), z.maxLength(64)),
})

/** Page size of the operator lists. */
export const Limit = z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(500)), 100)

export const QuarantineQuery = z.object({ limit: Limit, before: z.optional(z.string()) })

/** An age: a whole number of minutes, hours or days (`30m`, `4h`, `2d`). */
export const Age = z
  .string()
  .check(z.trim(), z.regex(/^\d{1,5}[mhd]$/, 'give an age like 30m, 4h or 2d'))

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `30m` → 1,800,000. */
export function ageMs(age: string): number {
  return Number(age.slice(0, -1)) * (UNIT_MS[age.slice(-1)] ?? 0)
}

/**
 * The exception work queue's filters (`GET /v1/exceptions`, `/console/exceptions`): each
 * narrows, `q` matches any id an item carries. `state` asks instead for the older list of
 * amendments in one state (`sf concord doctor` and the amendment lookup still read it).
 */
export const ExceptionsQuery = z.object({
  limit: Limit,
  accountId: z.optional(AccountId),
  system: z.optional(z.enum(WORK_SYSTEMS)),
  category: z.optional(z.enum(RECOVERABILITIES)),
  code: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  olderThan: z.optional(Age),
  q: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(200))),
  cursor: z.optional(z.string().check(z.maxLength(400))),
  state: z.optional(z.enum(['parked', 'waiting', 'applied', 'skipped'])),
})

export const WebhookEventsQuery = z.object({
  limit: Limit,
  outcome: z.optional(z.enum(['queued', 'duplicate', 'unrouted', 'ignored'])),
})

export const BackfillInput = z.object({ accountId: z.optional(AccountId) })

/** Path parameters of the operator routes. */
export const AccountParam = z.object({ accountId: AccountId })
export const AmendmentParams = z.object({ accountId: AccountId, id: z.string() })
export const ExceptionParam = z.object({ id: z.string() })
export const GapParam = z.object({ id: z.coerce.number().check(z.int(), z.gte(1)) })
