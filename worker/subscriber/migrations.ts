/**
 * The subscriber's schema, as numbered, append-only migrations (run by `migrate` from the
 * ledger's module in `blockConcurrencyWhile`): never edit a shipped one, add the next.
 *
 * - `cursor`: per channel, the replay id of the last event durably accepted by the intake
 *   (-2 = "everything retained", set on first use and after a gap), with its CreatedDate.
 * - `run`: one row per catch-up run, inserted before any I/O so a run cut off by eviction is
 *   visible (and closed as `interrupted` by the next one). History is trimmed, totals are kept
 *   in `counter`.
 * - `gap`: a stored replay id Salesforce no longer retained. The lost range is from
 *   `after_replay_id`/`after_event_at` (exclusive) to `resumed_replay_id`/`resumed_event_at`
 *   (the first event seen after re-subscribing from -2), for an operator to reconcile.
 */
export const SUBSCRIBER_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE cursor (
    channel TEXT PRIMARY KEY,
    replay_id INTEGER NOT NULL,
    event_at TEXT,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trigger TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    outcome TEXT CHECK (outcome IN ('drained', 'budget', 'failed', 'interrupted')),
    from_replay_id INTEGER,
    to_replay_id INTEGER,
    received INTEGER NOT NULL DEFAULT 0,
    queued INTEGER NOT NULL DEFAULT 0,
    duplicate INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    handshakes INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT
  );
  CREATE TABLE gap (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    run_id INTEGER NOT NULL,
    detected_at TEXT NOT NULL,
    after_replay_id INTEGER NOT NULL,
    after_event_at TEXT,
    resumed_replay_id INTEGER,
    resumed_event_at TEXT,
    server_error TEXT NOT NULL,
    acknowledged_at TEXT,
    acknowledged_by TEXT
  );
  CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  `,
]
