import type * as z from 'zod/mini'

/** Who may call a route: an operator token of at least a role, Salesforce's signature, Stripe's. */
export type Auth = 'viewer' | 'operator' | 'approver' | 'salesforce' | 'stripe' | 'none'

/** One route of the HTTP API as the OpenAPI document describes it. */
export interface RouteContract {
  method: 'get' | 'post'
  /** OpenAPI path template (`/v1/accounts/{accountId}`). */
  path: string
  summary: string
  tag: 'intake' | 'operator' | 'trace' | 'contract'
  auth: Auth
  params?: z.core.$ZodType
  query?: z.core.$ZodType
  body?: z.core.$ZodType
  /** The success status and its body (JSON), when it has one. */
  ok: { status: number; body?: z.core.$ZodType; description: string }
}
