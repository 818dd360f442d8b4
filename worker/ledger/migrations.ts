import { ACCOUNT_CHANGES_MIGRATION } from './account-changes/schema.ts'
import { USAGE_MIGRATION } from './usage/schema.ts'
import { ACTIVATION_MIGRATION } from './activation.ts'

/**
 * The ledger's schema, as numbered, append-only migrations: never edit a shipped one, add the
 * next. They run in `blockConcurrencyWhile` when the object starts.
 */
export const LEDGER_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE amendment (
    id TEXT PRIMARY KEY,
    subscription_key TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    action TEXT NOT NULL,
    correlation_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'parked', 'applied', 'skipped')),
    step TEXT NOT NULL DEFAULT 'xref' CHECK (step IN ('xref', 'billing', 'erp', 'status', 'done')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    received_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    error_code TEXT,
    error_message TEXT,
    billing_ref TEXT,
    erp_ref TEXT,
    UNIQUE (subscription_key, sequence)
  );
  CREATE INDEX amendment_by_state ON amendment (state, subscription_key, sequence);
  CREATE TABLE subscription (
    key TEXT PRIMARY KEY,
    resolved_sequence INTEGER NOT NULL DEFAULT 0,
    applied_sequence INTEGER NOT NULL DEFAULT 0,
    billing_subscription_id TEXT,
    status TEXT,
    current_period_end TEXT,
    currency TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE xref (
    account_id TEXT PRIMARY KEY,
    billing_customer_id TEXT,
    erp_customer_id TEXT,
    erp_subsidiary_id TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE status_outbox (
    amendment_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    dead_reason TEXT
  );
  CREATE TABLE index_outbox (amendment_id TEXT PRIMARY KEY, entry TEXT NOT NULL);
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    amendment_id TEXT,
    correlation_id TEXT,
    from_state TEXT,
    to_state TEXT,
    detail TEXT
  );
  CREATE INDEX audit_by_amendment ON audit (amendment_id, id);
  `,
  /* 2: financial documents from billing and the ERP, and what goes back to Salesforce */ `
  CREATE TABLE billing_event (id TEXT PRIMARY KEY, type TEXT NOT NULL, created INTEGER NOT NULL, received_at INTEGER NOT NULL);
  CREATE TABLE refresh (
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    PRIMARY KEY (kind, object_id)
  );
  CREATE TABLE fin_doc (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    status TEXT NOT NULL,
    source_updated_at TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (kind, id)
  );
  CREATE TABLE erp_facts (id INTEGER PRIMARY KEY CHECK (id = 1), facts TEXT NOT NULL, as_of TEXT NOT NULL);
  CREATE TABLE standing (id INTEGER PRIMARY KEY CHECK (id = 1), doc TEXT NOT NULL, fingerprint TEXT NOT NULL);
  CREATE TABLE sf_outbox (object TEXT NOT NULL, external_id TEXT NOT NULL, record TEXT NOT NULL, PRIMARY KEY (object, external_id));
  `,
  /* 3: subscription mirrors made whole by the ledger; re-read generations; when a document was read */ `
  CREATE TABLE subscription_mirror (
    external_id TEXT PRIMARY KEY,
    by_key INTEGER NOT NULL,
    subscription TEXT,
    version INTEGER NOT NULL
  );
  ALTER TABLE refresh ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE fin_doc ADD COLUMN read_at INTEGER NOT NULL DEFAULT 0;
  `,
  /* 4: the line of the subscription's last ERP order (item, quantity, rate as JSON), so the next
        order of a quantity change or cancel needs no NetSuite read */ `
  ALTER TABLE subscription ADD COLUMN erp_line TEXT;
  `,
  /* 5: the trace view: vendor calls per correlation id (bounded), what went back to Salesforce,
        and the keys the cross-account trace index finds an amendment by */ `
  CREATE TABLE vendor_call (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    correlation_id TEXT NOT NULL,
    amendment_id TEXT NOT NULL,
    step TEXT NOT NULL,
    system TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER NOT NULL,
    idempotency_key TEXT,
    duration_ms INTEGER NOT NULL
  );
  CREATE INDEX vendor_call_by_correlation ON vendor_call (correlation_id, id);
  CREATE INDEX vendor_call_by_time ON vendor_call (at);
  CREATE TABLE written_back (
    amendment_id TEXT NOT NULL,
    object TEXT NOT NULL,
    external_id TEXT NOT NULL,
    status TEXT NOT NULL,
    handed_at INTEGER NOT NULL,
    PRIMARY KEY (amendment_id, object)
  );
  CREATE TABLE trace_outbox (amendment_id TEXT PRIMARY KEY, entry TEXT NOT NULL);
  `,
  /* 6: mirrors the drift reconciler found changed in Salesforce: the next read of the subscription
        writes its mirror again even when billing did not change */ `
  CREATE TABLE mirror_repair (subscription_id TEXT PRIMARY KEY, requested_at INTEGER NOT NULL);
  `,
  /* 7: credit notes and refunds approved for this account, run by the pump step by step */ `
  CREATE TABLE money_action (
    request_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    request TEXT NOT NULL,
    diff TEXT NOT NULL,
    step TEXT NOT NULL,
    billing_ref TEXT,
    erp_memo_ref TEXT,
    erp_refund_ref TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX money_action_due ON money_action (step, not_before);
  `,
  /* 8: usage records, their aggregates (meter events) and period summaries */ USAGE_MIGRATION,
  /* 9: a re-read billing refused for good is kept (and shown in the work queue), not dropped */ `
  ALTER TABLE refresh ADD COLUMN refused_at INTEGER;
  `,
  /* 10: billing's last fresh answer about each subscription, so the next amendment plans from it
        instead of a read */ `
  ALTER TABLE subscription ADD COLUMN billing_known TEXT;
  `,
  /* 11: ERP orders the drift reconciler found missing in NetSuite, re-run by the pump once each */ `
  CREATE TABLE erp_rerun (
    amendment_id TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    ref TEXT,
    error TEXT,
    requested_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  /* 12: the tax billing computed on the invoice an amendment produced (JSON), for its ERP order */ `
  ALTER TABLE amendment ADD COLUMN billing_tax TEXT;
  `,
  /* 13: each credit note's Salesforce record version (strictly increasing per note) */ `
  CREATE TABLE credit_note_mirror (id TEXT PRIMARY KEY, version INTEGER NOT NULL);
  `,
  /* 14: activation: each subscription's rule, when it held, and its delivery outbox */ ACTIVATION_MIGRATION,
  /* 15: account changes: chosen customers, per-subscription customers, merges */ ACCOUNT_CHANGES_MIGRATION,
]
