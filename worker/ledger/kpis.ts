import {
  BACKLOG_STATES,
  BACKLOG_SYSTEMS,
  backlogMetric,
  METRICS,
  type BacklogState,
  type BacklogSystem,
} from '../lib/metric-catalog.ts'
import type { MetricPort } from '../lib/metrics.ts'
import type { AmendmentRow, Step } from './journal.ts'

/** The system an amendment's next step is at (cross-references come first, with billing). */
const SYSTEM_OF: Record<Step, BacklogSystem> = {
  xref: 'billing',
  billing: 'billing',
  erp: 'erp',
  status: 'salesforce',
  done: 'salesforce',
}

/**
 * This account's backlog as gauges (subject: the account): open amendments by state and the
 * system of their next step, statuses not yet handed to the writer, and the oldest open and
 * oldest parked amendment (for the SLA alerts). Read from the journal's index, reported after
 * each pump run and operator action; the metrics object adds accounts up.
 */
export function reportBacklog(sql: SqlStorage, accountId: string, metrics: MetricPort): void {
  const counts = new Map<string, number>()
  for (const s of BACKLOG_STATES)
    for (const sys of BACKLOG_SYSTEMS) counts.set(backlogMetric(s, sys), 0)
  const rows = sql
    .exec<{ state: string; step: Step; retrying: number; n: number }>(
      "SELECT state, step, attempts > 0 AS retrying, COUNT(*) AS n FROM amendment WHERE state IN ('waiting', 'parked') GROUP BY state, step, retrying",
    )
    .toArray()
  for (const r of rows) {
    const state: BacklogState =
      r.state === 'parked' ? 'parked' : r.retrying ? 'retrying' : 'waiting'
    const name = backlogMetric(state, SYSTEM_OF[r.step])
    counts.set(name, (counts.get(name) ?? 0) + r.n)
  }
  for (const [name, n] of counts) metrics.gauge(name, accountId, n)
  const outbox = sql
    .exec<{ n: number }>('SELECT COUNT(*) AS n FROM status_outbox WHERE dead_reason IS NULL')
    .one().n
  metrics.gauge(METRICS.outbox.name, accountId, outbox)
  const oldest = sql
    .exec<{ open: number | null; parked: number | null }>(
      "SELECT MIN(CASE WHEN state IN ('waiting', 'parked') THEN received_at END) AS open, MIN(CASE WHEN state = 'parked' THEN updated_at END) AS parked FROM amendment WHERE state IN ('waiting', 'parked')",
    )
    .one()
  metrics.gauge(METRICS.oldestOpen.name, accountId, oldest.open ?? 0)
  metrics.gauge(METRICS.oldestParked.name, accountId, oldest.parked ?? 0)
}

/**
 * An amendment reached `applied`. (The order activation time is measured to the subscription's
 * activation instead: `activation.ts`.)
 */
export function observeApplied(_row: AmendmentRow, metrics: MetricPort, now = Date.now()): void {
  metrics.observe(METRICS.applied.name, 1, now)
}

export function observeParked(metrics: MetricPort, now = Date.now()): void {
  metrics.observe(METRICS.parked.name, 1, now)
}
