import type { Recoverability } from '../failure/recoverability.ts'

/*
 * The exception work queue's shapes, apart from its storage (`work-queue.ts`) so the API
 * contract and the CLI-facing schemas can read them without the Workers runtime.
 */

/** Where an item comes from. */
export const WORK_KINDS = [
  'amendment',
  'writer_record',
  'alert_delivery',
  'quarantine',
  'unmatched_webhook',
  'subscriber_gap',
  'drift',
  'billing_read',
  'money_action',
  'activation',
  'account_review',
] as const
export type WorkKind = (typeof WORK_KINDS)[number]

export const WORK_SYSTEMS = ['salesforce', 'stripe', 'netsuite', 'worker'] as const
export type WorkSystem = (typeof WORK_SYSTEMS)[number]

/** One item of the exception work queue, whatever its source. */
export interface WorkItem {
  /** `<kind>:<the source's own id>`. */
  id: string
  kind: WorkKind
  category: Recoverability
  system: WorkSystem
  code: string
  message: string
  /** When it went wrong; its age counts from here. */
  since: string
  /** When it is tried again on its own (`retrying` only). */
  nextAttemptAt?: string
  accountId?: string
  correlationId?: string
  amendmentId?: string
  /** Minor units of `currency`, with what the figure is (for example `per month`). */
  impact?: { amount: number; currency: string; basis: string }
  ids: { salesforce: string[]; stripe: string[]; netsuite: string[] }
  /** What the source names it by, for its action (writer: `object/externalId`; gap: its id). */
  ref: string
}

export interface WorkQueueFilter {
  system?: WorkSystem
  accountId?: string
  code?: string
  category?: Recoverability
  /** Only items at least this old. */
  olderThanMs?: number
  /** Any id the item carries: correlation, amendment, Salesforce, Stripe or NetSuite. */
  q?: string
  limit: number
  /** The `next` of the previous page. */
  cursor?: string
}

export interface WorkQueuePage {
  items: WorkItem[]
  /** Items per category under every filter but the category. */
  counts: Record<Recoverability, number>
  next?: string
}
