import type { TraceIndexEntry } from '../ledger/journal.ts'

/** How long the trace index remembers an amendment's keys. */
export const TRACE_INDEX_RETENTION_DAYS = 90

export const TRACE_INDEX_MIGRATION = `
  CREATE TABLE trace_key (
    key TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    amendment_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (key, amendment_id)
  );
  CREATE INDEX trace_key_by_time ON trace_key (at);
`

/** One amendment a search found, and which of its ids matched. */
export interface TraceMatch {
  correlationId: string
  amendmentId: string
  accountId: string
  at: string
}

/**
 * Finds an amendment's ledger from any id it is known by: its correlation id, its EventUuid, the
 * Salesforce account, the Stripe or NetSuite customer, subscription or sales order. Each ledger
 * keeps it current through its trace outbox; entries older than 90 days are dropped as new ones
 * come, so the table stays bounded by the traffic of that window.
 */
export class TraceIndex {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  add(entries: TraceIndexEntry[]): void {
    for (const e of entries)
      for (const key of e.keys)
        this.sql.exec(
          'INSERT OR REPLACE INTO trace_key (key, correlation_id, amendment_id, account_id, at) VALUES (?, ?, ?, ?, ?)',
          key,
          e.correlationId,
          e.amendmentId,
          e.accountId,
          e.at,
        )
    const cutoff = new Date(Date.now() - TRACE_INDEX_RETENTION_DAYS * 86_400_000).toISOString()
    this.sql.exec('DELETE FROM trace_key WHERE at < ?', cutoff)
  }

  /** The amendments known by `key`, newest first. */
  find(key: string, limit: number): TraceMatch[] {
    return this.sql
      .exec<{ correlation_id: string; amendment_id: string; account_id: string; at: string }>(
        'SELECT correlation_id, amendment_id, account_id, at FROM trace_key WHERE key = ? ORDER BY at DESC, amendment_id LIMIT ?',
        key,
        limit,
      )
      .toArray()
      .map((r) => ({
        correlationId: r.correlation_id,
        amendmentId: r.amendment_id,
        accountId: r.account_id,
        at: r.at,
      }))
  }
}
