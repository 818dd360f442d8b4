import * as z from 'zod/mini'
import { parseOrThrow, wholeNumber, type Vars } from './parse.ts'
import type { ReconcileSettings } from './types.ts'

/** The drift reconciler (README, "Drift reconciler"). */
export const ReconcileVars = z.object({
  /** A lost webhook or a hand edit is repaired within this many minutes. */
  RECONCILE_WITHIN_MINUTES: wholeNumber(15, 2, 1_440),
  /** Events younger than this are left to their webhook (still in flight). */
  RECONCILE_EVENT_LAG_SECONDS: wholeNumber(60, 0, 3_600),
  /** Accounts compared in full per sweep (one page of the slow pass). */
  RECONCILE_ACCOUNTS_PER_SWEEP: wholeNumber(25, 1, 100),
  /** The slow pass starts over at most this often. */
  RECONCILE_FULL_PASS_HOURS: wholeNumber(24, 1, 720),
  /** Stripe calls one sweep may make at most (Stripe allows 100 read requests per second live). */
  RECONCILE_STRIPE_CALLS_PER_SWEEP: wholeNumber(200, 10, 10_000),
  /** A customer's newest invoices and charges compared per account (Stripe pages hold 100). */
  RECONCILE_DOCUMENTS_PER_ACCOUNT: wholeNumber(100, 1, 100),
  /** NetSuite calls one sweep may make at most (each waits for one of the account's permits). */
  RECONCILE_NETSUITE_CALLS_PER_SWEEP: wholeNumber(50, 1, 10_000),
  /** Rows per SuiteQL page (NetSuite's limit is 1,000). */
  RECONCILE_NETSUITE_PAGE_SIZE: wholeNumber(1_000, 1, 1_000),
})

/**
 * The reconciler's cadence and bounds. A sweep runs every third of the repair window, so a miss
 * in one sweep is still caught in time.
 * @throws ConfigError naming every bad value.
 */
export function reconcileSettings(env: Vars): { reconcile: ReconcileSettings } {
  const v = parseOrThrow(ReconcileVars, env, 'reconciler configuration')
  return {
    reconcile: {
      withinMs: v.RECONCILE_WITHIN_MINUTES * 60_000,
      sweepEveryMs: Math.floor((v.RECONCILE_WITHIN_MINUTES * 60_000) / 3),
      eventLagSeconds: v.RECONCILE_EVENT_LAG_SECONDS,
      accountsPerSweep: v.RECONCILE_ACCOUNTS_PER_SWEEP,
      fullPassEveryMs: v.RECONCILE_FULL_PASS_HOURS * 3_600_000,
      stripeCallsPerSweep: v.RECONCILE_STRIPE_CALLS_PER_SWEEP,
      documentsPerAccount: v.RECONCILE_DOCUMENTS_PER_ACCOUNT,
      netsuiteCallsPerSweep: v.RECONCILE_NETSUITE_CALLS_PER_SWEEP,
      netsuitePageSize: v.RECONCILE_NETSUITE_PAGE_SIZE,
    },
  }
}
