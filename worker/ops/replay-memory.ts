/**
 * The replay memory's table, migration 3 of the OpsRegistry (`OPS_MIGRATIONS`): one row per
 * signed request seen, keyed by the hash of what its signature covers, until its window closes.
 */
export const REPLAY_MEMORY_MIGRATION = `
  CREATE TABLE seen_request (replay_key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
  CREATE INDEX seen_request_by_expiry ON seen_request (expires_at);
`

/** Whether a signed request is new, or was let through before. */
export type RememberResult = { status: 'first' } | { status: 'replayed' }

/**
 * Signed requests from Salesforce seen within their timestamp window, so that the same signed
 * request is refused the second time, whichever isolate receives it. It lives in the
 * OpsRegistry's SQLite: one instance, reached by every isolate, and signed calls are few (a
 * relay batch, a catalog read, a preview). A row outlives its window by little, and rows whose
 * window has closed are dropped on each call, so the table holds only the last minutes' requests.
 */
export class ReplayMemory {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  /**
   * Records `replayKey` until `expiresAt` (unix seconds), or reports that it is already there.
   * One call does both, inside the object's single thread, so two deliveries of one request
   * cannot both be `first`.
   */
  remember(
    replayKey: string,
    expiresAt: number,
    nowSeconds = Math.floor(Date.now() / 1000),
  ): RememberResult {
    this.sql.exec('DELETE FROM seen_request WHERE expires_at < ?', nowSeconds)
    const inserted = this.sql
      .exec(
        'INSERT INTO seen_request (replay_key, expires_at) VALUES (?, ?) ON CONFLICT (replay_key) DO NOTHING RETURNING replay_key',
        replayKey,
        expiresAt,
      )
      .toArray()
    return inserted.length === 1 ? { status: 'first' } : { status: 'replayed' }
  }

  /** How many requests are remembered now (for tests and operators). */
  size(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM seen_request').one().n
  }
}
