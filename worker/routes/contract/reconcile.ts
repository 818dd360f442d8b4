import * as z from 'zod/mini'
import { AccountId } from '../../../shared/index.ts'

/** `POST /v1/reconcile`: one account (or every account: a sweep), repairing or only reporting. */
export const ReconcileInput = z.object({
  accountId: z.optional(AccountId),
  repair: z._default(z.boolean(), false),
})

export const ReconcileQuery = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(50)), 10),
})

const Value = z.nullable(z.union([z.string(), z.number()]))

const DriftFinding = z.object({
  accountId: z.optional(z.string()),
  object: z.enum(['event', 'subscription', 'invoice', 'payment', 'sales_order']),
  id: z.string(),
  cause: z.enum([
    'lost_webhook',
    'hand_edit',
    'stale_mirror',
    'missing_mirror',
    'unowned_subscription',
    'orphan_mirror',
    'lost_erp_step',
    'erp_edit',
    'erp_mismatch',
  ]),
  action: z.enum(['repair_requested', 'exception', 'reported']),
  fields: z.optional(
    z.array(
      z.object({
        field: z.string(),
        salesforce: z.optional(Value),
        billing: z.optional(Value),
        /** An ERP order's field: what Concord wrote, and what NetSuite holds now. */
        concord: z.optional(Value),
        netsuite: z.optional(Value),
      }),
    ),
  ),
  detail: z.optional(z.string()),
})

/** One run's report: what it compared, every difference with its cause, what it did, its cost. */
export const DriftReportSchema = z.object({
  runId: z.string(),
  trigger: z.enum(['schedule', 'operator']),
  scope: z.string(),
  repair: z.boolean(),
  startedAt: z.string(),
  finishedAt: z.string(),
  calls: z.object({
    stripe: z.number(),
    salesforce: z.number(),
    netsuite: z.number(),
    ledger: z.number(),
  }),
  checked: z.object({
    events: z.number(),
    editedRows: z.number(),
    accounts: z.number(),
    subscriptions: z.number(),
    invoices: z.number(),
    payments: z.number(),
    erpOrders: z.number(),
    erpInvoices: z.number(),
  }),
  findings: z.array(DriftFinding),
  deferred: z.array(z.string()),
})
