/**
 * The account-changes tables of a ledger (issue 13.5; its migration after usage): the customer an
 * operator chose among ambiguous candidates, each subscription's own customers (a subscription
 * adopted from a merged Account whose customers the survivor did not take), and the merges this
 * ledger took part in, as loser or as survivor.
 */
export const ACCOUNT_CHANGES_MIGRATION = `
  CREATE TABLE customer_choice (
    system TEXT PRIMARY KEY CHECK (system IN ('billing', 'erp')),
    customer_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    chosen_at INTEGER NOT NULL
  );
  ALTER TABLE subscription ADD COLUMN billing_customer_id TEXT;
  ALTER TABLE subscription ADD COLUMN erp_customer_id TEXT;
  CREATE TABLE account_merge (
    loser_id TEXT PRIMARY KEY,
    survivor_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('handing', 'handed', 'adopted')),
    at INTEGER NOT NULL
  );
`
