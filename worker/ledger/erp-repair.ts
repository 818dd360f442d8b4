import type { Catalog } from '../../shared/index.ts'
import type { Config } from '../config/types.ts'
import { orderLine } from '../connectors/netsuite/orders.ts'
import type { BillingResult, Connectors, ErpLine } from '../connectors/types.ts'
import { ConnectorError } from '../failure/errors.ts'
import { decide, toFailure } from '../failure/policy.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { AmendmentRow, Journal } from './journal.ts'

/** An ERP order Concord recorded for an amendment, and the line it wrote. */
export interface ErpOrderView {
  amendmentId: string
  subscriptionKey: string
  sequence: number
  /** `salesOrder:<internal id>` as the ERP step answered. */
  erpRef: string
  /** The line the order was written with, rebuilt from the amendments in sequence. */
  line: Partial<ErpLine>
  /** A re-run the drift reconciler asked for, and where it stands. */
  rerun?: { state: RerunState; updatedAt: number; error?: string }
}

type RerunState = 'pending' | 'done' | 'failed'

type RerunRow = {
  amendment_id: string
  state: RerunState
  attempts: number
  updated_at: number
  error: string | null
}

/** Every amendment whose ERP step ran, in sequence per subscription. */
function erpRows(sql: SqlStorage): AmendmentRow[] {
  return sql
    .exec<AmendmentRow>(
      'SELECT * FROM amendment WHERE erp_ref IS NOT NULL ORDER BY subscription_key, sequence',
    )
    .toArray()
}

/**
 * The line each recorded order holds, rebuilt as the ERP step built it: an amendment's own price
 * and quantity, the rest from the subscription's line before it. Keyed by amendment id.
 */
function linesOf(rows: AmendmentRow[], journal: Journal, catalog: Catalog) {
  const lines = new Map<string, { line: Partial<ErpLine>; previous?: ErpLine }>()
  let key: string | undefined
  let previous: ErpLine | undefined
  for (const row of rows) {
    if (row.subscription_key !== key) [key, previous] = [row.subscription_key, undefined]
    const a = journal.amendment(row)
    const line = orderLine(a, a.priceKey ? catalog.prices[a.priceKey] : undefined, previous)
    lines.set(row.id, { line, previous })
    if (line.itemId !== undefined && line.quantity !== undefined)
      previous = { itemId: line.itemId, quantity: line.quantity, rate: line.rate }
  }
  return lines
}

/** The account's recorded ERP orders with their expected lines and any re-run asked for. */
export function erpOrders(sql: SqlStorage, journal: Journal, catalog: Catalog): ErpOrderView[] {
  const rows = erpRows(sql)
  const lines = linesOf(rows, journal, catalog)
  const reruns = new Map(
    sql
      .exec<RerunRow>('SELECT * FROM erp_rerun')
      .toArray()
      .map((r) => [r.amendment_id, r]),
  )
  return rows.map((row) => {
    const rerun = reruns.get(row.id)
    return {
      amendmentId: row.id,
      subscriptionKey: row.subscription_key,
      sequence: row.sequence,
      erpRef: row.erp_ref ?? '',
      line: lines.get(row.id)?.line ?? {},
      rerun: rerun
        ? { state: rerun.state, updatedAt: rerun.updated_at, error: rerun.error ?? undefined }
        : undefined,
    }
  })
}

/**
 * `queued` now; `already` queued, or re-made since the order was seen missing; `failed` before
 * (the ERP refused the re-run: an operator looks); `not_found` (no ERP step ran for it).
 */
export type RerunAnswer = 'queued' | 'already' | 'failed' | 'not_found'

/**
 * Asks the pump to run an amendment's ERP step again (its order is missing in the ERP). Once per
 * loss: a re-run pending or failed stays as it is, and one done is queued again only when it
 * finished before `seenMissingAt` (the order was lost again after it was re-made).
 */
export function requestErpRerun(
  sql: SqlStorage,
  amendmentId: string,
  seenMissingAt: number,
): RerunAnswer {
  const known = sql
    .exec('SELECT 1 FROM amendment WHERE id = ? AND erp_ref IS NOT NULL', amendmentId)
    .toArray()
  if (known.length === 0) return 'not_found'
  const held = sql
    .exec<RerunRow>('SELECT * FROM erp_rerun WHERE amendment_id = ?', amendmentId)
    .toArray()[0]
  if (held && (held.state !== 'done' || held.updated_at >= seenMissingAt)) {
    return held.state === 'failed' ? 'failed' : 'already'
  }
  const now = Date.now()
  sql.exec(
    `INSERT INTO erp_rerun (amendment_id, state, requested_at, updated_at) VALUES (?, 'pending', ?, ?)
     ON CONFLICT (amendment_id) DO UPDATE SET state = 'pending', attempts = 0, not_before = 0,
       error = NULL, requested_at = excluded.requested_at, updated_at = excluded.updated_at`,
    amendmentId,
    now,
    now,
  )
  return 'queued'
}

export interface RerunDeps {
  sql: SqlStorage
  journal: Journal
  connectors: Connectors
  config: Config
  log: Logger
}

/** One re-run of an amendment's ERP step: the same upsert, by the same external id. */
async function rerunOne(row: AmendmentRow, previous: ErpLine | undefined, deps: RerunDeps) {
  const { journal, connectors, config } = deps
  const amendment = journal.amendment(row)
  const customerId = journal.xref().erp_customer_id
  if (!customerId)
    throw new ConnectorError({
      kind: 'business',
      system: 'concord',
      code: 'missing_xref',
      message: 'The ERP customer is not linked.',
    })
  const sub = journal.subscription(row.subscription_key)
  const billing: BillingResult = {
    subscriptionId: sub.billing_subscription_id ?? '',
    ref: row.billing_ref ?? '',
    status: (sub.status ?? 'active') as BillingResult['status'],
    currentPeriodEnd: sub.current_period_end ?? undefined,
    currency: sub.currency ?? undefined,
  }
  const price = amendment.priceKey ? config.catalog.prices[amendment.priceKey] : undefined
  return connectors.erp.recordAmendment(
    { amendment, customerId, billing, price, previous },
    { idempotencyKey: `${row.id}:erp`, correlationId: row.correlation_id },
  )
}

/**
 * The pump's step for ERP re-runs the reconciler asked for: each due one is upserted again by
 * its amendment's external id (a second run rewrites the same order, never adds one), retried
 * with backoff, or marked failed with the ERP's reason. Returns when to run next.
 */
export async function runErpReruns(deps: RerunDeps): Promise<number | undefined> {
  const { sql } = deps
  const now = Date.now()
  const due = sql
    .exec<RerunRow>(
      "SELECT * FROM erp_rerun WHERE state = 'pending' AND not_before <= ? LIMIT 10",
      now,
    )
    .toArray()
  if (due.length > 0) {
    const rows = erpRows(sql)
    const lines = linesOf(rows, deps.journal, deps.config.catalog)
    for (const r of due) {
      const row = rows.find((x) => x.id === r.amendment_id)
      if (row) await rerunStep(r, row, lines.get(row.id)?.previous, deps)
    }
  }
  return (
    sql
      .exec<{ t: number | null }>(
        "SELECT MIN(not_before) AS t FROM erp_rerun WHERE state = 'pending'",
      )
      .one().t ?? undefined
  )
}

async function rerunStep(r: RerunRow, row: AmendmentRow, prev: ErpLine | undefined, d: RerunDeps) {
  const log = d.log.with({ amendmentId: row.id, correlationId: row.correlation_id })
  try {
    const { ref } = await rerunOne(row, prev, d)
    d.sql.exec(
      "UPDATE erp_rerun SET state = 'done', ref = ?, error = NULL, updated_at = ? WHERE amendment_id = ?",
      ref,
      Date.now(),
      row.id,
    )
    log.info('erp step re-run for the drift reconciler', { erpRef: ref })
  } catch (err) {
    if (!(err instanceof ConnectorError)) log.error('erp re-run failed', errorFields(err))
    const failure = toFailure(err, 'Unexpected error inside Concord.')
    const decision = decide(failure, {
      attempt: r.attempts + 1,
      maxAttempts: d.config.maxTransientAttempts,
      baseMs: d.config.retryBaseMs,
      capMs: d.config.retryCapMs,
    })
    const retry = decision.action === 'retry'
    d.sql.exec(
      'UPDATE erp_rerun SET state = ?, attempts = attempts + 1, not_before = ?, error = ?, updated_at = ? WHERE amendment_id = ?',
      retry ? 'pending' : 'failed',
      retry ? decision.at : 0,
      retry ? failure.message : `${decision.code}: ${decision.message}`,
      Date.now(),
      row.id,
    )
  }
}
