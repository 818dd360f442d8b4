import { periodClosesAt } from './periods.ts'
import { audit, notConfigured, policy, type UsagePumpContext } from './report.ts'

type Wake = number | undefined

type PeriodRow = { period: string; subscription_key: string; meter: string; attempts: number }

/** The ERP external id of a summary: account, subscription, meter and period, made eid-safe. */
export function summaryExternalId(
  accountId: string,
  subscriptionKey: string,
  meter: string,
  period: string,
): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`)
  return `concord-use-${accountId}-${safe(subscriptionKey)}-${safe(meter)}-${period}`
}

/** Aggregates of the period and meter not yet reported: the summary waits for them. */
function unsettled(ctx: { sql: SqlStorage }, row: PeriodRow): boolean {
  return (
    ctx.sql
      .exec(
        "SELECT 1 FROM usage_aggregate WHERE period = ? AND meter = ? AND state != 'reported' LIMIT 1",
        row.period,
        row.meter,
      )
      .toArray().length > 0
  )
}

/** A summary that failed: retried later (the wake), or parked with the reason. */
function failed(ctx: UsagePumpContext, row: PeriodRow, externalId: string, err: unknown): Wake {
  const { sql } = ctx
  const d = policy(ctx, err, row.attempts)
  const keys = [row.period, row.subscription_key, row.meter]
  if (d.action === 'retry') {
    sql.exec(
      'UPDATE usage_period SET attempts = attempts + 1, not_before = ? WHERE period = ? AND subscription_key = ? AND meter = ?',
      d.at,
      ...keys,
    )
    return d.at
  }
  sql.exec(
    "UPDATE usage_period SET state = 'parked', attempts = attempts + 1, error_code = ?, error_message = ? WHERE period = ? AND subscription_key = ? AND meter = ?",
    d.code,
    d.message,
    ...keys,
  )
  audit(sql, 'usage.summary_parked', { id: externalId, code: d.code, message: d.message })
  return undefined
}

async function summariseOne(ctx: UsagePumpContext, row: PeriodRow): Promise<Wake> {
  const { sql } = ctx
  const totals = sql
    .exec<{ q: number; n: number }>(
      "SELECT COALESCE(SUM(quantity), 0) AS q, COUNT(*) AS n FROM usage_record WHERE period = ? AND meter = ? AND subscription_key = ? AND state = 'accepted'",
      row.period,
      row.meter,
      row.subscription_key,
    )
    .one()
  const externalId = summaryExternalId(ctx.accountId, row.subscription_key, row.meter, row.period)
  try {
    const erpCustomerId = ctx.erpCustomerId()
    const item = ctx.config.catalog.meters?.[row.meter]
    if (!ctx.usage || !erpCustomerId || !item) throw notConfigured('erp')
    const { ref } = await ctx.usage.erp.recordUsageSummary({
      externalId,
      erpCustomerId,
      erpItemId: item.erpItemId,
      subscriptionKey: row.subscription_key,
      meterKey: row.meter,
      period: row.period,
      quantity: totals.q,
      records: totals.n,
      correlationId: externalId,
    })
    sql.exec(
      "UPDATE usage_period SET state = 'summarised', quantity = ?, records = ?, erp_ref = ?, summarised_at = ?, attempts = attempts + 1, error_code = NULL, error_message = NULL WHERE period = ? AND subscription_key = ? AND meter = ?",
      totals.q,
      totals.n,
      ref,
      Date.now(),
      row.period,
      row.subscription_key,
      row.meter,
    )
    audit(sql, 'usage.period_summarised', {
      id: externalId,
      quantity: totals.q,
      records: totals.n,
      ref,
    })
    ctx.summarised(row.subscription_key)
    return undefined
  } catch (err) {
    return failed(ctx, row, externalId, err)
  }
}

/**
 * Summarises the periods that have closed, once every aggregate of their meter is reported:
 * the ERP gets one upserted record per subscription, meter and period, and the subscription's
 * Salesforce mirror shows it. Returns when to look again.
 */
export async function closePeriods(ctx: UsagePumpContext): Promise<Wake> {
  const now = Date.now()
  const rows = ctx.sql
    .exec<PeriodRow>(
      "SELECT period, subscription_key, meter, attempts FROM usage_period WHERE state = 'open' AND not_before <= ? ORDER BY period, subscription_key, meter",
      now,
    )
    .toArray()
  const wakes: Wake[] = []
  for (const row of rows) {
    const closesAt = periodClosesAt(ctx.sql, row.period, ctx.config.usageGraceMs)
    if (closesAt > now) {
      wakes.push(closesAt)
      continue
    }
    if (unsettled(ctx, row)) continue
    const wait = await summariseOne(ctx, row)
    if (wait !== undefined) return wait
  }
  const retry = ctx.sql
    .exec<{ t: number | null }>(
      "SELECT MIN(not_before) AS t FROM usage_period WHERE state = 'open' AND not_before > ?",
      now,
    )
    .one().t
  const due = [...wakes, retry ?? undefined].filter((w): w is number => w !== undefined)
  return due.length > 0 ? Math.min(...due) : undefined
}

/**
 * Whether usage work is due now: an aggregate to seal or report, or a closed period whose
 * summary can go out. For `pumpState`, so operators (and tests) see the pump is not done.
 */
export function usageDue(sql: SqlStorage, graceMs: number, now: number): boolean {
  const aggregates = sql
    .exec(
      "SELECT 1 FROM usage_aggregate WHERE (state = 'sealed' AND not_before <= ?) OR (state = 'open' AND (minute + 60) * 1000 <= ?) LIMIT 1",
      now,
      now,
    )
    .toArray()
  if (aggregates.length > 0) return true
  return sql
    .exec<PeriodRow>(
      "SELECT period, subscription_key, meter, attempts FROM usage_period WHERE state = 'open' AND not_before <= ?",
      now,
    )
    .toArray()
    .some((row) => periodClosesAt(sql, row.period, graceMs) <= now && !unsettled({ sql }, row))
}
