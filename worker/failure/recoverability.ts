import type { Decision } from './policy.ts'

/**
 * How an item in the exception work queue gets out of it.
 *
 * - `retrying`: the failure policy scheduled another attempt; it recovers on its own.
 * - `needs_data_fix`: refused (or out of attempts): a person fixes the cause in a vendor or in
 *   Salesforce, then retries or dismisses it.
 * - `needs_approval`: the same, but acting on it creates or changes money (a billing step is
 *   still ahead), so the retry or skip goes through the two-person governed actions.
 */
export type Recoverability = 'retrying' | 'needs_data_fix' | 'needs_approval'

export const RECOVERABILITIES: readonly Recoverability[] = [
  'retrying',
  'needs_data_fix',
  'needs_approval',
]

/**
 * The category of a queued item, from what the one failure policy (`decide`, fed by `classify`)
 * did with it: a scheduled retry recovers by itself; a park or dead letter waits for a person,
 * through approval when acting on it moves money. No table of codes: the classifier already
 * decided which failures are worth retrying.
 */
export function recoverability(outcome: Decision['action'], moneyAhead: boolean): Recoverability {
  if (outcome === 'retry') return 'retrying'
  return moneyAhead ? 'needs_approval' : 'needs_data_fix'
}
