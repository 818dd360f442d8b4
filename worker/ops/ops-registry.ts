import type { ExceptionEntry } from '../ledger/journal.ts'
import { AMENDMENT_INDEX_MIGRATION } from './amendment-index.ts'
import { REPLAY_MEMORY_MIGRATION } from './replay-memory.ts'
import { TRACE_INDEX_MIGRATION } from './trace-index.ts'
import { WORK_QUEUE_MIGRATION } from './work-queue.ts'

/**
 * The amendments among the exception index's entries: the drift reconciler's findings and refused
 * billing reads share the index to reach the work queue, but the by-state list is of amendments.
 */
const AMENDMENTS_ONLY = "json_extract(entry, '$.action') NOT IN ('reconcile', 'billing_read')"

export const OPS_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE quarantine (
    id TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    source TEXT NOT NULL,
    request_id TEXT NOT NULL,
    event_uuid TEXT,
    account_id TEXT,
    reasons TEXT NOT NULL,
    raw TEXT NOT NULL
  );
  CREATE INDEX quarantine_by_time ON quarantine (received_at, id);
  CREATE TABLE exception (
    amendment_id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    state TEXT NOT NULL,
    entry TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE INDEX exception_by_state ON exception (state, updated_at);
  `,
  /* 2 */ `
  CREATE TABLE customer_directory (billing_customer_id TEXT PRIMARY KEY, account_id TEXT NOT NULL, updated_at TEXT NOT NULL);
  CREATE TABLE webhook_event (id TEXT PRIMARY KEY, type TEXT NOT NULL, outcome TEXT NOT NULL, customer_id TEXT, reason TEXT, received_at TEXT NOT NULL, payload TEXT);
  CREATE INDEX webhook_event_by_outcome ON webhook_event (outcome, received_at);
  CREATE TABLE webhook_count (type TEXT NOT NULL, outcome TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (type, outcome));
  `,
  /* 3 */ REPLAY_MEMORY_MIGRATION,
  /* 4 */ `
  CREATE TABLE console_login (nonce TEXT PRIMARY KEY, redeemed_at TEXT NOT NULL);
  `,
  /* 5 */ AMENDMENT_INDEX_MIGRATION,
  /* 6 */ TRACE_INDEX_MIGRATION,
  /* 7 */ WORK_QUEUE_MIGRATION,
]

/** The cross-account backlog at a glance: exceptions by state and the quarantine's size. */
export interface Backlog {
  exceptions: Record<string, number>
  quarantined: number
  oldestQuarantinedAt?: string
}

/** What happened to a billing webhook, counted by type and kept (unrouted and ignored ones) for operators. */
export type WebhookOutcome = 'queued' | 'duplicate' | 'unrouted' | 'ignored'

export interface QuarantineInput {
  source: string
  requestId: string
  eventUuid?: string
  accountId?: string
  reasons: Array<{ field: string; message: string }>
  raw: string
}

export interface QuarantineEntry extends QuarantineInput {
  id: string
  receivedAt: string
}

type QuarantineRow = {
  id: string
  received_at: string
  source: string
  request_id: string
  event_uuid: string | null
  account_id: string | null
  reasons: string
  raw: string
}

/**
 * The one place operators look across accounts: the quarantine of rejected input (with its raw
 * payload and the reasons) and the index of parked amendments, which each ledger keeps current
 * through its outbox, the billing customer directory and the webhook counts. It lives in the
 * `OpsRegistry` Durable Object, a single instance named `global`: all are low-volume by nature.
 */
export class OpsStore {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  quarantine(entries: QuarantineInput[]): QuarantineEntry[] {
    const at = new Date().toISOString()
    return entries.map((e) => {
      const id = `q_${crypto.randomUUID()}`
      this.sql.exec(
        'INSERT INTO quarantine (id, received_at, source, request_id, event_uuid, account_id, reasons, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        id,
        at,
        e.source,
        e.requestId,
        e.eventUuid ?? null,
        e.accountId ?? null,
        JSON.stringify(e.reasons),
        e.raw,
      )
      return { ...e, id, receivedAt: at }
    })
  }

  /** Newest first; `before` is the `id` of the last entry of the previous page. */
  listQuarantine(opts: { limit: number; before?: string }): QuarantineEntry[] {
    const cursor = opts.before
      ? this.sql
          .exec<{ received_at: string }>(
            'SELECT received_at FROM quarantine WHERE id = ?',
            opts.before,
          )
          .toArray()[0]
      : undefined
    const rows = cursor
      ? this.sql.exec<QuarantineRow>(
          'SELECT * FROM quarantine WHERE (received_at, id) < (?, ?) ORDER BY received_at DESC, id DESC LIMIT ?',
          cursor.received_at,
          opts.before ?? '',
          opts.limit,
        )
      : this.sql.exec<QuarantineRow>(
          'SELECT * FROM quarantine ORDER BY received_at DESC, id DESC LIMIT ?',
          opts.limit,
        )
    return rows.toArray().map((r) => ({
      id: r.id,
      receivedAt: r.received_at,
      source: r.source,
      requestId: r.request_id,
      eventUuid: r.event_uuid ?? undefined,
      accountId: r.account_id ?? undefined,
      reasons: JSON.parse(r.reasons) as QuarantineInput['reasons'],
      raw: r.raw,
    }))
  }

  /** Stores the entries; returns those that were newer than what was held (the rest lose). */
  upsertExceptions(entries: ExceptionEntry[]): ExceptionEntry[] {
    return entries.filter(
      (e) =>
        this.sql
          .exec(
            `INSERT INTO exception (amendment_id, account_id, state, entry, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (amendment_id) DO UPDATE SET account_id = excluded.account_id, state = excluded.state, entry = excluded.entry, updated_at = excluded.updated_at
         WHERE excluded.updated_at >= exception.updated_at RETURNING amendment_id`,
            e.amendmentId,
            e.accountId,
            e.state,
            JSON.stringify(e),
            e.updatedAt,
          )
          .toArray().length > 0,
    )
  }

  listExceptions(opts: { state: string; accountId?: string; limit: number }): ExceptionEntry[] {
    const rows = opts.accountId
      ? this.sql.exec<{ entry: string }>(
          `SELECT entry FROM exception WHERE state = ? AND account_id = ? AND ${AMENDMENTS_ONLY} ORDER BY updated_at DESC LIMIT ?`,
          opts.state,
          opts.accountId,
          opts.limit,
        )
      : this.sql.exec<{ entry: string }>(
          `SELECT entry FROM exception WHERE state = ? AND ${AMENDMENTS_ONLY} ORDER BY updated_at DESC LIMIT ?`,
          opts.state,
          opts.limit,
        )
    return rows.toArray().map((r) => JSON.parse(r.entry) as ExceptionEntry)
  }

  /** The Salesforce account of a billing customer, as Concord linked them. */
  lookupCustomer(billingCustomerId: string): string | undefined {
    return this.sql
      .exec<{ account_id: string }>(
        'SELECT account_id FROM customer_directory WHERE billing_customer_id = ?',
        billingCustomerId,
      )
      .toArray()[0]?.account_id
  }

  /** The billing customer linked to a Salesforce account, if any. */
  customerOf(accountId: string): string | undefined {
    return this.sql
      .exec<{ id: string }>(
        'SELECT billing_customer_id AS id FROM customer_directory WHERE account_id = ? ORDER BY updated_at DESC LIMIT 1',
        accountId,
      )
      .toArray()[0]?.id
  }

  rememberCustomer(billingCustomerId: string, accountId: string): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO customer_directory (billing_customer_id, account_id, updated_at) VALUES (?, ?, ?)',
      billingCustomerId,
      accountId,
      new Date().toISOString(),
    )
  }

  /** Counts a webhook by type and outcome; keeps unrouted and ignored ones (once per event id). */
  noteWebhook(e: {
    id: string
    type: string
    outcome: WebhookOutcome
    customerId?: string
    reason?: string
    payload?: string
  }): void {
    this.sql.exec(
      'INSERT INTO webhook_count (type, outcome, n) VALUES (?, ?, 1) ON CONFLICT (type, outcome) DO UPDATE SET n = n + 1',
      e.type,
      e.outcome,
    )
    if (e.outcome === 'unrouted' || e.outcome === 'ignored') {
      this.sql.exec(
        'INSERT OR IGNORE INTO webhook_event (id, type, outcome, customer_id, reason, received_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
        e.id,
        e.type,
        e.outcome,
        e.customerId ?? null,
        e.reason ?? null,
        new Date().toISOString(),
        e.payload?.slice(0, 65_536) ?? null,
      )
    }
  }

  webhookReport(opts: { outcome?: WebhookOutcome; limit: number }): {
    counts: Array<{ type: string; outcome: string; n: number }>
    events: Array<{
      id: string
      type: string
      outcome: string
      customerId?: string
      reason?: string
      receivedAt: string
    }>
  } {
    const counts = this.sql
      .exec<{ type: string; outcome: string; n: number }>(
        'SELECT type, outcome, n FROM webhook_count ORDER BY type, outcome',
      )
      .toArray()
    const rows = opts.outcome
      ? this.sql.exec<{
          id: string
          type: string
          outcome: string
          customer_id: string | null
          reason: string | null
          received_at: string
        }>(
          'SELECT id, type, outcome, customer_id, reason, received_at FROM webhook_event WHERE outcome = ? ORDER BY received_at DESC LIMIT ?',
          opts.outcome,
          opts.limit,
        )
      : this.sql.exec<{
          id: string
          type: string
          outcome: string
          customer_id: string | null
          reason: string | null
          received_at: string
        }>(
          'SELECT id, type, outcome, customer_id, reason, received_at FROM webhook_event ORDER BY received_at DESC LIMIT ?',
          opts.limit,
        )
    return {
      counts,
      events: rows.toArray().map((r) => ({
        id: r.id,
        type: r.type,
        outcome: r.outcome,
        customerId: r.customer_id ?? undefined,
        reason: r.reason ?? undefined,
        receivedAt: r.received_at,
      })),
    }
  }

  /** Counts only (the exception index by state, the quarantine): cheap enough for every page view. */
  backlog(): Backlog {
    const exceptions: Record<string, number> = {}
    for (const r of this.sql.exec<{ state: string; n: number }>(
      'SELECT state, COUNT(*) AS n FROM exception GROUP BY state',
    ))
      exceptions[r.state] = r.n
    const q = this.sql
      .exec<{ n: number; oldest: string | null }>(
        'SELECT COUNT(*) AS n, MIN(received_at) AS oldest FROM quarantine',
      )
      .one()
    return { exceptions, quarantined: q.n, oldestQuarantinedAt: q.oldest ?? undefined }
  }

  /**
   * Marks a one-time sign-in nonce as used. True the first time only: the check and the insert
   * run with no await between them, so two redemptions racing still see one winner.
   */
  redeemLogin(nonce: string): boolean {
    const used = this.sql
      .exec('SELECT 1 FROM console_login WHERE nonce = ?', nonce)
      .toArray().length
    if (used > 0) return false
    this.sql.exec(
      'INSERT INTO console_login (nonce, redeemed_at) VALUES (?, ?)',
      nonce,
      new Date().toISOString(),
    )
    return true
  }

  /** Which account's ledger holds this amendment, if it was ever parked. */
  locate(amendmentId: string): string | undefined {
    return this.sql
      .exec<{ account_id: string }>(
        'SELECT account_id FROM exception WHERE amendment_id = ?',
        amendmentId,
      )
      .toArray()[0]?.account_id
  }
}
