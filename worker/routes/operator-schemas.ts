import * as z from 'zod/mini'
import { AccountId } from '../../shared/index.ts'

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

export const ExceptionsQuery = z.object({
  limit: Limit,
  accountId: z.optional(AccountId),
  state: z._default(z.enum(['parked', 'waiting', 'applied', 'skipped']), 'parked'),
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
