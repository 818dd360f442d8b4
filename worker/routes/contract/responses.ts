import * as z from 'zod/mini'
import { Amendment } from '../../../shared/index.ts'
import { RECOVERABILITIES } from '../../failure/recoverability.ts'
import { WORK_KINDS, WORK_SYSTEMS } from '../../ops/work-item.ts'

/**
 * The answers of the operator API as zod schemas, for the OpenAPI document only (the worker
 * builds these answers from typed objects, it never parses them). `checks.ts` fails the type
 * check when a schema and the type the route answers with drift apart.
 */

const opt = <T extends z.core.$ZodType>(t: T) => z.optional(t)
const flat = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
const state = z.enum(['waiting', 'parked', 'applied', 'skipped'])
const step = z.enum(['xref', 'billing', 'erp', 'status', 'done'])

export const AuditLineSchema = z.object({
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  fromState: opt(z.string()),
  toState: opt(z.string()),
  detail: opt(flat),
})

const amendmentFields = {
  id: z.string(),
  subscriptionKey: z.string(),
  sequence: z.number(),
  action: z.string(),
  state,
  step,
  attempts: z.number(),
  nextAttemptAt: opt(z.string()),
  errorCode: opt(z.string()),
  errorMessage: opt(z.string()),
  billingRef: opt(z.string()),
  erpRef: opt(z.string()),
  correlationId: z.string(),
  receivedAt: z.string(),
  updatedAt: z.string(),
}

export const AmendmentDetailSchema = z.object({
  ...amendmentFields,
  audit: z.array(AuditLineSchema),
})

export const AccountSummarySchema = z.object({
  accountId: z.string(),
  xref: z.object({
    billingCustomerId: opt(z.string()),
    erpCustomerId: opt(z.string()),
    erpSubsidiaryId: opt(z.string()),
  }),
  counts: z.record(z.string(), z.number()),
  subscriptions: z.array(
    z.object({
      key: z.string(),
      resolvedSequence: z.number(),
      appliedSequence: z.number(),
      billingSubscriptionId: opt(z.string()),
      status: opt(z.string()),
    }),
  ),
  open: z.array(z.object(amendmentFields)),
  statusOutbox: z.object({
    pending: z.number(),
    dead: z.array(z.object({ amendmentId: z.string(), reason: z.string() })),
  }),
})

export const ExceptionEntrySchema = z.object({
  amendmentId: z.string(),
  accountId: z.string(),
  subscriptionKey: z.string(),
  sequence: z.number(),
  action: z.string(),
  state,
  code: z.nullable(z.string()),
  message: z.nullable(z.string()),
  correlationId: z.string(),
  updatedAt: z.string(),
  step: opt(z.enum(['xref', 'billing', 'erp', 'status', 'done'])),
  nextAttemptAt: opt(z.string()),
  priceKey: opt(z.string()),
  quantity: opt(z.number()),
  proration: opt(z.string()),
  billingRef: opt(z.string()),
  erpRef: opt(z.string()),
  billingCustomerId: opt(z.string()),
  erpCustomerId: opt(z.string()),
})

const Ids = z.array(z.string())

export const WorkItemSchema = z.object({
  id: z.string(),
  kind: z.enum(WORK_KINDS),
  category: z.enum(RECOVERABILITIES),
  system: z.enum(WORK_SYSTEMS),
  code: z.string(),
  message: z.string(),
  since: z.string(),
  nextAttemptAt: opt(z.string()),
  accountId: opt(z.string()),
  correlationId: opt(z.string()),
  amendmentId: opt(z.string()),
  impact: opt(z.object({ amount: z.number(), currency: z.string(), basis: z.string() })),
  ids: z.object({ salesforce: Ids, stripe: Ids, netsuite: Ids }),
  ref: z.string(),
})

export const WorkQueuePageSchema = z.object({
  items: z.array(WorkItemSchema),
  counts: z.object({
    retrying: z.number(),
    needs_data_fix: z.number(),
    needs_approval: z.number(),
  }),
  next: opt(z.string()),
})

export const QuarantineEntrySchema = z.object({
  id: z.string(),
  receivedAt: z.string(),
  source: z.string(),
  requestId: z.string(),
  eventUuid: opt(z.string()),
  accountId: opt(z.string()),
  reasons: z.array(z.object({ field: z.string(), message: z.string() })),
  raw: z.string(),
})

export const TraceMatchSchema = z.object({
  correlationId: z.string(),
  amendmentId: z.string(),
  accountId: z.string(),
  at: z.string(),
})

const TraceCallSchema = z.object({
  at: z.string(),
  system: z.string(),
  method: z.string(),
  path: z.string(),
  status: z.number(),
  idempotencyKey: opt(z.string()),
  durationMs: z.number(),
})

const links = z.record(z.string(), z.string())

export const TraceResultSchema = z.object({
  correlationId: z.string(),
  accounts: z.array(
    z.object({
      trace: z.object({
        correlationId: z.string(),
        accountId: z.string(),
        xref: z.object({ billingCustomerId: opt(z.string()), erpCustomerId: opt(z.string()) }),
        amendments: z.array(
          z.object({
            detail: AmendmentDetailSchema,
            event: Amendment,
            steps: z.array(
              z.object({
                step: z.enum(['xref', 'billing', 'erp', 'status']),
                status: z.enum(['done', 'current', 'pending']),
                attempts: z.array(AuditLineSchema),
                calls: z.array(TraceCallSchema),
              }),
            ),
            writtenBack: z.array(
              z.object({
                object: z.string(),
                externalId: z.string(),
                status: z.string(),
                handedAt: z.string(),
              }),
            ),
          }),
        ),
      }),
      links: z.object({
        salesforceAccount: opt(z.string()),
        stripeCustomer: opt(z.string()),
        stripeBilling: opt(links),
        netsuiteCustomer: opt(z.string()),
        netsuiteOrders: opt(links),
      }),
    }),
  ),
})
