/** The OrgWriter's schema, numbered and append-only. */
export const WRITER_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE pending (
    object TEXT NOT NULL,
    external_id_field TEXT NOT NULL,
    external_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    source_updated_at INTEGER NOT NULL,
    account_id TEXT,
    enqueued_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (object, external_id)
  );
  CREATE INDEX pending_due ON pending (not_before, enqueued_at);
  CREATE TABLE written (object TEXT NOT NULL, external_id TEXT NOT NULL, source_updated_at INTEGER NOT NULL, PRIMARY KEY (object, external_id));
  CREATE TABLE parked (
    object TEXT NOT NULL,
    external_id_field TEXT NOT NULL,
    external_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    source_updated_at INTEGER NOT NULL,
    account_id TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL,
    parked_at INTEGER NOT NULL,
    PRIMARY KEY (object, external_id)
  );
  CREATE TABLE hint (account_id TEXT PRIMARY KEY, since INTEGER NOT NULL);
  CREATE TABLE api_call (at INTEGER NOT NULL);
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
]
