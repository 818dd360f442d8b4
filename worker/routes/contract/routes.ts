import * as z from 'zod/mini'
import {
  CreditRequestInput,
  RefundRequestInput,
  SalesforceMoneyInput,
  FinancialStanding,
  IntakeResponse,
  SignedPing,
  SubscriptionAmendmentEvent,
} from '../../../shared/index.ts'
import { ACTION_ROUTES } from '../../../shared/actions.ts'
import {
  AccountParam,
  AmendmentParams,
  BackfillInput,
  ExceptionParam,
  ExceptionsQuery,
  GapParam,
  QuarantineQuery,
  RetryInput,
  SkipInput,
  TraceSearchQuery,
  CorrelationIdParam,
  WebhookEventsQuery,
} from '../operator-schemas.ts'
import { DriftReportSchema, ReconcileInput, ReconcileQuery } from './reconcile.ts'
import { ACTIVATION_ROUTES } from './activation.ts'
import {
  AccountSummarySchema,
  AmendmentDetailSchema,
  ExceptionEntrySchema,
  QuarantineEntrySchema,
  TraceMatchSchema,
  TraceResultSchema,
  WorkQueuePageSchema,
} from './responses.ts'
import { CATALOG_ROUTES } from './catalog.ts'
import type { RouteContract } from './route-contract.ts'
import { USAGE_ROUTES } from './usage.ts'
import { ACCOUNT_CHANGE_ROUTES } from './account-changes.ts'

export type { Auth, RouteContract } from './route-contract.ts'

/** A JSON object the contract does not detail yet (status views kept by each object). */
const statusObject = (what: string) =>
  z.record(z.string(), z.unknown()).check(z.meta({ description: what }))

/** The preview body: the event the rep is about to publish, without what only publishing adds. */
const PreviewRequest = z.object({
  Account_Id__c: z.string(),
  Subscription_Key__c: z.string(),
  Action__c: z.string(),
  Price_Key__c: z.optional(z.nullable(z.string())),
  Quantity__c: z.optional(z.nullable(z.number())),
  Effective_Date__c: z.optional(z.nullable(z.string())),
  Proration__c: z.optional(z.nullable(z.string())),
  Cancel_Mode__c: z.optional(z.nullable(z.string())),
  Correlation_Id__c: z.optional(z.string()),
})

const PreviewResponse = z.object({
  currency: z.string(),
  lines: z.array(
    z.object({
      description: z.string(),
      amount: z.number(),
      quantity: z.optional(z.number()),
      proration: z.boolean(),
      periodStart: z.optional(z.string()),
      periodEnd: z.optional(z.string()),
    }),
  ),
  subtotal: z.number(),
  total: z.number(),
  /** Tax included in `total` (Stripe Tax on, customer known); absent when none was computed. */
  tax: z.optional(z.number()),
  /**
   * With `tax`: why it is what it is, Stripe Tax's distinct `taxability_reason`s
   * (`standard_rated`, `customer_exempt`, `reverse_charge`, `not_collecting`, …).
   */
  taxReasons: z.optional(z.array(z.string())),
  amountDueNow: z.number(),
  prorationDate: z.optional(z.number()),
  previewToken: z.optional(z.string()),
})

const CatalogResponse = z.object({
  version: z.string(),
  prices: z.array(
    z.object({
      priceKey: z.string(),
      productName: z.string(),
      interval: z.string(),
      currency: z.string(),
      unitAmount: z.number(),
    }),
  ),
})

const Amendment = z.object({ amendment: AmendmentDetailSchema })
const ok = (description: string, body?: z.core.$ZodType, status = 200) => ({
  status,
  body,
  description,
})

const IntakeRequest = z.object({
  events: z.array(SubscriptionAmendmentEvent).check(z.minLength(1), z.maxLength(2000)),
})
const StripeEvent = z.looseObject({ id: z.string(), type: z.string(), data: z.unknown() })
const items = (item: z.core.$ZodType) => z.object({ items: z.array(item) })

/** The Salesforce-facing and Stripe-facing routes. */
const INTAKE: RouteContract[] = [
  {
    method: 'post',
    path: '/v1/salesforce/events',
    summary:
      'A batch of Subscription_Amendment__e events (invalid ones are quarantined, never dropped)',
    tag: 'intake',
    auth: 'salesforce',
    body: IntakeRequest,
    ok: ok('One result per event, in order', IntakeResponse),
  },
  {
    method: 'get',
    path: '/v1/catalog',
    summary: 'The price choices for the amendment component',
    tag: 'intake',
    auth: 'salesforce',
    ok: ok('The catalog', CatalogResponse),
  },
  {
    method: 'post',
    path: '/v1/amendments/preview',
    summary: 'What an amendment would invoice, priced by billing; changes nothing',
    tag: 'intake',
    auth: 'salesforce',
    body: PreviewRequest,
    ok: ok('The priced preview and its token', PreviewResponse),
  },
  {
    method: 'post',
    path: '/v1/webhooks/stripe',
    summary: 'Stripe webhook events (signature checked on the raw body)',
    tag: 'intake',
    auth: 'stripe',
    body: StripeEvent,
    ok: ok('Taken', z.object({ received: z.literal(true), outcome: z.string() })),
  },
]

/** The operator API. */
const OPERATOR: RouteContract[] = [
  {
    method: 'get',
    path: '/v1/overview',
    summary: 'The backlog at a glance',
    tag: 'operator',
    auth: 'viewer',
    ok: ok(
      'The overview',
      statusObject(
        'backlog, writer, subscriber, AR sync and backfill, each absent when its object could not answer',
      ),
    ),
  },
  {
    method: 'get',
    path: '/v1/quarantine',
    summary: 'Rejected input with its raw payload and reasons, newest first',
    tag: 'operator',
    auth: 'viewer',
    query: QuarantineQuery,
    ok: ok(
      'A page of the quarantine',
      z.object({ items: z.array(QuarantineEntrySchema), next: z.optional(z.string()) }),
    ),
  },
  {
    method: 'get',
    path: '/v1/exceptions',
    summary:
      'The exception work queue: filtered, searched by any id, oldest first, counts per category (with state: the amendments in that state)',
    tag: 'operator',
    auth: 'viewer',
    query: ExceptionsQuery,
    ok: ok(
      'A page of the queue and its counts (with state: the amendments in that state)',
      z.union([WorkQueuePageSchema, items(ExceptionEntrySchema)]),
    ),
  },
  {
    method: 'post',
    path: '/v1/exceptions/{id}/retry',
    summary: 'Run a parked amendment again from the step it stopped at',
    tag: 'operator',
    auth: 'operator',
    params: ExceptionParam,
    body: RetryInput,
    ok: ok('The amendment after the retry', Amendment),
  },
  {
    method: 'post',
    path: '/v1/exceptions/{id}/skip',
    summary: 'Give up on a parked amendment, with a reason',
    tag: 'operator',
    auth: 'operator',
    params: ExceptionParam,
    body: SkipInput,
    ok: ok('The amendment after the skip', Amendment),
  },
  {
    method: 'get',
    path: '/v1/webhooks/stripe/events',
    summary: 'Webhook counts by type and outcome; unrouted and ignored events',
    tag: 'operator',
    auth: 'viewer',
    query: WebhookEventsQuery,
    ok: ok('The webhook report', statusObject('counts and events')),
  },
  {
    method: 'get',
    path: '/v1/writer',
    summary: "The OrgWriter's queue, parked records and API usage",
    tag: 'operator',
    auth: 'viewer',
    ok: ok(
      'The writer status',
      statusObject('pending, parked, calls24h, usage, intervalMs, hints'),
    ),
  },
  {
    method: 'post',
    path: '/v1/backfill',
    summary: 'Start a backfill of one account or every mapped customer',
    tag: 'operator',
    auth: 'operator',
    body: BackfillInput,
    ok: ok('Started; the status', statusObject('the backfill status'), 202),
  },
  {
    method: 'get',
    path: '/v1/backfill',
    summary: 'How far the backfill is',
    tag: 'operator',
    auth: 'viewer',
    ok: ok('The backfill status', statusObject('state, done, total, failed')),
  },
  {
    method: 'get',
    path: '/v1/erp/ar-sync',
    summary: 'The NetSuite AR read: watermark and last run',
    tag: 'operator',
    auth: 'viewer',
    ok: ok('The AR sync status', statusObject('watermark and lastRun')),
  },
  {
    method: 'post',
    path: '/v1/erp/ar-sync/run',
    summary: 'Read NetSuite AR now',
    tag: 'operator',
    auth: 'operator',
    ok: ok('Started', z.object({ started: z.literal(true) }), 202),
  },
  {
    method: 'get',
    path: '/v1/subscriber',
    summary: 'The CometD catch-up: health, cursor, runs, gaps',
    tag: 'operator',
    auth: 'viewer',
    ok: ok('The subscriber status', statusObject('health, cursor, runs, gaps, totals')),
  },
  {
    method: 'post',
    path: '/v1/subscriber/run',
    summary: 'Run the CometD catch-up now, from its stored replay id',
    tag: 'operator',
    auth: 'operator',
    ok: ok('Started', statusObject('whether a run started'), 202),
  },
  {
    method: 'post',
    path: '/v1/subscriber/gaps/{id}/acknowledge',
    summary: 'Sign off a gap of lost events',
    tag: 'operator',
    auth: 'operator',
    params: GapParam,
    ok: ok('The gap', statusObject('the acknowledged gap')),
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}/standing',
    summary: "The account's financial standing",
    tag: 'operator',
    auth: 'viewer',
    params: AccountParam,
    ok: ok('The standing', FinancialStanding),
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}',
    summary: "One account's ledger: cross-references, counts, subscriptions, open work",
    tag: 'operator',
    auth: 'viewer',
    params: AccountParam,
    ok: ok('The account', AccountSummarySchema),
  },
  {
    method: 'get',
    path: '/v1/accounts/{accountId}/amendments/{id}',
    summary: 'One amendment with its audit trail',
    tag: 'operator',
    auth: 'viewer',
    params: AmendmentParams,
    ok: ok('The amendment', AmendmentDetailSchema),
  },
  {
    method: 'get',
    path: '/v1/trace',
    summary:
      'Amendments known by an id: correlation id, EventUuid, Salesforce account, Stripe or NetSuite id',
    tag: 'trace',
    auth: 'viewer',
    query: TraceSearchQuery,
    ok: ok('The matches, newest first', items(TraceMatchSchema)),
  },
  {
    method: 'get',
    path: '/v1/trace/{correlationId}',
    summary:
      'One correlation id end to end: event, steps and attempts, vendor calls, records written back, deep links',
    tag: 'trace',
    auth: 'viewer',
    params: CorrelationIdParam,
    ok: ok('The trace', TraceResultSchema),
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    summary: 'This document',
    tag: 'contract',
    auth: 'none',
    ok: ok('The OpenAPI 3.1 document'),
  },
]

const SUMMARIES: Record<string, string> = {
  'post /v1/actions':
    'Asks for a governed action (retry, skip, backfill, replay); money waits for an approver',
  'get /v1/actions': 'Governed action requests, newest first',
  'get /v1/actions/{id}': 'One request with its dry-run diff and audit trail',
  'post /v1/actions/{id}/approve': 'Approves (and runs) a request: never its own requester',
  'post /v1/actions/{id}/reject': 'Rejects a request, with the reason',
  'get /v1/actions/audit.csv': 'The governed actions audit as CSV',
}

/** The governed actions (`shared/actions.ts` declares their schemas once for the worker and here). */
const ACTIONS: RouteContract[] = ACTION_ROUTES.map((r) => ({
  method: r.method,
  path: r.path,
  summary: SUMMARIES[`${r.method} ${r.path}`] ?? r.path,
  tag: 'operator',
  auth: r.role,
  params: r.path.includes('{id}') ? z.object({ id: z.string() }) : undefined,
  query: 'query' in r ? r.query : undefined,
  body: 'body' in r ? r.body : undefined,
  ok: ok(r.path.endsWith('.csv') ? 'CSV (text/csv)' : 'The request', undefined),
}))

const MORE: RouteContract[] = [
  {
    method: 'post',
    path: '/v1/credits',
    summary:
      'Asks for a credit note on a billing invoice (waits for an approver, with its dry run)',
    tag: 'operator',
    auth: 'operator',
    body: CreditRequestInput,
    ok: ok('The pending request', statusObject('{status: pending, created, request}'), 202),
  },
  {
    method: 'post',
    path: '/v1/refunds',
    summary: 'Asks for a refund of a billing payment (waits for an approver, with its dry run)',
    tag: 'operator',
    auth: 'operator',
    body: RefundRequestInput,
    ok: ok('The pending request', statusObject('{status: pending, created, request}'), 202),
  },
  {
    method: 'post',
    path: '/v1/salesforce/money',
    summary: 'A credit or refund asked from Salesforce for one of its users (signed by Apex)',
    tag: 'intake',
    auth: 'salesforce',
    body: SalesforceMoneyInput,
    ok: ok('The pending request', statusObject('{status: pending, created, request}'), 202),
  },
  {
    method: 'get',
    path: '/v1/salesforce/money/{id}',
    summary: 'A credit or refund request with its dry run and state (signed by Apex)',
    tag: 'intake',
    auth: 'salesforce',
    params: z.object({ id: z.string() }),
    ok: ok('The request', statusObject('{request}')),
  },
  {
    method: 'get',
    path: '/v1/lookup/{id}',
    summary: 'Where an amendment is: its account, by amendment id or correlation id',
    tag: 'trace',
    auth: 'viewer',
    params: z.object({ id: z.string() }),
    ok: ok('The amendments indexed under that id', statusObject('{items: [...]}')),
  },
  {
    method: 'get',
    path: '/v1/salesforce/status',
    summary: "The Concord Setup page's signed health read (shared/setup-status.ts)",
    tag: 'intake',
    auth: 'salesforce',
    ok: ok('The status', statusObject('SetupStatus')),
  },
  {
    method: 'get',
    path: '/v1/salesforce/ping',
    summary:
      'Signed round trip for sf concord doctor: which secret matched and the clock skew (shared/setup-status.ts)',
    tag: 'intake',
    auth: 'salesforce',
    ok: ok('What the worker saw of the signature', SignedPing),
  },
]

/** Every route of the HTTP API under `/v1`; a worker test checks the app serves exactly these. */
/** The drift reconciler's operator routes. */
const RECONCILE: RouteContract[] = [
  {
    method: 'post',
    path: '/v1/reconcile',
    summary:
      'Reconcile now: one account (its events of the last window and a full compare) or a sweep of all; repairs only with repair: true',
    tag: 'operator',
    auth: 'operator',
    body: ReconcileInput,
    ok: { status: 200, body: DriftReportSchema, description: 'The run’s report' },
  },
  {
    method: 'get',
    path: '/v1/reconcile',
    summary: 'The drift reconciler’s latest runs, newest first',
    tag: 'operator',
    auth: 'viewer',
    query: ReconcileQuery,
    ok: {
      status: 200,
      body: z.object({ items: z.array(DriftReportSchema) }),
      description: 'The latest reports',
    },
  },
]

export const ROUTES: readonly RouteContract[] = [
  ...INTAKE,
  ...OPERATOR,
  ...ACTIONS,
  ...MORE,
  ...RECONCILE,
  ...USAGE_ROUTES,
  ...CATALOG_ROUTES,
  ...ACTIVATION_ROUTES,
  ...ACCOUNT_CHANGE_ROUTES,
]
