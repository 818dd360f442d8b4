import type { AmendmentRow } from './journal.ts'

/** Queries the sequencer needs; kept beside the journal's writes so the SQL stays in one place. */
export class JournalQueries {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  /** Subscriptions with anything left to do (waiting, or parked and perhaps resumable). */
  openSubscriptionKeys(): string[] {
    return this.sql
      .exec<{ k: string }>(
        "SELECT DISTINCT subscription_key AS k FROM amendment WHERE state IN ('waiting', 'parked')",
      )
      .toArray()
      .map((r) => r.k)
  }

  /**
   * Whether the pump has work due at `now`, read without changing anything: a runnable head, a
   * head to move past or resume, or an outbox row to send. The alarm must be armed whenever
   * this is true; tests use it to wait for the pump to go quiet. A ledger merged into another
   * (`halted`) runs no amendments, so its amendment heads are not due work.
   */
  hasDueWork(now: number, halted = false): boolean {
    return (
      this.sql
        .exec<{ due: number }>(
          `SELECT (
           (?2 = 0 AND EXISTS (SELECT 1 FROM amendment a JOIN subscription s ON s.key = a.subscription_key
                   WHERE (a.state = 'waiting' AND a.not_before <= ?1 AND a.sequence <= s.resolved_sequence + 1)
                      OR (a.sequence = s.resolved_sequence + 1 AND (a.state IN ('applied', 'skipped') OR a.error_code = 'sequence_gap'))))
           OR EXISTS (SELECT 1 FROM status_outbox WHERE dead_reason IS NULL AND not_before <= ?1)
           OR EXISTS (SELECT 1 FROM index_outbox)
           OR EXISTS (SELECT 1 FROM trace_outbox)
           OR EXISTS (SELECT 1 FROM refresh WHERE not_before <= ?1 AND refused_at IS NULL)
           OR EXISTS (SELECT 1 FROM sf_outbox)
         ) AS due`,
          now,
          halted ? 1 : 0,
        )
        .one().due === 1
    )
  }

  /** A stale amendment an operator released to run below the subscription's position. */
  releasedBelow(key: string, resolved: number): AmendmentRow | undefined {
    return this.sql
      .exec<AmendmentRow>(
        "SELECT * FROM amendment WHERE subscription_key = ? AND sequence <= ? AND state = 'waiting' ORDER BY sequence LIMIT 1",
        key,
        resolved,
      )
      .toArray()[0]
  }

  /** Waiting amendments of `key` beyond `sequence`: held by a gap before them. */
  waitingAfter(key: string, sequence: number): AmendmentRow[] {
    return this.sql
      .exec<AmendmentRow>(
        "SELECT * FROM amendment WHERE subscription_key = ? AND sequence > ? AND state = 'waiting' ORDER BY sequence",
        key,
        sequence,
      )
      .toArray()
  }

  /** The lowest open (waiting or parked) sequence strictly between two, if any. */
  openBetween(key: string, after: number, before: number): number | undefined {
    return this.sql
      .exec<{ sequence: number }>(
        "SELECT sequence FROM amendment WHERE subscription_key = ? AND sequence > ? AND sequence < ? AND state IN ('waiting', 'parked') ORDER BY sequence LIMIT 1",
        key,
        after,
        before,
      )
      .toArray()[0]?.sequence
  }
}
