import type { Config } from '../config/types.ts'
import type { MoneyConnectors } from '../connectors/money.ts'
import { decide, toFailure } from '../failure/policy.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import type { FinanceBook } from './finance-book.ts'
import type { MoneyDiff, MoneyFacts } from './money-plan.ts'
import { queueMoneyIndex } from './money-queue.ts'

/**
 * Runs approved credit notes and refunds in the account's pump, one checkpointed step at a
 * time: `billing` (the Stripe call, under the request's idempotency key) → `erp_memo` →
 * `erp_refund` (refunds only) → `done`. A crash between two steps resumes at the next one; a
 * step run twice replays (Stripe's key, NetSuite's external id), so nothing happens twice.
 * A refusal parks the action with its reason; anything else retries with backoff.
 */

export type MoneyStep = 'billing' | 'erp_memo' | 'erp_refund' | 'done' | 'parked' | 'skipped'

export interface MoneyActionView {
  requestId: string
  kind: 'credit' | 'refund'
  step: MoneyStep
  billingRef?: string
  erpMemoRef?: string
  erpRefundRef?: string
  attempts: number
  error?: string
}

type Row = {
  request_id: string
  kind: 'credit' | 'refund'
  diff: string
  step: MoneyStep
  billing_ref: string | null
  erp_memo_ref: string | null
  erp_refund_ref: string | null
  attempts: number
  not_before: number
  error: string | null
}

const view = (r: Row): MoneyActionView => ({
  requestId: r.request_id,
  kind: r.kind,
  step: r.step,
  billingRef: r.billing_ref ?? undefined,
  erpMemoRef: r.erp_memo_ref ?? undefined,
  erpRefundRef: r.erp_refund_ref ?? undefined,
  attempts: r.attempts,
  error: r.error ?? undefined,
})

/** Records an approved money action, once per request id. */
export function recordMoneyAction(
  sql: SqlStorage,
  diff: MoneyDiff,
  now: number,
): 'queued' | 'duplicate' {
  const held = sql.exec('SELECT 1 FROM money_action WHERE request_id = ?', diff.requestId)
  if (held.toArray().length > 0) return 'duplicate'
  sql.exec(
    `INSERT INTO money_action (request_id, kind, request, diff, step, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'billing', ?, ?)`,
    diff.requestId,
    diff.kind,
    JSON.stringify(diff.request),
    JSON.stringify(diff),
    now,
    now,
  )
  return 'queued'
}

/** Whether a money action is due now (the pump has work). */
export function moneyDue(sql: SqlStorage, now: number): boolean {
  return (
    sql
      .exec(
        "SELECT 1 FROM money_action WHERE step NOT IN ('done', 'parked', 'skipped') AND not_before <= ? LIMIT 1",
        now,
      )
      .toArray().length > 0
  )
}

export function moneyActions(sql: SqlStorage): MoneyActionView[] {
  return sql.exec<Row>('SELECT * FROM money_action ORDER BY created_at').toArray().map(view)
}

/** One step of one action; answers the next step and what it made. */
async function runStep(
  m: MoneyConnectors,
  row: Row,
  diff: MoneyDiff,
  book: FinanceBook,
): Promise<Partial<Row> & { step: MoneyStep }> {
  const call = diff.calls[0]
  if (row.step === 'billing' && call) {
    const key = call.idempotencyKey ?? `${row.request_id}:billing`
    const p = diff.request
    const made =
      p.kind === 'credit'
        ? await m.billing.createCreditNote(
            {
              invoiceId: p.invoiceId,
              amount: p.amount,
              lines: p.lines,
              reason: p.reason,
              memo: p.memo,
              metadata: metadataOf(call),
            },
            key,
          )
        : await m.billing.createRefund(
            {
              chargeId: p.paymentId,
              amount: diff.amount,
              reason: p.reason,
              metadata: metadataOf(call),
            },
            key,
          )
    // What Stripe now holds reaches Salesforce the way every billing document does: re-read.
    if (p.kind === 'credit') {
      book.requestRefresh('credit_note', made.id)
      book.requestRefresh('invoice', p.invoiceId)
    } else book.requestRefresh('payment', p.paymentId)
    return { step: 'erp_memo', billing_ref: made.id }
  }
  if (row.step === 'erp_memo' && diff.erp[0]) {
    const ref = await m.erp.record(diff.erp[0])
    return { step: diff.erp[1] ? 'erp_refund' : 'done', erp_memo_ref: ref }
  }
  if (row.step === 'erp_refund' && diff.erp[1]) {
    return { step: 'done', erp_refund_ref: await m.erp.record(diff.erp[1]) }
  }
  return { step: 'done' }
}

/** The metadata the dry run planned, read back from its flattened `metadata[k]` params. */
function metadataOf(call: { params: Record<string, string> }): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(call.params)) {
    const m = /^metadata\[(.+)\]$/.exec(k)
    if (m?.[1]) out[m[1]] = v
  }
  return out
}

function save(sql: SqlStorage, id: string, fields: Partial<Row>, now: number): void {
  const entries = Object.entries({ ...fields, updated_at: now })
  sql.exec(
    `UPDATE money_action SET ${entries.map(([k]) => `${k} = ?`).join(', ')} WHERE request_id = ?`,
    ...entries.map(([, v]) => v ?? null),
    id,
  )
}

/**
 * Advances every due money action by as many steps as it can take now.
 * @returns when the pump should come back (a retry's time), or undefined.
 */
export async function advanceMoney(
  sql: SqlStorage,
  deps: { money?: MoneyConnectors; config: Config; log: Logger; book: FinanceBook },
): Promise<number | undefined> {
  const rows = sql
    .exec<Row>(
      "SELECT * FROM money_action WHERE step NOT IN ('done', 'parked', 'skipped') ORDER BY created_at",
    )
    .toArray()
  let wake: number | undefined
  for (let row of rows) {
    if (row.not_before > Date.now()) {
      wake = Math.min(wake ?? Infinity, row.not_before)
      continue
    }
    const diff = JSON.parse(row.diff) as MoneyDiff
    while (row.step !== 'done' && row.step !== 'parked') {
      try {
        if (!deps.money) throw new Error('money connectors are not configured')
        const next = await runStep(deps.money, row, diff, deps.book)
        save(sql, row.request_id, { ...next, error: null }, Date.now())
        row = { ...row, ...next }
        if (next.erp_memo_ref && row.kind === 'credit' && row.billing_ref)
          deps.book.creditNoteChanged(row.billing_ref)
        // Once listed as retrying, its entry is resolved when it moves on.
        if (row.attempts > 0) queueMoneyIndex(sql, row.request_id)
      } catch (err) {
        const attempt = row.attempts + 1
        const failure = toFailure(err, 'money action step failed')
        const d = decide(failure, {
          attempt,
          maxAttempts: 10,
          baseMs: deps.config.retryBaseMs,
          capMs: deps.config.retryCapMs,
        })
        const error = `${failure.code}: ${failure.message}`
        deps.log.warn('money action step failed', {
          requestId: row.request_id,
          step: row.step,
          ...errorFields(err),
        })
        if (d.action === 'retry') {
          save(sql, row.request_id, { attempts: attempt, not_before: d.at, error }, Date.now())
          wake = Math.min(wake ?? Infinity, d.at)
        } else save(sql, row.request_id, { attempts: attempt, step: 'parked', error }, Date.now())
        // Retrying on its own or parked: the exception work queue lists it (money-queue.ts).
        queueMoneyIndex(sql, row.request_id)
        break
      }
    }
  }
  return wake
}

/** What the account's ledger knows that a plan needs: its customers and its last ERP item. */
export function moneyFacts(
  sql: SqlStorage,
  xref: { billing_customer_id: string | null; erp_customer_id: string | null },
): MoneyFacts {
  const line = sql
    .exec<{ erp_line: string }>(
      'SELECT erp_line FROM subscription WHERE erp_line IS NOT NULL ORDER BY rowid DESC LIMIT 1',
    )
    .toArray()[0]
  const item = line ? (JSON.parse(line.erp_line) as { itemId?: string }).itemId : undefined
  return {
    billingCustomerId: xref.billing_customer_id ?? undefined,
    erpCustomerId: xref.erp_customer_id ?? undefined,
    fallbackItemId: item,
  }
}
