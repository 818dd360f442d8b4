import type { MoneyRequest } from '../../shared/index.ts'
import type { ExceptionEntry } from './journal.ts'

/**
 * Money actions in the exception work queue: a credit or refund retrying after a failure, or
 * parked after its retry budget, is pushed through the ledger's exception-index outbox like an
 * amendment (id `money:<request id>`, action `credit` or `refund`), and resolved there once it
 * moves on. An operator's retry resumes it at the step its checkpoints say is next; a skip gives
 * up what is left of it.
 */

/** The exception index id of a money action. */
export const moneyItemId = (requestId: string) => `money:${requestId}`

type MoneyRow = {
  request_id: string
  kind: 'credit' | 'refund'
  request: string
  step: string
  billing_ref: string | null
  erp_memo_ref: string | null
  erp_refund_ref: string | null
  not_before: number
  error: string | null
  updated_at: number
}

const STATE: Record<string, ExceptionEntry['state']> = {
  parked: 'parked',
  done: 'applied',
  skipped: 'skipped',
}

/** Queues the action's exception-index entry as it stands now (the latest entry wins). */
export function queueMoneyIndex(sql: SqlStorage, requestId: string): void {
  const row = sql
    .exec<MoneyRow>('SELECT * FROM money_action WHERE request_id = ?', requestId)
    .toArray()[0]
  if (!row) return
  const req = JSON.parse(row.request) as MoneyRequest
  const [code, ...rest] = (row.error ?? '').split(': ')
  const state = STATE[row.step] ?? 'waiting'
  const entry: ExceptionEntry = {
    amendmentId: moneyItemId(row.request_id),
    accountId: req.accountId,
    subscriptionKey: req.kind === 'credit' ? req.invoiceId : req.paymentId,
    sequence: 0,
    action: row.kind,
    state,
    code: row.error ? (code ?? 'unknown') : null,
    message: row.error ? rest.join(': ') || row.error : null,
    correlationId: row.request_id,
    updatedAt: new Date(row.updated_at).toISOString(),
    step: nextStep(row) === 'billing' ? 'billing' : 'erp',
    nextAttemptAt:
      state === 'waiting' && row.error ? new Date(row.not_before).toISOString() : undefined,
    billingRef: row.billing_ref ?? undefined,
    erpRef: row.erp_refund_ref ?? row.erp_memo_ref ?? undefined,
  }
  sql.exec(
    'INSERT OR REPLACE INTO index_outbox (amendment_id, entry) VALUES (?, ?)',
    entry.amendmentId,
    JSON.stringify(entry),
  )
}

/** The step a parked action resumes at: the first its checkpoints do not show done. */
function nextStep(row: MoneyRow): 'billing' | 'erp_memo' | 'erp_refund' | 'done' {
  if (!row.billing_ref) return 'billing'
  if (!row.erp_memo_ref) return 'erp_memo'
  if (row.kind === 'refund' && !row.erp_refund_ref) return 'erp_refund'
  return 'done'
}

export type MoneyOperatorResult =
  { status: 'ok'; step: string } | { status: 'not_found' } | { status: 'conflict'; message: string }

/**
 * An operator's retry (resume at the next step, a fresh retry budget) or skip (give up what is
 * left) of a parked money action. Only a parked one: a running one retries on its own.
 */
export function actOnMoney(
  sql: SqlStorage,
  requestId: string,
  action: 'retry' | 'skip',
  now: number,
): MoneyOperatorResult {
  const row = sql
    .exec<MoneyRow>('SELECT * FROM money_action WHERE request_id = ?', requestId)
    .toArray()[0]
  if (!row) return { status: 'not_found' }
  if (row.step !== 'parked')
    return { status: 'conflict', message: `The ${row.kind} is ${row.step}, not parked.` }
  const step = action === 'retry' ? nextStep(row) : 'skipped'
  sql.exec(
    `UPDATE money_action SET step = ?, attempts = 0, not_before = 0, error = NULL, updated_at = ?
     WHERE request_id = ?`,
    step,
    now,
    requestId,
  )
  queueMoneyIndex(sql, requestId)
  return { status: 'ok', step }
}
