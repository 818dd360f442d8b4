import { audit } from './report.ts'

/** What an operator action on usage did. */
export type UsageActionResult =
  { status: 'ok' } | { status: 'not_found' } | { status: 'conflict'; message: string }

/**
 * Sends a parked aggregate again, under the same identifier and value (billing counts an
 * identifier once within 24 hours: retry within a day of its first attempt, or check billing's
 * meter summary first).
 */
export function retryAggregate(sql: SqlStorage, id: string, actor: string): UsageActionResult {
  const row = sql
    .exec<{ state: string }>('SELECT state FROM usage_aggregate WHERE id = ?', id)
    .toArray()[0]
  if (!row) return { status: 'not_found' }
  if (row.state !== 'parked')
    return { status: 'conflict', message: `Aggregate ${id} is ${row.state}, not parked.` }
  sql.exec(
    "UPDATE usage_aggregate SET state = 'sealed', attempts = 0, not_before = 0 WHERE id = ?",
    id,
  )
  audit(sql, 'usage.aggregate_retried', { id, actor })
  return { status: 'ok' }
}

/**
 * Closes an account's usage period now rather than at its end plus the grace (to invoice it
 * sooner): records for it that arrive later are parked as late, and its summaries go out once
 * its aggregates are reported. Closing twice keeps the first time.
 */
export function closePeriod(sql: SqlStorage, period: string, actor: string): UsageActionResult {
  sql.exec(
    'INSERT OR IGNORE INTO usage_close (period, closed_at, actor) VALUES (?, ?, ?)',
    period,
    Date.now(),
    actor,
  )
  audit(sql, 'usage.period_closed', { id: period, actor })
  return { status: 'ok' }
}

/**
 * Closes a late record (parked because its period had closed) once it was dealt with outside
 * Concord — billed by hand, credited, or judged not billable — with the reason kept.
 */
export function resolveRecord(
  sql: SqlStorage,
  id: string,
  actor: string,
  reason: string,
): UsageActionResult {
  const row = sql
    .exec<{ state: string }>('SELECT state FROM usage_record WHERE id = ?', id)
    .toArray()[0]
  if (!row) return { status: 'not_found' }
  if (row.state !== 'parked')
    return { status: 'conflict', message: `Usage record ${id} is ${row.state}, not parked.` }
  sql.exec("UPDATE usage_record SET state = 'resolved' WHERE id = ?", id)
  audit(sql, 'usage.record_resolved', { id, actor, reason })
  return { status: 'ok' }
}
