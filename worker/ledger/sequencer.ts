import { Journal, type AmendmentRow } from './journal.ts'
import { JournalQueries } from './queries.ts'

export interface PumpPlan {
  /** The amendment to advance now, if any. */
  next?: AmendmentRow
  /** When something becomes due next (a retry, a gap window closing). */
  wakeAt?: number
}

/**
 * Decides what the pump does next: per subscription, only the amendment with the next sequence
 * number may run; a missing number holds everything after it for the gap window, then parks
 * those with `sequence_gap`; a parked head holds its subscription while others go on. The
 * choice across subscriptions is the head that has been due longest.
 */
export function planNext(
  journal: Journal,
  queries: JournalQueries,
  now: number,
  gapWindowMs: number,
): PumpPlan {
  let next: AmendmentRow | undefined
  let wakeAt = Number.POSITIVE_INFINITY
  for (const key of queries.openSubscriptionKeys()) {
    const released = queries.releasedBelow(key, journal.subscription(key).resolved_sequence)
    const head = released
      ? { expected: released.sequence, row: released }
      : resolveHead(journal, key)
    if (!head.row) {
      const held = queries.waitingAfter(key, head.expected)
      if (held.length === 0) continue
      const deadline = Math.min(...held.map((r) => r.received_at)) + gapWindowMs
      if (now < deadline) {
        wakeAt = Math.min(wakeAt, deadline)
        continue
      }
      const message = `Sequence ${head.expected} of ${key} did not arrive within ${Math.round(gapWindowMs / 1000)} s; later amendments wait for it.`
      for (const row of held) {
        journal.transition(
          row,
          { state: 'parked', code: 'sequence_gap', message },
          { actor: 'concord', action: 'gap_parked', detail: { missing: head.expected } },
        )
      }
      continue
    }
    let row = head.row
    if (row.state === 'parked' && row.error_code === 'sequence_gap') {
      // The gap closed behind it: it is the head now, so it resumes with no hand work.
      row = journal.transition(
        row,
        { state: 'waiting', code: null, message: null, notBefore: 0 },
        { actor: 'concord', action: 'gap_filled' },
      )
    }
    if (row.state !== 'waiting') continue
    if (row.not_before > now) {
      wakeAt = Math.min(wakeAt, row.not_before)
      continue
    }
    if (
      !next ||
      row.not_before < next.not_before ||
      (row.not_before === next.not_before && row.received_at < next.received_at)
    ) {
      next = row
    }
  }
  return { next, wakeAt: Number.isFinite(wakeAt) ? wakeAt : undefined }
}

/** The subscription's next sequence and its row, first moving past numbers already resolved. */
function resolveHead(journal: Journal, key: string): { expected: number; row?: AmendmentRow } {
  for (;;) {
    const expected = journal.subscription(key).resolved_sequence + 1
    const row = journal.bySequence(key, expected)
    if (row && (row.state === 'applied' || row.state === 'skipped')) {
      journal.updateSubscription(key, { resolved_sequence: expected })
      continue
    }
    return { expected, row }
  }
}
