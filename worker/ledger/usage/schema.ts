/**
 * The usage tables of an account's ledger (its migration 4). Records are kept by their sender's
 * idempotency id (the durable dedupe); each accepted record belongs to one aggregate (per
 * customer, meter and minute: what billing is told as one meter event); each subscription,
 * meter and period has one summary row (what the ERP and Salesforce are told once the period
 * closes). Aggregates are frozen once sealed, so a retry always sends the same value under the
 * same identifier.
 */
export const USAGE_MIGRATION = `
  CREATE TABLE usage_record (
    id TEXT PRIMARY KEY,
    subscription_key TEXT NOT NULL,
    meter TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    at INTEGER NOT NULL,
    period TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('accepted', 'parked', 'resolved')),
    reason_code TEXT,
    reason TEXT,
    aggregate_id TEXT,
    request_id TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );
  CREATE INDEX usage_record_by_aggregate ON usage_record (aggregate_id, id);
  CREATE INDEX usage_record_by_line ON usage_record (period, meter, subscription_key, state);
  CREATE INDEX usage_record_by_state ON usage_record (state, received_at);
  CREATE TABLE usage_aggregate (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    meter TEXT NOT NULL,
    event_name TEXT NOT NULL,
    minute INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    period TEXT NOT NULL,
    value INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL CHECK (state IN ('open', 'sealed', 'reported', 'parked')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    error_code TEXT,
    error_message TEXT,
    reported_at INTEGER,
    UNIQUE (meter, minute, seq)
  );
  CREATE INDEX usage_aggregate_by_state ON usage_aggregate (state, not_before);
  CREATE INDEX usage_aggregate_by_line ON usage_aggregate (period, meter, minute);
  CREATE TABLE usage_period (
    period TEXT NOT NULL,
    subscription_key TEXT NOT NULL,
    meter TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'summarised', 'parked')),
    quantity INTEGER,
    records INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    erp_ref TEXT,
    error_code TEXT,
    error_message TEXT,
    summarised_at INTEGER,
    PRIMARY KEY (period, subscription_key, meter)
  );
  CREATE INDEX usage_period_by_state ON usage_period (state, period);
  CREATE TABLE usage_close (period TEXT PRIMARY KEY, closed_at INTEGER NOT NULL, actor TEXT NOT NULL);
`
