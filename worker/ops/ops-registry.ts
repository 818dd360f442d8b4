import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../env.ts'
import type { ExceptionEntry } from '../ledger/journal.ts'
import { migrate } from '../ledger/migrations.ts'

const OPS_MIGRATIONS: readonly string[] = [
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
]

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
 * through its outbox. A single instance, named `global`: both are low-volume by nature.
 */
export class OpsRegistry extends DurableObject<Env> {
  private readonly sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    void ctx.blockConcurrencyWhile(async () => migrate(this.sql, OPS_MIGRATIONS))
  }

  async quarantine(entries: QuarantineInput[]): Promise<string[]> {
    const at = new Date().toISOString()
    return entries.map((e) => {
      const id = `q_${crypto.randomUUID()}`
      this.sql.exec(
        'INSERT INTO quarantine (id, received_at, source, request_id, event_uuid, account_id, reasons, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        id, at, e.source, e.requestId, e.eventUuid ?? null, e.accountId ?? null, JSON.stringify(e.reasons), e.raw,
      )
      return id
    })
  }

  /** Newest first; `before` is the `id` of the last entry of the previous page. */
  async listQuarantine(opts: { limit: number; before?: string }): Promise<QuarantineEntry[]> {
    const cursor = opts.before ? this.sql.exec<{ received_at: string }>('SELECT received_at FROM quarantine WHERE id = ?', opts.before).toArray()[0] : undefined
    const rows = cursor
      ? this.sql.exec<QuarantineRow>('SELECT * FROM quarantine WHERE (received_at, id) < (?, ?) ORDER BY received_at DESC, id DESC LIMIT ?', cursor.received_at, opts.before ?? '', opts.limit)
      : this.sql.exec<QuarantineRow>('SELECT * FROM quarantine ORDER BY received_at DESC, id DESC LIMIT ?', opts.limit)
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

  async upsertExceptions(entries: ExceptionEntry[]): Promise<void> {
    for (const e of entries) {
      this.sql.exec(
        `INSERT INTO exception (amendment_id, account_id, state, entry, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (amendment_id) DO UPDATE SET state = excluded.state, entry = excluded.entry, updated_at = excluded.updated_at
         WHERE excluded.updated_at >= exception.updated_at`,
        e.amendmentId, e.accountId, e.state, JSON.stringify(e), e.updatedAt,
      )
    }
  }

  async listExceptions(opts: { state: string; accountId?: string; limit: number }): Promise<ExceptionEntry[]> {
    const rows = opts.accountId
      ? this.sql.exec<{ entry: string }>('SELECT entry FROM exception WHERE state = ? AND account_id = ? ORDER BY updated_at DESC LIMIT ?', opts.state, opts.accountId, opts.limit)
      : this.sql.exec<{ entry: string }>('SELECT entry FROM exception WHERE state = ? ORDER BY updated_at DESC LIMIT ?', opts.state, opts.limit)
    return rows.toArray().map((r) => JSON.parse(r.entry) as ExceptionEntry)
  }

  /** Which account's ledger holds this amendment, if it was ever parked. */
  async locate(amendmentId: string): Promise<string | undefined> {
    return this.sql.exec<{ account_id: string }>('SELECT account_id FROM exception WHERE amendment_id = ?', amendmentId).toArray()[0]?.account_id
  }
}
