import type { Config } from '../../config/types.ts'
import type { UsageConnectors } from '../../connectors/usage.ts'
import { ConnectorError } from '../../failure/errors.ts'
import { decide, toFailure, type Decision } from '../../failure/policy.ts'
import type { Logger } from '../../lib/log.ts'

/** What the usage step of an account's pump works with. */
export interface UsagePumpContext {
  sql: SqlStorage
  accountId: string
  config: Config
  usage: UsageConnectors | undefined
  /** The account's ERP customer, once the saga has made it. */
  erpCustomerId(): string | null
  /** A summary was recorded: the subscription's Salesforce mirror shows it. */
  summarised(subscriptionKey: string): void
  log: Logger
}

type Wake = number | undefined

type AggregateRow = {
  id: string
  customer_id: string
  meter: string
  event_name: string
  minute: number
  value: number
  attempts: number
}

export const notConfigured = (system: string) =>
  new ConnectorError({
    kind: 'transient',
    system,
    code: 'not_configured',
    message: `no ${system} usage connector is configured`,
  })

export function audit(sql: SqlStorage, action: string, detail: Record<string, unknown>): void {
  sql.exec(
    'INSERT INTO audit (at, actor, action, amendment_id, correlation_id, from_state, to_state, detail) VALUES (?, ?, ?, NULL, ?, NULL, NULL, ?)',
    new Date().toISOString(),
    'concord',
    action,
    typeof detail.id === 'string' ? detail.id : null,
    JSON.stringify(detail),
  )
}

/** Seals the open aggregates whose minute has ended: from now on their value never changes. */
export function sealEnded(sql: SqlStorage, now: number): void {
  sql.exec(
    "UPDATE usage_aggregate SET state = 'sealed' WHERE state = 'open' AND (minute + 60) * 1000 <= ?",
    now,
  )
}

/** When the earliest open aggregate's minute ends (the next seal), if any is open. */
export function nextSeal(sql: SqlStorage): Wake {
  const m = sql
    .exec<{ m: number | null }>("SELECT MIN(minute) AS m FROM usage_aggregate WHERE state = 'open'")
    .one().m
  return m === null ? undefined : (m + 60) * 1000
}

export function policy(ctx: UsagePumpContext, err: unknown, attempts: number): Decision {
  const { config } = ctx
  return decide(toFailure(err, 'usage report failed inside Concord'), {
    attempt: attempts + 1,
    maxAttempts: config.maxTransientAttempts,
    baseMs: config.retryBaseMs,
    capMs: config.retryCapMs,
  })
}

/** Reports one sealed aggregate; the retry time when it must wait, else undefined. */
async function reportOne(ctx: UsagePumpContext, a: AggregateRow): Promise<Wake> {
  const { sql } = ctx
  try {
    if (!ctx.usage) throw notConfigured('billing')
    await ctx.usage.billing.reportMeterEvent({
      eventName: a.event_name,
      customerId: a.customer_id,
      value: a.value,
      identifier: a.id,
      timestamp: a.minute,
    })
    sql.exec(
      "UPDATE usage_aggregate SET state = 'reported', reported_at = ?, attempts = attempts + 1, error_code = NULL, error_message = NULL WHERE id = ?",
      Date.now(),
      a.id,
    )
    return undefined
  } catch (err) {
    const d = policy(ctx, err, a.attempts)
    const f = toFailure(err)
    if (d.action === 'retry') {
      sql.exec(
        'UPDATE usage_aggregate SET attempts = attempts + 1, not_before = ?, error_code = ?, error_message = ? WHERE id = ?',
        d.at,
        f.code,
        f.message,
        a.id,
      )
      // The others would meet the same outage or limit: they wait with it (none is skipped).
      sql.exec(
        "UPDATE usage_aggregate SET not_before = ? WHERE state = 'sealed' AND not_before < ?",
        d.at,
        d.at,
      )
      return d.at
    }
    sql.exec(
      "UPDATE usage_aggregate SET state = 'parked', attempts = attempts + 1, error_code = ?, error_message = ? WHERE id = ?",
      d.code,
      d.message,
      a.id,
    )
    audit(sql, 'usage.aggregate_parked', { id: a.id, code: d.code, message: d.message })
    ctx.log.warn('usage aggregate parked', { aggregateId: a.id, code: d.code })
    return undefined
  }
}

/**
 * Reports sealed aggregates one at a time (one account's calls never overlap, which keeps
 * Concord inside billing's rate limits), until none is due or the budget is spent. A transient
 * failure ends the run: the account's other aggregates would meet the same outage.
 */
export async function reportSealed(ctx: UsagePumpContext): Promise<Wake> {
  const started = Date.now()
  for (;;) {
    const a = ctx.sql
      .exec<AggregateRow>(
        "SELECT id, customer_id, meter, event_name, minute, value, attempts FROM usage_aggregate WHERE state = 'sealed' AND not_before <= ? ORDER BY minute, id LIMIT 1",
        Date.now(),
      )
      .toArray()[0]
    if (!a) break
    if (Date.now() - started > ctx.config.pumpBudgetMs) return Date.now()
    const wait = await reportOne(ctx, a)
    if (wait !== undefined) return wait
  }
  return (
    ctx.sql
      .exec<{ t: number | null }>(
        "SELECT MIN(not_before) AS t FROM usage_aggregate WHERE state = 'sealed'",
      )
      .one().t ?? undefined
  )
}
