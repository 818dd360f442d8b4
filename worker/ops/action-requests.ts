import type { ActionDiff } from '../ledger/dry-run.ts'
import type { MoneyDiff } from '../ledger/money-plan.ts'
import type { ActionKind } from '../ledger/governance.ts'

/** The request table and its audit: numbered, append-only (the `ApprovalDesk`'s own migrations). */
export const ACTION_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE action_request (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    account_id TEXT,
    correlation_id TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    reason TEXT,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    priced_at INTEGER,
    diff TEXT,
    fingerprint TEXT,
    decided_by TEXT,
    decided_at INTEGER,
    outcome TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX action_request_by_state ON action_request (state, created_at);
  CREATE INDEX action_request_by_target ON action_request (kind, target, state);
  CREATE TABLE action_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    detail TEXT
  );
  CREATE INDEX action_audit_by_request ON action_audit (request_id, id);
  `,
]

export type RequestState =
  'pending' | 'approved' | 'executed' | 'rejected' | 'expired' | 'superseded'

/** One action request as operators, approvers and the API see it. */
export interface ActionRequest {
  id: string
  kind: ActionKind
  /** The amendment id (retry, skip), the account id or `all` (backfill), `stored` (replay). */
  target: string
  accountId?: string
  correlationId: string
  requestedBy: string
  reason?: string
  state: RequestState
  createdAt: string
  expiresAt: string
  pricedAt?: number
  diff?: ActionDiff | MoneyDiff
  fingerprint?: string
  decidedBy?: string
  decidedAt?: string
  /** What execution, a rejection or a supersession said. */
  outcome?: string
}

/** One line of the governed-action audit. */
export interface ActionAuditLine {
  at: string
  requestId: string
  kind: string
  target: string
  action: string
  actor: string
  correlationId: string
  detail?: Record<string, string | number | boolean | null>
}

export interface NewRequest {
  /** The request's id when the caller needed it first (money plans derive their keys from it). */
  id?: string
  kind: ActionKind
  target: string
  accountId?: string
  correlationId?: string
  requestedBy: string
  reason?: string
  ttlMs: number
  pricedAt?: number
  diff?: ActionDiff | MoneyDiff
  fingerprint?: string
  /** Why the rule asked (or did not ask) for approval. */
  why: string
}

export type ClaimResult =
  | { status: 'claimed'; request: ActionRequest }
  | { status: 'not_found' }
  | { status: 'self_approval'; request: ActionRequest }
  | { status: 'expired'; request: ActionRequest }
  | { status: 'conflict'; request: ActionRequest }

type Row = {
  id: string
  kind: string
  target: string
  account_id: string | null
  correlation_id: string
  requested_by: string
  reason: string | null
  state: string
  created_at: number
  expires_at: number
  priced_at: number | null
  diff: string | null
  fingerprint: string | null
  decided_by: string | null
  decided_at: number | null
  outcome: string | null
}

const iso = (ms: number) => new Date(ms).toISOString()

function toRequest(r: Row): ActionRequest {
  return {
    id: r.id,
    kind: r.kind as ActionKind,
    target: r.target,
    accountId: r.account_id ?? undefined,
    correlationId: r.correlation_id,
    requestedBy: r.requested_by,
    reason: r.reason ?? undefined,
    state: r.state as RequestState,
    createdAt: iso(r.created_at),
    expiresAt: iso(r.expires_at),
    pricedAt: r.priced_at ?? undefined,
    diff: r.diff ? (JSON.parse(r.diff) as ActionDiff | MoneyDiff) : undefined,
    fingerprint: r.fingerprint ?? undefined,
    decidedBy: r.decided_by ?? undefined,
    decidedAt: r.decided_at === null ? undefined : iso(r.decided_at),
    outcome: r.outcome ?? undefined,
  }
}

export type AuditDetail = ActionAuditLine['detail']

/**
 * The low-level record of action requests: rows, state changes and their audit lines, each
 * change and its audit written with no await between them. `ActionDesk` holds the rules.
 */
export class RequestRows {
  protected readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  row(id: string): Row | undefined {
    return this.sql.exec<Row>('SELECT * FROM action_request WHERE id = ?', id).toArray()[0]
  }

  view(id: string): ActionRequest | undefined {
    const r = this.row(id)
    return r ? toRequest(r) : undefined
  }

  insert(input: NewRequest, state: RequestState, now: number): Row {
    const id = input.id ?? `ar_${crypto.randomUUID()}`
    this.sql.exec(
      `INSERT INTO action_request (id, kind, target, account_id, correlation_id, requested_by, reason, state,
         created_at, expires_at, priced_at, diff, fingerprint, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      input.kind,
      input.target,
      input.accountId ?? null,
      input.correlationId ?? id,
      input.requestedBy,
      input.reason ?? null,
      state,
      now,
      now + input.ttlMs,
      input.pricedAt ?? null,
      input.diff ? JSON.stringify(input.diff) : null,
      input.fingerprint ?? null,
      now,
    )
    return this.row(id) as Row
  }

  update(id: string, fields: Partial<Omit<Row, 'id'>>, now: number): void {
    const entries = Object.entries({ ...fields, updated_at: now })
    const sets = entries.map(([k]) => `${k} = ?`).join(', ')
    this.sql.exec(
      `UPDATE action_request SET ${sets} WHERE id = ?`,
      ...entries.map(([, v]) => v ?? null),
      id,
    )
  }

  audit(
    row: Pick<Row, 'id' | 'correlation_id'>,
    action: string,
    actor: string,
    detail?: AuditDetail,
  ) {
    this.sql.exec(
      'INSERT INTO action_audit (at, request_id, action, actor, correlation_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
      new Date().toISOString(),
      row.id,
      action,
      actor,
      row.correlation_id,
      detail ? JSON.stringify(detail) : null,
    )
  }

  list(opts: { state?: RequestState; limit: number }): ActionRequest[] {
    const rows = opts.state
      ? this.sql.exec<Row>(
          'SELECT * FROM action_request WHERE state = ? ORDER BY created_at DESC LIMIT ?',
          opts.state,
          opts.limit,
        )
      : this.sql.exec<Row>(
          'SELECT * FROM action_request ORDER BY created_at DESC LIMIT ?',
          opts.limit,
        )
    return rows.toArray().map(toRequest)
  }

  /** Audit lines oldest first; `requestId` narrows to one request. */
  auditLines(opts: { requestId?: string; limit: number }): ActionAuditLine[] {
    type Line = {
      at: string
      request_id: string
      kind: string
      target: string
      action: string
      actor: string
      correlation_id: string
      detail: string | null
    }
    const select = `SELECT a.at, a.request_id, r.kind, r.target, a.action, a.actor, a.correlation_id, a.detail
      FROM action_audit a JOIN action_request r ON r.id = a.request_id`
    const rows = opts.requestId
      ? this.sql.exec<Line>(
          `${select} WHERE a.request_id = ? ORDER BY a.id LIMIT ?`,
          opts.requestId,
          opts.limit,
        )
      : this.sql.exec<Line>(`${select} ORDER BY a.id LIMIT ?`, opts.limit)
    return rows.toArray().map((r) => ({
      at: r.at,
      requestId: r.request_id,
      kind: r.kind,
      target: r.target,
      action: r.action,
      actor: r.actor,
      correlationId: r.correlation_id,
      detail: r.detail ? (JSON.parse(r.detail) as AuditDetail) : undefined,
    }))
  }

  /** The open (pending or approved) request for the same action on the same target, if any. */
  open(kind: string, target: string): Row | undefined {
    return this.sql
      .exec<Row>(
        "SELECT * FROM action_request WHERE kind = ? AND target = ? AND state IN ('pending', 'approved') LIMIT 1",
        kind,
        target,
      )
      .toArray()[0]
  }

  /** Pending requests past their expiry, oldest first. */
  overdue(now: number): Row[] {
    return this.sql
      .exec<Row>(
        "SELECT * FROM action_request WHERE state = 'pending' AND expires_at <= ? ORDER BY expires_at",
        now,
      )
      .toArray()
  }
}
