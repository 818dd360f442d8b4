import type { Config } from '../config/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { decide, toFailure, type Failure } from '../failure/policy.ts'
import { statusRecords, type SyncStatus } from '../writer/records/index.ts'
import type { RecordSink } from '../writer/types.ts'
import type { ExceptionEntry, TraceIndexEntry } from './journal.ts'

const BATCH = 500

type StatusRow = {
  amendment_id: string
  status: string
  attempts: number
}

/**
 * Hands queued statuses to the OrgWriter as Salesforce records (`Subscription_Sync__c`; the
 * mirror's `Applied_Sequence__c` rides on the mirror's own record: `subscription-mirror.ts`).
 * Handing over is durable (the writer stores them before answering), so a row is done once
 * `sink` takes it; the writer retries or parks each record from then on. A row is deleted only
 * if it still holds what was sent: a newer status queued while the call was in flight stays and
 * goes next time. A failed handover is retried with backoff. Returns when the outbox next needs
 * attention.
 */
export async function flushStatuses(
  sql: SqlStorage,
  sink: RecordSink,
  config: Config,
  log: Logger,
): Promise<number | undefined> {
  const rows = sql
    .exec<StatusRow>(
      'SELECT amendment_id, status, attempts FROM status_outbox WHERE dead_reason IS NULL AND not_before <= ? ORDER BY rowid LIMIT ?',
      Date.now(),
      BATCH,
    )
    .toArray()
  if (rows.length > 0) {
    try {
      const statuses = rows.map((r) => JSON.parse(r.status) as SyncStatus)
      await sink.enqueue(statusRecords(statuses))
      noteWrittenBack(sql, statuses)
      for (const row of rows)
        sql.exec(
          'DELETE FROM status_outbox WHERE amendment_id = ? AND status = ?',
          row.amendment_id,
          row.status,
        )
    } catch (err) {
      log.warn('handing statuses to the OrgWriter failed; will retry', errorFields(err))
      // A call that failed as a whole says nothing against any one status: every one waits.
      const failure = toFailure(err)
      for (const row of rows)
        settleFailed(
          sql,
          row,
          { ...failure, kind: 'transient', category: 'transient' },
          config,
          log,
        )
    }
  }
  const next = sql
    .exec<{ t: number | null }>(
      'SELECT MIN(not_before) AS t FROM status_outbox WHERE dead_reason IS NULL',
    )
    .one().t
  return next ?? undefined
}

/** What went back to Salesforce for each amendment, for its trace (the OrgWriter has it now). */
function noteWrittenBack(sql: SqlStorage, statuses: SyncStatus[]): void {
  for (const s of statuses)
    sql.exec(
      `INSERT OR REPLACE INTO written_back (amendment_id, object, external_id, status, handed_at)
       VALUES (?, 'Subscription_Sync__c', ?, ?, ?)`,
      s.amendmentId,
      s.amendmentId,
      s.status,
      Date.now(),
    )
}

/**
 * One status Salesforce did not take: retried after the backoff (never before `Retry-After`),
 * or, when Salesforce refused it, kept as a dead letter with the reason (nothing resends it).
 */
function settleFailed(
  sql: SqlStorage,
  row: StatusRow,
  failure: Failure,
  config: Config,
  log: Logger,
): void {
  const decision = decide(failure, {
    attempt: row.attempts + 1,
    baseMs: config.retryBaseMs,
    capMs: config.retryCapMs,
    refused: 'dead_letter',
  })
  if (decision.action === 'retry') {
    sql.exec(
      'UPDATE status_outbox SET attempts = attempts + 1, not_before = ? WHERE amendment_id = ? AND status = ?',
      decision.at,
      row.amendment_id,
      row.status,
    )
    return
  }
  log.warn('status refused by Salesforce; kept as dead letter', {
    amendmentId: row.amendment_id,
    code: decision.code,
  })
  sql.exec(
    'UPDATE status_outbox SET dead_reason = ? WHERE amendment_id = ? AND status = ?',
    `${decision.code}: ${decision.message}`,
    row.amendment_id,
    row.status,
  )
}

/** Pushes exception-index changes to the OpsRegistry; same compare-and-delete as statuses. */
export async function flushIndex(
  sql: SqlStorage,
  push: (entries: ExceptionEntry[]) => Promise<void>,
  log: Logger,
): Promise<number | undefined> {
  const rows = sql
    .exec<{ amendment_id: string; entry: string }>(
      'SELECT amendment_id, entry FROM index_outbox LIMIT ?',
      BATCH,
    )
    .toArray()
  if (rows.length === 0) return undefined
  try {
    await push(rows.map((r) => JSON.parse(r.entry) as ExceptionEntry))
    for (const r of rows)
      sql.exec(
        'DELETE FROM index_outbox WHERE amendment_id = ? AND entry = ?',
        r.amendment_id,
        r.entry,
      )
  } catch (err) {
    log.warn('exception index update failed; will retry', errorFields(err))
    return Date.now() + 5_000
  }
  const left = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM index_outbox').one().n
  return left > 0 ? Date.now() : undefined
}

/** Pushes trace-index entries to the OpsRegistry; same compare-and-delete as the exception index. */
export async function flushTraceIndex(
  sql: SqlStorage,
  push: (entries: TraceIndexEntry[]) => Promise<void>,
  log: Logger,
): Promise<number | undefined> {
  const rows = sql
    .exec<{ amendment_id: string; entry: string }>(
      'SELECT amendment_id, entry FROM trace_outbox LIMIT ?',
      BATCH,
    )
    .toArray()
  if (rows.length === 0) return undefined
  try {
    await push(rows.map((r) => JSON.parse(r.entry) as TraceIndexEntry))
    for (const r of rows)
      sql.exec(
        'DELETE FROM trace_outbox WHERE amendment_id = ? AND entry = ?',
        r.amendment_id,
        r.entry,
      )
  } catch (err) {
    log.warn('trace index update failed; will retry', errorFields(err))
    return Date.now() + 5_000
  }
  const left = sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM trace_outbox').one().n
  return left > 0 ? Date.now() : undefined
}
