import type { AmendmentRow, AuditDetail, Journal } from './journal.ts'
import type { JournalQueries } from './queries.ts'

/*
 * What operators may do to a parked amendment. Each answers undefined when done, or why not
 * (the ledger turns that into a conflict); every change is audited with the operator's name.
 */

/** Who acts and why; `requestId` is the approved request the action carries out, if any. */
export interface OperatorAct {
  actor: string
  reason?: string
  requestId?: string
}

/** The audit detail of an act: its reason and the request it carries out, when given. */
function detailOf(act: OperatorAct): AuditDetail | undefined {
  const detail: AuditDetail = {}
  if (act.reason) detail.reason = act.reason
  if (act.requestId) detail.requestId = act.requestId
  return Object.keys(detail).length > 0 ? detail : undefined
}

/** Run a parked amendment again from the step it stopped at. */
export function retryParked(
  journal: Journal,
  queries: JournalQueries,
  row: AmendmentRow,
  act: OperatorAct,
): string | undefined {
  if (row.state !== 'parked') return `Amendment is ${row.state}, not parked.`
  if (row.error_code === 'sequence_gap' || row.error_code === 'sequence_stale') {
    const blocker = acceptOutOfOrder(journal, queries, row)
    if (blocker) return blocker
  }
  journal.transition(
    row,
    { state: 'waiting', attempts: 0, notBefore: 0, code: null, message: null },
    { actor: act.actor, action: 'operator_retry', detail: detailOf(act) },
  )
  return undefined
}

/** Give up on a parked amendment, with a reason; Salesforce sees it superseded. */
export function skipParked(
  journal: Journal,
  row: AmendmentRow,
  act: OperatorAct & { reason: string },
): string | undefined {
  if (row.state !== 'parked') return `Amendment is ${row.state}, not parked.`
  journal.transition(
    row,
    { state: 'skipped', message: `Skipped by ${act.actor}: ${act.reason}` },
    { actor: act.actor, action: 'operator_skip', detail: detailOf(act) },
  )
  return undefined
}

/**
 * Retrying a gap- or stale-parked amendment is the operator's decision to apply it without the
 * missing (or already-passed) numbers: move the subscription's position to just before it.
 */
function acceptOutOfOrder(
  journal: Journal,
  queries: JournalQueries,
  row: AmendmentRow,
): string | undefined {
  const blocker = retryBlocker(journal, queries, row)
  if (blocker) return blocker
  const sub = journal.subscription(row.subscription_key)
  if (row.error_code === 'sequence_gap') {
    journal.audit({
      actor: 'concord',
      action: 'gap_accepted',
      row,
      detail: { from: sub.resolved_sequence + 1, to: row.sequence - 1 },
    })
    journal.updateSubscription(row.subscription_key, { resolved_sequence: row.sequence - 1 })
  }
  return undefined
}

/**
 * Why a retry of `row` would be refused now, without changing anything (a dry run asks this
 * before a request waits for approval): an earlier sequence of a gap- or stale-parked
 * amendment is still open.
 */
export function retryBlocker(
  journal: Journal,
  queries: JournalQueries,
  row: AmendmentRow,
): string | undefined {
  if (row.error_code !== 'sequence_gap' && row.error_code !== 'sequence_stale') return undefined
  const sub = journal.subscription(row.subscription_key)
  const earlier = queries.openBetween(row.subscription_key, sub.resolved_sequence, row.sequence)
  return earlier === undefined
    ? undefined
    : `Sequence ${earlier} of ${row.subscription_key} is still open; resolve it first.`
}
