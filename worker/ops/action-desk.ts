import type { ActionDiff } from '../ledger/dry-run.ts'
import type { MoneyDiff } from '../ledger/money-plan.ts'
import {
  RequestRows,
  type ActionAuditLine,
  type ActionRequest,
  type ClaimResult,
  type NewRequest,
  type RequestState,
} from './action-requests.ts'

/**
 * How long an approval may stay in execution before another approver may take it over: the
 * execution (a re-check against the vendors and one ledger call) takes seconds, so an older
 * claim belongs to a run that died. Taking it over is safe: the ledger acts once per request id.
 */
export const STALE_CLAIM_MS = 120_000

/**
 * Two-person approval of governed actions: requests, their state machine (pending → approved →
 * executed | rejected | expired | superseded, approved → pending when the re-check finds the diff
 * changed) and the audit of every step. Every method is synchronous SQL, so each decision is
 * taken once: two approvals racing see one winner. It lives in the `ApprovalDesk` Durable
 * Object, one instance named `global`.
 */
export class ActionDesk {
  private readonly rows: RequestRows

  constructor(sql: SqlStorage) {
    this.rows = new RequestRows(sql)
  }

  /**
   * Opens a pending request, or answers the open one for the same action and target (a second
   * click asks nothing twice).
   */
  request(input: NewRequest, now: number): { created: boolean; request: ActionRequest } {
    this.expire(now)
    const open = this.rows.open(input.kind, input.target)
    if (open) return { created: false, request: this.rows.view(open.id) as ActionRequest }
    const row = this.rows.insert(input, 'pending', now)
    this.rows.audit(row, 'requested', input.requestedBy, {
      kind: input.kind,
      target: input.target,
      why: input.why,
      fingerprint: input.fingerprint ?? null,
      reason: input.reason ?? null,
    })
    return { created: true, request: this.rows.view(row.id) as ActionRequest }
  }

  /** Records an action the rule lets an operator run directly, as requested and executed at once. */
  recordDirect(input: NewRequest, outcome: string, now: number): ActionRequest {
    const row = this.rows.insert(input, 'executed', now)
    this.rows.update(row.id, { outcome, decided_by: input.requestedBy, decided_at: now }, now)
    const detail = { kind: input.kind, target: input.target, approval: 'not required' }
    this.rows.audit(row, 'requested', input.requestedBy, { ...detail, why: input.why })
    this.rows.audit(row, 'executed', input.requestedBy, { outcome })
    return this.rows.view(row.id) as ActionRequest
  }

  get(id: string, now: number): ActionRequest | undefined {
    this.expire(now)
    return this.rows.view(id)
  }

  list(opts: { state?: RequestState; limit: number }, now: number): ActionRequest[] {
    this.expire(now)
    return this.rows.list(opts)
  }

  auditLines(opts: { requestId?: string; limit: number }): ActionAuditLine[] {
    return this.rows.auditLines(opts)
  }

  /**
   * Takes a pending request for execution as `actor`'s approval. Refused to the requester
   * (whatever their role), after expiry, and once another approval holds it.
   */
  claim(id: string, actor: string, now: number): ClaimResult {
    this.expire(now)
    const row = this.rows.row(id)
    if (!row) return { status: 'not_found' }
    const view = () => this.rows.view(id) as ActionRequest
    if (row.requested_by === actor) {
      this.rows.audit(row, 'self_approval_refused', actor)
      return { status: 'self_approval', request: view() }
    }
    if (row.state === 'expired') return { status: 'expired', request: view() }
    const stale = row.state === 'approved' && now - (row.decided_at ?? 0) > STALE_CLAIM_MS
    if (row.state !== 'pending' && !stale) return { status: 'conflict', request: view() }
    this.rows.update(id, { state: 'approved', decided_by: actor, decided_at: now }, now)
    this.rows.audit(row, stale ? 'approval_taken_over' : 'approved', actor, {
      fingerprint: row.fingerprint,
    })
    return { status: 'claimed', request: view() }
  }

  /** The re-check found a different diff: back to pending, with the new diff and a fresh TTL. */
  reask(
    id: string,
    next: { diff: ActionDiff | MoneyDiff; fingerprint: string; ttlMs: number },
    now: number,
  ): ActionRequest {
    const row = this.rows.row(id)
    if (!row) throw new Error(`reask: no request ${id}`)
    this.rows.update(
      id,
      {
        state: 'pending',
        diff: JSON.stringify(next.diff),
        fingerprint: next.fingerprint,
        decided_by: null,
        decided_at: null,
        expires_at: now + next.ttlMs,
      },
      now,
    )
    this.rows.audit(row, 're_asked', 'concord', {
      approvedBy: row.decided_by,
      was: row.fingerprint,
      now: next.fingerprint,
    })
    return this.rows.view(id) as ActionRequest
  }

  /** The re-check could not run (a vendor unreachable): the approval is undone, nothing ran. */
  release(id: string, why: string, now: number): void {
    const row = this.rows.row(id)
    if (row?.state !== 'approved') return
    this.rows.update(id, { state: 'pending', decided_by: null, decided_at: null }, now)
    this.rows.audit(row, 'execution_deferred', 'concord', { why })
  }

  /** Ends an approved request: `executed`, or `superseded` when its target moved on meanwhile. */
  finish(id: string, state: 'executed' | 'superseded', outcome: string, now: number) {
    const row = this.rows.row(id)
    if (row?.state !== 'approved') return this.rows.view(id)
    this.rows.update(id, { state, outcome }, now)
    this.rows.audit(row, state, row.decided_by ?? 'concord', { outcome })
    return this.rows.view(id) as ActionRequest
  }

  /** An approver declines a pending request, with a reason. */
  reject(id: string, actor: string, reason: string, now: number): ClaimResult {
    this.expire(now)
    const row = this.rows.row(id)
    if (!row) return { status: 'not_found' }
    if (row.state === 'expired') return { status: 'expired', request: this.rows.view(id)! }
    if (row.state !== 'pending') return { status: 'conflict', request: this.rows.view(id)! }
    this.rows.update(
      id,
      { state: 'rejected', decided_by: actor, decided_at: now, outcome: reason },
      now,
    )
    this.rows.audit(row, 'rejected', actor, { reason })
    return { status: 'claimed', request: this.rows.view(id) as ActionRequest }
  }

  /** Pending requests past their time expire (checked on every read and decision). */
  private expire(now: number): void {
    for (const row of this.rows.overdue(now)) {
      this.rows.update(row.id, { state: 'expired' }, now)
      this.rows.audit(row, 'expired', 'concord', {
        expiresAt: new Date(row.expires_at).toISOString(),
      })
    }
  }
}
