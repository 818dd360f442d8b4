import type { AmendmentRow, AuditDetail, SubscriptionRow, XrefRow } from './journal.ts'

/** What operators see of one amendment: where it is, why, and every change it went through. */
export interface AmendmentDetail {
  id: string
  subscriptionKey: string
  sequence: number
  action: string
  state: AmendmentRow['state']
  step: AmendmentRow['step']
  attempts: number
  nextAttemptAt?: string
  errorCode?: string
  errorMessage?: string
  billingRef?: string
  erpRef?: string
  correlationId: string
  receivedAt: string
  updatedAt: string
  audit: AuditLine[]
}

/** Audit details are flat facts (a reason, a code, a delay): typed so they cross RPC precisely. */

export interface AuditLine {
  at: string
  actor: string
  action: string
  fromState?: string
  toState?: string
  detail?: AuditDetail
}

export interface AccountSummary {
  accountId: string
  xref: { billingCustomerId?: string; erpCustomerId?: string; erpSubsidiaryId?: string }
  counts: Record<string, number>
  subscriptions: Array<{
    key: string
    resolvedSequence: number
    appliedSequence: number
    billingSubscriptionId?: string
    status?: string
  }>
  open: Omit<AmendmentDetail, 'audit'>[]
  statusOutbox: { pending: number; dead: Array<{ amendmentId: string; reason: string }> }
}

const iso = (ms: number) => new Date(ms).toISOString()
const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v)

function toDetail(row: AmendmentRow): Omit<AmendmentDetail, 'audit'> {
  return {
    id: row.id,
    subscriptionKey: row.subscription_key,
    sequence: row.sequence,
    action: row.action,
    state: row.state,
    step: row.step,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'waiting' && row.not_before > 0 ? iso(row.not_before) : undefined,
    errorCode: opt(row.error_code),
    errorMessage: opt(row.error_message),
    billingRef: opt(row.billing_ref),
    erpRef: opt(row.erp_ref),
    correlationId: row.correlation_id,
    receivedAt: iso(row.received_at),
    updatedAt: iso(row.updated_at),
  }
}

export function readAmendmentDetail(sql: SqlStorage, id: string): AmendmentDetail | undefined {
  const row = sql.exec<AmendmentRow>('SELECT * FROM amendment WHERE id = ?', id).toArray()[0]
  if (!row) return undefined
  const audit = sql
    .exec<{
      at: string
      actor: string
      action: string
      from_state: string | null
      to_state: string | null
      detail: string | null
    }>(
      'SELECT at, actor, action, from_state, to_state, detail FROM audit WHERE amendment_id = ? ORDER BY id',
      id,
    )
    .toArray()
    .map((a) => ({
      at: a.at,
      actor: a.actor,
      action: a.action,
      fromState: opt(a.from_state),
      toState: opt(a.to_state),
      detail: a.detail ? (JSON.parse(a.detail) as AuditDetail) : undefined,
    }))
  return { ...toDetail(row), audit }
}

export function readSummary(sql: SqlStorage, accountId: string): AccountSummary {
  const counts: Record<string, number> = {}
  for (const r of sql.exec<{ state: string; n: number }>(
    'SELECT state, COUNT(*) AS n FROM amendment GROUP BY state',
  ))
    counts[r.state] = r.n
  const xref = sql.exec<XrefRow>('SELECT * FROM xref WHERE account_id = ?', accountId).toArray()[0]
  const subscriptions = sql
    .exec<SubscriptionRow>('SELECT * FROM subscription ORDER BY key')
    .toArray()
    .map((s) => ({
      key: s.key,
      resolvedSequence: s.resolved_sequence,
      appliedSequence: s.applied_sequence,
      billingSubscriptionId: opt(s.billing_subscription_id),
      status: opt(s.status),
    }))
  const open = sql
    .exec<AmendmentRow>(
      "SELECT * FROM amendment WHERE state IN ('waiting', 'parked') ORDER BY subscription_key, sequence LIMIT 200",
    )
    .toArray()
    .map(toDetail)
  const pending = sql
    .exec<{ n: number }>('SELECT COUNT(*) AS n FROM status_outbox WHERE dead_reason IS NULL')
    .one().n
  const dead = sql
    .exec<{ amendment_id: string; dead_reason: string }>(
      'SELECT amendment_id, dead_reason FROM status_outbox WHERE dead_reason IS NOT NULL LIMIT 100',
    )
    .toArray()
    .map((d) => ({ amendmentId: d.amendment_id, reason: d.dead_reason }))
  return {
    accountId,
    xref: {
      billingCustomerId: opt(xref?.billing_customer_id ?? null),
      erpCustomerId: opt(xref?.erp_customer_id ?? null),
      erpSubsidiaryId: opt(xref?.erp_subsidiary_id ?? null),
    },
    counts,
    subscriptions,
    open,
    statusOutbox: { pending, dead },
  }
}
