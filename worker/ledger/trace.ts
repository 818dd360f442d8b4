import type { Amendment } from '../../shared/index.ts'
import type { CallRecorder, VendorCall } from '../connectors/http.ts'
import type { Step } from './journal.ts'
import { readAmendmentDetail, type AmendmentDetail, type AuditLine } from './views.ts'

/** How long a vendor call stays in the ledger, and how many an account keeps at most. */
export const VENDOR_CALL_RETENTION_MS = 30 * 24 * 3600_000
export const VENDOR_CALL_MAX_ROWS = 20_000

/** Which amendment a recorded call belongs to: set by the pump around one saga step. */
export interface CallScope {
  correlationId: string
  amendmentId: string
  step: Step
}

/**
 * The account's vendor calls, recorded from the connectors' HTTP layer while the pump runs a saga
 * step (`scope`); calls made outside a step (document re-reads, previews) are not kept. Bounded:
 * calls older than 30 days, and beyond the newest 20,000, are deleted as new ones come.
 */
export class VendorCallLog implements CallRecorder {
  scope: CallScope | undefined
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  record(call: VendorCall): void {
    const scope = this.scope
    if (!scope) return
    this.sql.exec(
      `INSERT INTO vendor_call (at, correlation_id, amendment_id, step, system, method, path, status, idempotency_key, duration_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      call.at,
      scope.correlationId,
      scope.amendmentId,
      scope.step,
      call.system,
      call.method,
      call.path.slice(0, 500),
      call.status,
      call.idempotencyKey ?? null,
      call.durationMs,
    )
    this.sql.exec(
      'DELETE FROM vendor_call WHERE at < ? OR id <= (SELECT MAX(id) FROM vendor_call) - ?',
      Date.now() - VENDOR_CALL_RETENTION_MS,
      VENDOR_CALL_MAX_ROWS,
    )
  }
}

/** A recorded vendor call, as the trace shows it. */
export interface TraceCall {
  at: string
  system: string
  method: string
  path: string
  status: number
  idempotencyKey?: string
  durationMs: number
}

/** One saga step of an amendment: how it ended and every attempt at it. */
export interface TraceStep {
  step: Exclude<Step, 'done'>
  status: 'done' | 'current' | 'pending'
  attempts: AuditLine[]
  calls: TraceCall[]
}

export interface TraceAmendment {
  detail: AmendmentDetail
  /** The Salesforce event as Concord read it (`Subscription_Amendment__e`, canonical names). */
  event: Amendment
  steps: TraceStep[]
  writtenBack: Array<{ object: string; externalId: string; status: string; handedAt: string }>
}

/** Everything one correlation id touched in this account's ledger. */
export interface Trace {
  correlationId: string
  accountId: string
  xref: { billingCustomerId?: string; erpCustomerId?: string }
  amendments: TraceAmendment[]
}

const STEPS: ReadonlyArray<TraceStep['step']> = ['xref', 'billing', 'erp', 'status']
/** The audit action that ends each step well. */
const DONE_ACTION: Record<TraceStep['step'], string[]> = {
  xref: ['xref_done'],
  billing: ['billed', 'preview_refused'],
  erp: ['posted'],
  status: ['applied'],
}

function stepsOf(detail: AmendmentDetail, byStep: Map<string, TraceCall[]>): TraceStep[] {
  const at = STEPS.indexOf(detail.step as TraceStep['step'])
  return STEPS.map((step, i) => ({
    step,
    status: detail.step === 'done' || i < at ? 'done' : i === at ? 'current' : 'pending',
    attempts: detail.audit.filter(
      (a) => a.detail?.step === step || DONE_ACTION[step].includes(a.action),
    ),
    calls: byStep.get(step) ?? [],
  }))
}

function callsOf(sql: SqlStorage, amendmentId: string): Map<string, TraceCall[]> {
  const byStep = new Map<string, TraceCall[]>()
  const rows = sql
    .exec<{
      at: number
      step: string
      system: string
      method: string
      path: string
      status: number
      idempotency_key: string | null
      duration_ms: number
    }>(
      'SELECT at, step, system, method, path, status, idempotency_key, duration_ms FROM vendor_call WHERE amendment_id = ? ORDER BY id LIMIT 500',
      amendmentId,
    )
    .toArray()
  for (const r of rows) {
    const call: TraceCall = {
      at: new Date(r.at).toISOString(),
      system: r.system,
      method: r.method,
      path: r.path,
      status: r.status,
      idempotencyKey: r.idempotency_key ?? undefined,
      durationMs: r.duration_ms,
    }
    byStep.set(r.step, [...(byStep.get(r.step) ?? []), call])
  }
  return byStep
}

function writtenBackOf(sql: SqlStorage, amendmentId: string): TraceAmendment['writtenBack'] {
  return sql
    .exec<{ object: string; external_id: string; status: string; handed_at: number }>(
      'SELECT object, external_id, status, handed_at FROM written_back WHERE amendment_id = ? ORDER BY object',
      amendmentId,
    )
    .toArray()
    .map((w) => ({
      object: w.object,
      externalId: w.external_id,
      status: w.status,
      handedAt: new Date(w.handed_at).toISOString(),
    }))
}

/** The trace of one correlation id in this ledger, or undefined when no amendment carries it. */
export function readTrace(
  sql: SqlStorage,
  accountId: string,
  correlationId: string,
): Trace | undefined {
  const rows = sql
    .exec<{ id: string; payload: string }>(
      'SELECT id, payload FROM amendment WHERE correlation_id = ? ORDER BY received_at, id LIMIT 50',
      correlationId,
    )
    .toArray()
  if (rows.length === 0) return undefined
  const amendments = rows.map((r) => {
    const detail = readAmendmentDetail(sql, r.id) as AmendmentDetail
    return {
      detail,
      event: JSON.parse(r.payload) as Amendment,
      steps: stepsOf(detail, callsOf(sql, r.id)),
      writtenBack: writtenBackOf(sql, r.id),
    }
  })
  const xref = sql
    .exec<{ billing_customer_id: string | null; erp_customer_id: string | null }>(
      'SELECT billing_customer_id, erp_customer_id FROM xref WHERE account_id = ?',
      accountId,
    )
    .toArray()[0]
  return {
    correlationId,
    accountId,
    xref: {
      billingCustomerId: xref?.billing_customer_id ?? undefined,
      erpCustomerId: xref?.erp_customer_id ?? undefined,
    },
    amendments,
  }
}
