import type { Amendment } from '../../shared/index.ts'
import type { Step } from './journal.ts'

/** What an operator may ask Concord to do (`credit` and `refund`: `ledger/money-plan.ts`). */
export const ACTION_KINDS = ['retry', 'skip', 'backfill', 'replay', 'credit', 'refund'] as const
export type ActionKind = (typeof ACTION_KINDS)[number]

/** The facts the rule reads: for retry and skip, the parked amendment's step and terms. */
export interface ActionFacts {
  kind: ActionKind
  step?: Step
  amendment?: Pick<Amendment, 'action' | 'proration' | 'cancelMode'>
}

export interface ApprovalRule {
  required: boolean
  /** Why, in words an operator reads next to the request. */
  why: string
}

/** The billing step has not run yet, so acting on the amendment decides what billing does. */
const billingAhead = (step: Step | undefined) => step === 'xref' || step === 'billing'

/**
 * Which actions need a second person (an `approver`) before they run: every action that creates
 * or changes money, and nothing else.
 *
 * - `credit`, `refund`: always (they move money by definition).
 * - `retry` of an amendment whose billing step is still ahead: the retry makes billing invoice,
 *   prorate, credit or change what later invoices charge. The one exception is a cancel with
 *   `proration: none`, which ends billing without a document or a proration.
 * - `skip` of an amendment whose billing step is still ahead: the rep's billing change (a new
 *   subscription, seats, a price, a cancel) is never made, which changes what the customer pays.
 * - A retry or skip past billing (ERP or Salesforce status only), `backfill` (reads billing,
 *   writes Salesforce mirrors) and `replay` (Salesforce events again from the stored replay id;
 *   intake dedupes by EventUuid, and new events carry the rep's own preview) run directly.
 */
export function approvalRule(facts: ActionFacts): ApprovalRule {
  const { kind, step, amendment } = facts
  if (kind === 'credit' || kind === 'refund')
    return { required: true, why: `A ${kind} moves money.` }
  if (kind === 'backfill') return { required: false, why: 'A backfill only reads billing.' }
  if (kind === 'replay')
    return { required: false, why: 'A replay feeds events intake already dedupes.' }
  if (!billingAhead(step))
    return { required: false, why: 'Billing is done; only the ERP or Salesforce is left.' }
  if (kind === 'skip')
    return { required: true, why: 'Skipping withholds a billing change the rep made.' }
  if (amendment?.action === 'cancel' && amendment.proration === 'none')
    return { required: false, why: 'A cancel without proration bills and credits nothing.' }
  return { required: true, why: 'Retrying runs a billing step that invoices or prorates.' }
}
