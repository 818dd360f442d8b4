import {
  opt,
  toGap,
  toRun,
  type GapRow,
  type GapView,
  type IntakeCounts,
  type RunOutcome,
  type RunRow,
  type RunView,
} from './rows.ts'

/** The subscriber's SQLite state: cursor, runs, gaps and totals. Every method is synchronous. */

export interface Cursor {
  replayId: number
  eventAt?: string
}

/** One event the intake durably took (queued, duplicate or quarantined), by its replay position. */
export interface AcceptedPosition {
  replayId: number
  eventAt?: string
}

const KEPT_RUNS = 50
const now = () => new Date().toISOString()

export class SubscriberStore {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  cursor(channel: string): Cursor | undefined {
    const row = this.sql
      .exec<{ replay_id: number; event_at: string | null }>(
        'SELECT replay_id, event_at FROM cursor WHERE channel = ?',
        channel,
      )
      .toArray()[0]
    return row ? { replayId: row.replay_id, eventAt: opt(row.event_at) } : undefined
  }

  /**
   * Moves the cursor to the last of `accepted` (in replay order), and closes an open gap's range
   * with the first: that is the oldest event Salesforce still had when we re-subscribed.
   */
  advance(channel: string, runId: number, accepted: AcceptedPosition[]): void {
    const first = accepted[0]
    const last = accepted.at(-1)
    if (!first || !last) return
    this.sql.exec(
      `INSERT INTO cursor (channel, replay_id, event_at, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel) DO UPDATE SET replay_id = excluded.replay_id, event_at = excluded.event_at, updated_at = excluded.updated_at`,
      channel,
      last.replayId,
      last.eventAt ?? null,
      now(),
    )
    this.sql.exec('UPDATE run SET to_replay_id = ? WHERE id = ?', last.replayId, runId)
    this.sql.exec(
      'UPDATE gap SET resumed_replay_id = ?, resumed_event_at = ? WHERE channel = ? AND resumed_replay_id IS NULL',
      first.replayId,
      first.eventAt ?? null,
      channel,
    )
  }

  /**
   * Records that Salesforce refused the stored replay id (beyond retention) and resets the cursor
   * to -2 in the same write, so a run cut off right after cannot report the same gap twice.
   */
  recordGap(channel: string, runId: number, lost: Cursor, serverError: string): number {
    const id = this.sql
      .exec<{ id: number }>(
        `INSERT INTO gap (channel, run_id, detected_at, after_replay_id, after_event_at, server_error)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
        channel,
        runId,
        now(),
        lost.replayId,
        lost.eventAt ?? null,
        serverError.slice(0, 500),
      )
      .one().id
    this.sql.exec(
      `INSERT INTO cursor (channel, replay_id, event_at, updated_at) VALUES (?, -2, NULL, ?)
       ON CONFLICT (channel) DO UPDATE SET replay_id = -2, event_at = NULL, updated_at = excluded.updated_at`,
      channel,
      now(),
    )
    this.bump('gaps', 1)
    return id
  }

  /** Puts the cursor at `replayId` (an operator's replay); the next run subscribes after it. */
  rewind(channel: string, replayId: number): void {
    this.sql.exec(
      `INSERT INTO cursor (channel, replay_id, event_at, updated_at) VALUES (?, ?, NULL, ?)
       ON CONFLICT (channel) DO UPDATE SET replay_id = excluded.replay_id, event_at = NULL, updated_at = excluded.updated_at`,
      channel,
      replayId,
      now(),
    )
  }

  acknowledgeGap(id: number, actor: string): GapView | undefined {
    this.sql.exec(
      'UPDATE gap SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL',
      now(),
      actor,
      id,
    )
    const row = this.sql.exec<GapRow>('SELECT * FROM gap WHERE id = ?', id).toArray()[0]
    return row ? toGap(row) : undefined
  }

  /** Starts a run; a run left open by an eviction or crash is closed as `interrupted` first. */
  startRun(trigger: string, fromReplayId: number | undefined): number {
    this.sql.exec(
      "UPDATE run SET finished_at = ?, outcome = 'interrupted' WHERE finished_at IS NULL",
      now(),
    )
    return this.sql
      .exec<{ id: number }>(
        'INSERT INTO run (trigger, started_at, from_replay_id) VALUES (?, ?, ?) RETURNING id',
        trigger,
        now(),
        fromReplayId ?? null,
      )
      .one().id
  }

  countBatch(runId: number, counts: IntakeCounts): void {
    this.sql.exec(
      `UPDATE run SET received = received + ?, queued = queued + ?, duplicate = duplicate + ?,
       rejected = rejected + ?, failed = failed + ? WHERE id = ?`,
      counts.received,
      counts.queued,
      counts.duplicate,
      counts.rejected,
      counts.failed,
      runId,
    )
    for (const [name, value] of Object.entries(counts)) this.bump(name, value)
  }

  countHandshake(runId: number): void {
    this.sql.exec('UPDATE run SET handshakes = handshakes + 1 WHERE id = ?', runId)
  }

  /** Closes the run and keeps the consecutive-failure count the retry backoff reads. */
  finishRun(
    runId: number,
    outcome: Exclude<RunOutcome, 'interrupted'>,
    error?: { code: string; message: string },
  ): number {
    this.sql.exec(
      'UPDATE run SET finished_at = ?, outcome = ?, error_code = ?, error_message = ? WHERE id = ?',
      now(),
      outcome,
      error?.code ?? null,
      error?.message.slice(0, 500) ?? null,
      runId,
    )
    this.sql.exec('DELETE FROM run WHERE id <= ?', runId - KEPT_RUNS)
    this.bump('runs', 1)
    const failures = outcome === 'failed' ? this.failures() + 1 : 0
    this.setMeta('consecutive_failures', String(failures))
    return failures
  }

  failures(): number {
    return Number(this.meta('consecutive_failures') ?? '0')
  }

  /** Why the next run happens (cron, an operator); read once by that run. */
  setPendingTrigger(trigger: string): void {
    this.setMeta('pending_trigger', trigger)
  }

  takePendingTrigger(): string | undefined {
    const trigger = this.meta('pending_trigger')
    this.sql.exec("DELETE FROM meta WHERE key = 'pending_trigger'")
    return trigger
  }

  runs(limit: number): RunView[] {
    return this.sql
      .exec<RunRow>('SELECT * FROM run ORDER BY id DESC LIMIT ?', limit)
      .toArray()
      .map(toRun)
  }

  gaps(limit: number): GapView[] {
    return this.sql
      .exec<GapRow>('SELECT * FROM gap ORDER BY id DESC LIMIT ?', limit)
      .toArray()
      .map(toGap)
  }

  openGaps(): number {
    return this.sql
      .exec<{ n: number }>('SELECT COUNT(*) AS n FROM gap WHERE acknowledged_at IS NULL')
      .one().n
  }

  totals(): Record<string, number> {
    const out: Record<string, number> = {
      runs: 0,
      received: 0,
      queued: 0,
      duplicate: 0,
      rejected: 0,
      failed: 0,
      gaps: 0,
    }
    for (const row of this.sql.exec<{ name: string; value: number }>(
      'SELECT name, value FROM counter',
    ))
      out[row.name] = row.value
    return out
  }

  private bump(name: string, by: number): void {
    if (by === 0) return
    this.sql.exec(
      'INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value',
      name,
      by,
    )
  }

  private meta(key: string): string | undefined {
    return this.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)
      .toArray()[0]?.value
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    )
  }
}
