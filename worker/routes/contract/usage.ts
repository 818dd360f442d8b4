import * as z from 'zod/mini'
import { MAX_USAGE_PER_BATCH, UsageRecord } from '../../../shared/index.ts'
import { AccountParam } from '../operator-schemas.ts'
import type { RouteContract } from './route-contract.ts'

/**
 * The usage routes' contract: `POST /v1/usage` and the usage operator API. `checks.ts` holds the
 * response schemas to the types the ledger answers with.
 */

const reason = z.nullable(z.object({ code: z.string(), message: z.string() }))

export const UsageResultSchema = z.union([
  z.object({ index: z.number(), id: z.string(), status: z.enum(['accepted', 'duplicate']) }),
  z.object({
    index: z.number(),
    id: z.string(),
    status: z.literal('parked'),
    code: z.string(),
    message: z.string(),
  }),
  z.object({
    index: z.number(),
    id: z.optional(z.string()),
    status: z.literal('rejected'),
    quarantineId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })),
  }),
  z.object({
    index: z.number(),
    id: z.string(),
    status: z.literal('failed'),
    retryable: z.literal(true),
  }),
])

export const UsageResponseSchema = z.object({
  requestId: z.string(),
  counts: z.record(z.string(), z.number()),
  results: z.array(UsageResultSchema),
})

export const UsagePeriodSchema = z.object({
  period: z.string(),
  subscriptionKey: z.string(),
  meter: z.string(),
  state: z.string(),
  quantity: z.nullable(z.number()),
  records: z.nullable(z.number()),
  erpRef: z.nullable(z.string()),
  error: reason,
})

export const UsageAggregateSchema = z.object({
  identifier: z.string(),
  customerId: z.string(),
  meter: z.string(),
  eventName: z.string(),
  minute: z.string(),
  value: z.number(),
  records: z.number(),
  state: z.string(),
  attempts: z.number(),
  reportedAt: z.nullable(z.string()),
  error: reason,
})

export const UsageRecordSchema = z.object({
  id: z.string(),
  subscriptionKey: z.string(),
  meter: z.string(),
  quantity: z.number(),
  timestamp: z.string(),
  period: z.string(),
  state: z.string(),
  reason,
  aggregate: z.nullable(z.string()),
  requestId: z.string(),
  receivedAt: z.string(),
})

export const UsageOverviewSchema = z.object({
  periods: z.array(UsagePeriodSchema),
  aggregates: z.record(z.string(), z.number()),
  records: z.record(z.string(), z.number()),
  parkedRecords: z.array(UsageRecordSchema),
  parkedAggregates: z.array(UsageAggregateSchema),
})

export const UsageLineSchema = z.object({
  period: z.string(),
  meter: z.string(),
  aggregates: z.array(UsageAggregateSchema),
  reportedValue: z.number(),
  records: z.array(UsageRecordSchema),
  nextAfter: z.optional(z.string()),
})

export const UsageAggregateDetailSchema = z.object({
  aggregate: UsageAggregateSchema,
  records: z.array(UsageRecordSchema),
})

const UsageRequest = z.object({
  records: z.array(UsageRecord).check(z.minLength(1), z.maxLength(MAX_USAGE_PER_BATCH)),
})
const Page = z.object({
  limit: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1000))),
  after: z.optional(z.string()),
})
const Period = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/))
const ok = (description: string, body?: z.core.$ZodType, status = 200) => ({
  status,
  body,
  description,
})
const usagePath = (rest: string) => `/v1/accounts/{accountId}/usage${rest}`

/** `POST /v1/usage` and the usage operator routes. */
export const USAGE_ROUTES: RouteContract[] = [
  {
    method: 'post',
    path: '/v1/usage',
    summary:
      'A batch of usage records (up to 10,000): one result per record; 503 with Retry-After when some could not be stored (resend: stored ones answer duplicate)',
    tag: 'intake',
    auth: 'salesforce',
    body: UsageRequest,
    ok: ok('One result per record, in order', UsageResponseSchema),
  },
  {
    method: 'get',
    path: usagePath(''),
    summary: "An account's usage: periods, counts by state, parked records and aggregates",
    tag: 'operator',
    auth: 'viewer',
    params: AccountParam,
    query: z.object({ limit: Page.shape.limit }),
    ok: ok('The usage overview', UsageOverviewSchema),
  },
  {
    method: 'get',
    path: usagePath('/lines/{period}/{meter}'),
    summary:
      'Which records made up an invoice line: a meter’s meter events and records in a period',
    tag: 'operator',
    auth: 'viewer',
    params: z.object({
      accountId: AccountParam.shape.accountId,
      period: Period,
      meter: z.string(),
    }),
    query: Page,
    ok: ok('The line, a page of its records', UsageLineSchema),
  },
  {
    method: 'get',
    path: usagePath('/aggregates/{identifier}'),
    summary: 'One meter event (its Stripe identifier) and every record in it',
    tag: 'operator',
    auth: 'viewer',
    params: z.object({ accountId: AccountParam.shape.accountId, identifier: z.string() }),
    ok: ok('The meter event', UsageAggregateDetailSchema),
  },
  {
    method: 'post',
    path: usagePath('/aggregates/{identifier}/retry'),
    summary: 'Send a parked meter event again, under the same identifier and value',
    tag: 'operator',
    auth: 'operator',
    params: z.object({ accountId: AccountParam.shape.accountId, identifier: z.string() }),
    ok: ok('The meter event after the retry', z.optional(UsageAggregateDetailSchema)),
  },
  {
    method: 'post',
    path: usagePath('/periods/{period}/close'),
    summary: 'Close a usage period now (its summaries follow once its usage is reported)',
    tag: 'operator',
    auth: 'operator',
    params: z.object({ accountId: AccountParam.shape.accountId, period: Period }),
    ok: ok('Closed', z.object({ period: z.string(), closed: z.literal(true) })),
  },
  {
    method: 'post',
    path: usagePath('/records/{id}/resolve'),
    summary: 'Close a late (parked) usage record dealt with outside Concord, with the reason',
    tag: 'operator',
    auth: 'operator',
    params: z.object({ accountId: AccountParam.shape.accountId, id: z.string() }),
    body: z.object({ reason: z.string().check(z.minLength(3), z.maxLength(1000)) }),
    ok: ok('Resolved', z.object({ id: z.string(), state: z.literal('resolved') })),
  },
]
