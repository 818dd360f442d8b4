/**
 * What operators read of an account's usage: the periods and their summaries, the exceptions
 * (late records, parked aggregates and summaries), and the audit trail of an invoice line —
 * which aggregates (meter events) and which records made up a meter's usage in a period.
 */

export interface UsagePeriodView {
  period: string
  subscriptionKey: string
  meter: string
  state: string
  quantity: number | null
  records: number | null
  erpRef: string | null
  error: { code: string; message: string } | null
}

export interface UsageAggregateView {
  identifier: string
  customerId: string
  meter: string
  eventName: string
  minute: string
  value: number
  records: number
  state: string
  attempts: number
  reportedAt: string | null
  error: { code: string; message: string } | null
}

export interface UsageRecordView {
  id: string
  subscriptionKey: string
  meter: string
  quantity: number
  timestamp: string
  period: string
  state: string
  reason: { code: string; message: string } | null
  aggregate: string | null
  requestId: string
  receivedAt: string
}

type PeriodRow = {
  period: string
  subscription_key: string
  meter: string
  state: string
  quantity: number | null
  records: number | null
  erp_ref: string | null
  error_code: string | null
  error_message: string | null
}

type AggregateRow = {
  id: string
  customer_id: string
  meter: string
  event_name: string
  minute: number
  value: number
  records: number
  state: string
  attempts: number
  reported_at: number | null
  error_code: string | null
  error_message: string | null
}

type RecordRow = {
  id: string
  subscription_key: string
  meter: string
  quantity: number
  at: number
  period: string
  state: string
  reason_code: string | null
  reason: string | null
  aggregate_id: string | null
  request_id: string
  received_at: number
}

const errorOf = (code: string | null, message: string | null) =>
  code ? { code, message: message ?? '' } : null

const periodView = (r: PeriodRow): UsagePeriodView => ({
  period: r.period,
  subscriptionKey: r.subscription_key,
  meter: r.meter,
  state: r.state,
  quantity: r.quantity,
  records: r.records,
  erpRef: r.erp_ref,
  error: errorOf(r.error_code, r.error_message),
})

const aggregateView = (r: AggregateRow): UsageAggregateView => ({
  identifier: r.id,
  customerId: r.customer_id,
  meter: r.meter,
  eventName: r.event_name,
  minute: new Date(r.minute * 1000).toISOString(),
  value: r.value,
  records: r.records,
  state: r.state,
  attempts: r.attempts,
  reportedAt: r.reported_at === null ? null : new Date(r.reported_at).toISOString(),
  error: errorOf(r.error_code, r.error_message),
})

const recordView = (r: RecordRow): UsageRecordView => ({
  id: r.id,
  subscriptionKey: r.subscription_key,
  meter: r.meter,
  quantity: r.quantity,
  timestamp: new Date(r.at).toISOString(),
  period: r.period,
  state: r.state,
  reason: errorOf(r.reason_code, r.reason),
  aggregate: r.aggregate_id,
  requestId: r.request_id,
  receivedAt: new Date(r.received_at).toISOString(),
})

export interface UsageOverview {
  periods: UsagePeriodView[]
  /** Aggregates by state (open, sealed, reported, parked). */
  aggregates: Record<string, number>
  /** Records by state (accepted, parked). */
  records: Record<string, number>
  parkedRecords: UsageRecordView[]
  parkedAggregates: UsageAggregateView[]
}

function countBy(
  sql: SqlStorage,
  table: 'usage_aggregate' | 'usage_record',
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const r of sql.exec<{ state: string; n: number }>(
    `SELECT state, COUNT(*) AS n FROM ${table} GROUP BY state`,
  ))
    out[r.state] = r.n
  return out
}

/** The account's usage at a glance, with its exceptions (at most `limit` of each kind). */
export function readUsageOverview(sql: SqlStorage, limit: number): UsageOverview {
  return {
    periods: sql
      .exec<PeriodRow>('SELECT * FROM usage_period ORDER BY period DESC, subscription_key, meter')
      .toArray()
      .map(periodView),
    aggregates: countBy(sql, 'usage_aggregate'),
    records: countBy(sql, 'usage_record'),
    parkedRecords: sql
      .exec<RecordRow>(
        "SELECT * FROM usage_record WHERE state = 'parked' ORDER BY received_at DESC, id LIMIT ?",
        limit,
      )
      .toArray()
      .map(recordView),
    parkedAggregates: sql
      .exec<AggregateRow>(
        "SELECT * FROM usage_aggregate WHERE state = 'parked' ORDER BY minute, id LIMIT ?",
        limit,
      )
      .toArray()
      .map(aggregateView),
  }
}

export interface UsageLine {
  period: string
  meter: string
  /** What billing was told: one meter event per aggregate. */
  aggregates: UsageAggregateView[]
  /** Sum of the reported aggregates: what billing's invoice line counts. */
  reportedValue: number
  records: UsageRecordView[]
  /** The id to pass as `after` for the next page of records, when there are more. */
  nextAfter?: string
}

/**
 * The trail of one invoice line: a meter's usage of the account in a period (billing's invoice
 * line for a metered price counts the customer's meter events in its period), as the meter
 * events sent and the records in each. Records are paged by id (`after`, `limit`).
 */
export function readUsageLine(
  sql: SqlStorage,
  q: { period: string; meter: string; after?: string; limit: number },
): UsageLine {
  const aggregates = sql
    .exec<AggregateRow>(
      'SELECT * FROM usage_aggregate WHERE period = ? AND meter = ? ORDER BY minute, seq',
      q.period,
      q.meter,
    )
    .toArray()
    .map(aggregateView)
  const records = sql
    .exec<RecordRow>(
      "SELECT * FROM usage_record WHERE period = ? AND meter = ? AND state = 'accepted' AND id > ? ORDER BY id LIMIT ?",
      q.period,
      q.meter,
      q.after ?? '',
      q.limit + 1,
    )
    .toArray()
    .map(recordView)
  const more = records.length > q.limit
  const page = more ? records.slice(0, q.limit) : records
  return {
    period: q.period,
    meter: q.meter,
    aggregates,
    reportedValue: aggregates
      .filter((a) => a.state === 'reported')
      .reduce((sum, a) => sum + a.value, 0),
    records: page,
    nextAfter: more ? page.at(-1)?.id : undefined,
  }
}

/** One meter event (aggregate) and every record in it; undefined when unknown. */
export function readUsageAggregate(
  sql: SqlStorage,
  identifier: string,
): { aggregate: UsageAggregateView; records: UsageRecordView[] } | undefined {
  const row = sql
    .exec<AggregateRow>('SELECT * FROM usage_aggregate WHERE id = ?', identifier)
    .toArray()[0]
  if (!row) return undefined
  const records = sql
    .exec<RecordRow>('SELECT * FROM usage_record WHERE aggregate_id = ? ORDER BY id', identifier)
    .toArray()
    .map(recordView)
  return { aggregate: aggregateView(row), records }
}

/** The subscription's latest summarised period, for its Salesforce mirror. */
export function latestUsage(
  sql: SqlStorage,
  subscriptionKey: string,
): { period: string; summary: string } | undefined {
  const rows = sql
    .exec<{ period: string; meter: string; quantity: number }>(
      `SELECT period, meter, quantity FROM usage_period WHERE subscription_key = ? AND state = 'summarised'
       AND period = (SELECT MAX(period) FROM usage_period WHERE subscription_key = ? AND state = 'summarised')
       ORDER BY meter`,
      subscriptionKey,
      subscriptionKey,
    )
    .toArray()
  const first = rows[0]
  if (!first) return undefined
  return {
    period: first.period,
    summary: rows.map((r) => `${r.meter}: ${r.quantity}`).join('; '),
  }
}
