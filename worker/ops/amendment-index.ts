/**
 * The amendment index's table, migration 5 of the OpsRegistry (`OPS_MIGRATIONS`): every
 * amendment the intake took, with its correlation id and the account whose ledger holds it.
 */
export const AMENDMENT_INDEX_MIGRATION = `
  CREATE TABLE amendment_index (
    amendment_id TEXT PRIMARY KEY,
    correlation_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    received_at TEXT NOT NULL
  );
  CREATE INDEX amendment_index_by_correlation ON amendment_index (correlation_id);
`

/** One amendment as the index knows it. */
export interface IndexedAmendment {
  amendmentId: string
  correlationId: string
  accountId: string
  receivedAt: string
}

/** Most matches one lookup returns: a correlation id is meant to name one amendment. */
const MAX_MATCHES = 20

/**
 * Where each amendment lives, by amendment id and by correlation id: the ledgers are one per
 * account, so without it an operator holding only a correlation id (from a log line, a
 * `Subscription_Sync__c` row or a vendor's metadata) could not find the ledger to ask. The
 * intake adds a row once the ledger has stored the amendment; the index only points, the
 * ledger stays the record. Rows are a few dozen bytes, one per amendment.
 */
export class AmendmentIndex {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  /** Adds amendments; one already indexed keeps its first row (a redelivery changes nothing). */
  add(entries: IndexedAmendment[]): void {
    for (const e of entries)
      this.sql.exec(
        `INSERT INTO amendment_index (amendment_id, correlation_id, account_id, received_at)
         VALUES (?, ?, ?, ?) ON CONFLICT (amendment_id) DO NOTHING`,
        e.amendmentId,
        e.correlationId,
        e.accountId,
        e.receivedAt,
      )
  }

  /** The amendments whose amendment id or correlation id is `id`, oldest first. */
  find(id: string): IndexedAmendment[] {
    return this.sql
      .exec<{
        amendment_id: string
        correlation_id: string
        account_id: string
        received_at: string
      }>(
        `SELECT * FROM amendment_index WHERE amendment_id = ?1 OR correlation_id = ?1
         ORDER BY received_at, amendment_id LIMIT ?2`,
        id,
        MAX_MATCHES,
      )
      .toArray()
      .map((r) => ({
        amendmentId: r.amendment_id,
        correlationId: r.correlation_id,
        accountId: r.account_id,
        receivedAt: r.received_at,
      }))
  }
}
