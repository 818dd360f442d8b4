import type { Catalog, UsageRecord } from '../../../shared/index.ts'
import {
  MAX_USAGE_AGE_MS,
  MAX_USAGE_AHEAD_MS,
  minuteOf,
  periodClosesAt,
  usagePeriodOf,
} from './periods.ts'

/** What became of one record in its account's ledger. */
export type RecordUsageResult =
  | { id: string; status: 'accepted' | 'duplicate' }
  | { id: string; status: 'parked' | 'rejected'; code: string; message: string }

/** What accepting a record needs besides the record. */
export interface RecordContext {
  sql: SqlStorage
  accountId: string
  catalog: Catalog
  graceMs: number
  requestId: string
  now: number
}

type Refusal = { code: string; message: string }

/** Subscription known to the ledger: billing created it, and the account has its customer. */
function subscriptionRefusal(ctx: RecordContext, r: UsageRecord): Refusal | undefined {
  const sub = ctx.sql
    .exec<{ id: string | null }>(
      'SELECT billing_subscription_id AS id FROM subscription WHERE key = ?',
      r.subscriptionKey,
    )
    .toArray()[0]
  if (!sub?.id)
    return {
      code: 'unknown_subscription',
      message: `Subscription ${r.subscriptionKey} is not known to account ${ctx.accountId} (it was never created in billing).`,
    }
  return undefined
}

function windowRefusal(ctx: RecordContext, at: number): Refusal | undefined {
  if (at > ctx.now + MAX_USAGE_AHEAD_MS)
    return {
      code: 'timestamp_in_future',
      message: 'timestamp is more than 5 minutes ahead of Concord’s clock.',
    }
  if (at < ctx.now - MAX_USAGE_AGE_MS)
    return {
      code: 'timestamp_too_old',
      message: 'timestamp is more than 35 days old: billing can no longer take it.',
    }
  return undefined
}

/** Every check but the duplicate one, in the order an operator would fix them. */
function refusal(ctx: RecordContext, r: UsageRecord, at: number): Refusal | undefined {
  if (r.accountId !== ctx.accountId)
    return { code: 'wrong_account', message: `Record is for ${r.accountId}, not ${ctx.accountId}.` }
  if (!ctx.catalog.meters?.[r.meter])
    return {
      code: 'unknown_meter',
      message: `Meter "${r.meter}" is not in catalog ${ctx.catalog.version}.`,
    }
  return subscriptionRefusal(ctx, r) ?? windowRefusal(ctx, at)
}

function insertRecord(
  ctx: RecordContext,
  r: UsageRecord,
  at: number,
  parked?: Refusal,
  aggregateId?: string,
): void {
  ctx.sql.exec(
    `INSERT INTO usage_record (id, subscription_key, meter, quantity, at, period, state, reason_code, reason, aggregate_id, request_id, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    r.id,
    r.subscriptionKey,
    r.meter,
    r.quantity,
    at,
    usagePeriodOf(at),
    parked ? 'parked' : 'accepted',
    parked?.code ?? null,
    parked?.message ?? null,
    aggregateId ?? null,
    ctx.requestId,
    ctx.now,
  )
}

/**
 * The open aggregate of the account's customer, meter and minute, made when there is none. An
 * aggregate already sealed is never added to: a late record of its minute opens the next `seq`.
 */
function openAggregate(ctx: RecordContext, customerId: string, meter: string, at: number): string {
  const minute = minuteOf(at)
  const open = ctx.sql
    .exec<{ id: string }>(
      "SELECT id FROM usage_aggregate WHERE meter = ? AND minute = ? AND customer_id = ? AND state = 'open'",
      meter,
      minute,
      customerId,
    )
    .toArray()[0]
  if (open) return open.id
  const seq = ctx.sql
    .exec<{ n: number }>(
      'SELECT COALESCE(MAX(seq) + 1, 0) AS n FROM usage_aggregate WHERE meter = ? AND minute = ?',
      meter,
      minute,
    )
    .one().n
  const id = aggregateIdentifier(ctx.accountId, meter, minute, seq)
  ctx.sql.exec(
    `INSERT INTO usage_aggregate (id, customer_id, meter, event_name, minute, seq, period, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'open')`,
    id,
    customerId,
    meter,
    ctx.catalog.meters?.[meter]?.eventName ?? meter,
    minute,
    seq,
    usagePeriodOf(at),
  )
  return id
}

/**
 * The meter event identifier of an aggregate, from what the aggregate is: account, meter,
 * minute and its number within the minute. At most 18 + 40 + 10 + 4 + 3 characters, inside
 * Stripe's 100.
 */
export function aggregateIdentifier(
  accountId: string,
  meter: string,
  minute: number,
  seq: number,
): string {
  return `${accountId}:${meter}:${minute}:${seq}`
}

/**
 * Records one usage record, synchronously (no await: a batch is one atomic step of the
 * object). Duplicates by id collapse; a record for a closed period is kept parked; a valid one
 * is added to its open aggregate and its period's summary row.
 */
export function recordUsage(
  ctx: RecordContext,
  r: UsageRecord,
  customerId: string | null,
): RecordUsageResult {
  if (ctx.sql.exec('SELECT 1 FROM usage_record WHERE id = ?', r.id).toArray().length > 0)
    return { id: r.id, status: 'duplicate' }
  const at = Date.parse(r.timestamp)
  const refused = refusal(ctx, r, at)
  if (refused) return { id: r.id, status: 'rejected', ...refused }
  if (!customerId)
    return {
      id: r.id,
      status: 'rejected',
      code: 'unknown_subscription',
      message: `Account ${ctx.accountId} has no billing customer yet.`,
    }
  const period = usagePeriodOf(at)
  if (ctx.now >= periodClosesAt(ctx.sql, period, ctx.graceMs)) {
    const late = {
      code: 'period_closed',
      message: `Usage period ${period} closed before this record arrived; it was not billed. Bill it by hand or credit it, then resolve it.`,
    }
    insertRecord(ctx, r, at, late)
    return { id: r.id, status: 'parked', ...late }
  }
  const aggregateId = openAggregate(ctx, customerId, r.meter, at)
  insertRecord(ctx, r, at, undefined, aggregateId)
  ctx.sql.exec(
    'UPDATE usage_aggregate SET value = value + ?, records = records + 1 WHERE id = ?',
    r.quantity,
    aggregateId,
  )
  ctx.sql.exec(
    "INSERT OR IGNORE INTO usage_period (period, subscription_key, meter, state) VALUES (?, ?, ?, 'open')",
    period,
    r.subscriptionKey,
    r.meter,
  )
  return { id: r.id, status: 'accepted' }
}
