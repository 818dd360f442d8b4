import type { SyncStatus } from '../../writer/records/index.ts'
import { FinanceBook } from '../finance-book.ts'
import type { AmendmentRow, Journal, SubscriptionRow, XrefRow } from '../journal.ts'
import { requestMirrorRepair } from '../subscription-mirror.ts'

/*
 * Salesforce Account merges (issue 13.5). The loser's ledger stops running amendments, hands its
 * open amendments, subscriptions and customers to the survivor's ledger (which adopts them, once,
 * whatever repeats), and from then on forwards whatever names the loser to the survivor.
 *
 * The customer rule: the survivor keeps its own customers; where it has none, it takes the
 * loser's, so no second billing or ERP customer is ever made. Where both have one, each
 * subscription stays on the customer it was billed under (moving a live Stripe subscription to
 * another customer is not possible), and the survivor's ledger knows both: the loser's customers
 * are kept on each adopted subscription and as the loser's cross-reference row.
 */

/** Everything the survivor needs to carry on the loser's work, as the loser's ledger held it. */
export interface MergeHandoff {
  loserId: string
  survivorId: string
  eventId: string
  xref: XrefRow
  subscriptions: SubscriptionRow[]
  /** Open (waiting or parked) amendments, with their step, attempts and references. */
  amendments: AmendmentRow[]
  /**
   * Accounts merged into the loser before (A into B, then B into C): their amendments, still
   * naming them, are welcome at the survivor too.
   */
  adopted?: string[]
}

export type AdoptResult =
  { status: 'adopted'; amendments: number } | { status: 'refused'; message: string }

type MergeRow = { loser_id: string; survivor_id: string; event_id: string; state: string }

/** This account's own merge into another, if Salesforce merged it away. */
export function mergedInto(sql: SqlStorage, accountId: string): MergeRow | undefined {
  return sql
    .exec<MergeRow>(
      "SELECT * FROM account_merge WHERE loser_id = ? AND state IN ('handing', 'handed')",
      accountId,
    )
    .toArray()[0]
}

/** Whether this ledger adopted `accountId` in a merge (its amendments are welcome here). */
export function adopted(sql: SqlStorage, accountId: string): boolean {
  return (
    sql
      .exec("SELECT 1 FROM account_merge WHERE loser_id = ? AND state = 'adopted'", accountId)
      .toArray().length > 0
  )
}

/**
 * Records that Salesforce merged this account (the loser) into `survivorId`: from now on the
 * pump hands over instead of running amendments. Once per merge event.
 */
export function recordMerge(
  journal: Journal,
  sql: SqlStorage,
  merge: { eventId: string; survivorId: string },
): 'queued' | 'duplicate' {
  if (mergedInto(sql, journal.accountId)) return 'duplicate'
  sql.exec(
    "INSERT INTO account_merge (loser_id, survivor_id, event_id, state, at) VALUES (?, ?, ?, 'handing', ?)",
    journal.accountId,
    merge.survivorId,
    merge.eventId,
    Date.now(),
  )
  journal.audit({
    actor: 'salesforce',
    action: 'account_merged',
    detail: { survivor: merge.survivorId, eventId: merge.eventId },
  })
  return 'queued'
}

const openRows = (sql: SqlStorage) =>
  sql
    .exec<AmendmentRow>(
      "SELECT * FROM amendment WHERE state IN ('waiting', 'parked') ORDER BY subscription_key, sequence",
    )
    .toArray()

/** What the loser hands over now: its customers, subscriptions and open amendments. */
export function handoffOf(sql: SqlStorage, journal: Journal, merge: MergeRow): MergeHandoff {
  return {
    loserId: journal.accountId,
    survivorId: merge.survivor_id,
    eventId: merge.event_id,
    xref: journal.xref(),
    subscriptions: sql.exec<SubscriptionRow>('SELECT * FROM subscription').toArray(),
    amendments: openRows(sql),
    adopted: journal.mergedAccounts(),
  }
}

/**
 * The survivor adopted `handoff`: the loser's copies of the amendments close (`skipped`, code
 * `merged`) without a status of their own, since the survivor now reports them, and the loser
 * stops re-reading subscriptions whose mirrors the survivor now writes. The merge is done once
 * nothing arrived meanwhile; what did goes over in the next hand-over.
 */
export function handedOver(sql: SqlStorage, journal: Journal, handoff: MergeHandoff): boolean {
  for (const row of handoff.amendments) {
    sql.exec(
      "UPDATE amendment SET state = 'skipped', error_code = 'merged', error_message = ?, updated_at = ? WHERE id = ? AND state IN ('waiting', 'parked')",
      `Moved to the ledger of ${handoff.survivorId}, the Account it was merged into.`,
      Date.now(),
      row.id,
    )
    sql.exec('DELETE FROM status_outbox WHERE amendment_id = ?', row.id)
    sql.exec('DELETE FROM index_outbox WHERE amendment_id = ?', row.id)
    journal.audit({
      actor: 'concord',
      action: 'handed_over',
      row,
      detail: { to: handoff.survivorId },
    })
  }
  sql.exec("DELETE FROM refresh WHERE kind = 'subscription'")
  if (openRows(sql).length > 0) return false
  sql.exec("UPDATE account_merge SET state = 'handed' WHERE loser_id = ?", journal.accountId)
  return true
}

/** The Salesforce status an adopted amendment shows, from where it stands. */
function statusOf(row: AmendmentRow): SyncStatus['status'] {
  if (row.state === 'parked') return 'parked'
  if (row.step === 'erp') return 'billed'
  if (row.step === 'status') return 'posted'
  return 'received'
}

/**
 * The survivor's side: takes the loser's customers where it has none, its subscriptions (each
 * keeping the loser's customer where the survivor kept its own) and its open amendments as they
 * stood, so each resumes at its step under its own idempotency keys and applies exactly once.
 * Safe to repeat: what is here already is left as it is.
 */
export function adoptHandoff(sql: SqlStorage, journal: Journal, h: MergeHandoff): AdoptResult {
  if (h.loserId === journal.accountId)
    return { status: 'refused', message: 'An Account cannot be merged into itself.' }
  for (const loser of [h.loserId, ...(h.adopted ?? [])])
    sql.exec(
      "INSERT OR IGNORE INTO account_merge (loser_id, survivor_id, event_id, state, at) VALUES (?, ?, ?, 'adopted', ?)",
      loser,
      journal.accountId,
      h.eventId,
      Date.now(),
    )
  const own = journal.xref()
  const take = {
    billing_customer_id: own.billing_customer_id ?? h.xref.billing_customer_id,
    erp_customer_id: own.erp_customer_id ?? h.xref.erp_customer_id,
    erp_subsidiary_id: own.erp_customer_id ? own.erp_subsidiary_id : h.xref.erp_subsidiary_id,
  }
  journal.saveXref(take)
  keepLoserXref(sql, h.xref)
  const kept = {
    billing:
      h.xref.billing_customer_id !== take.billing_customer_id ? h.xref.billing_customer_id : null,
    erp: h.xref.erp_customer_id !== take.erp_customer_id ? h.xref.erp_customer_id : null,
  }
  for (const sub of h.subscriptions) adoptSubscription(sql, journal, sub, kept)
  let adoptedRows = 0
  for (const row of h.amendments) if (adoptAmendment(sql, journal, row, h.loserId)) adoptedRows++
  journal.audit({
    actor: 'concord',
    action: 'account_adopted',
    detail: { loser: h.loserId, amendments: adoptedRows, subscriptions: h.subscriptions.length },
  })
  return { status: 'adopted', amendments: adoptedRows }
}

/** The loser's customers stay known here, under the loser's id. */
function keepLoserXref(sql: SqlStorage, x: XrefRow): void {
  sql.exec(
    `INSERT OR IGNORE INTO xref (account_id, billing_customer_id, erp_customer_id, erp_subsidiary_id, updated_at)
     VALUES (?, ?, ?, ?, ?)`,
    x.account_id,
    x.billing_customer_id,
    x.erp_customer_id,
    x.erp_subsidiary_id,
    Date.now(),
  )
}

function adoptSubscription(
  sql: SqlStorage,
  journal: Journal,
  sub: SubscriptionRow,
  kept: { billing: string | null; erp: string | null },
): void {
  const here = sql
    .exec<SubscriptionRow>('SELECT * FROM subscription WHERE key = ?', sub.key)
    .toArray()[0]
  // An amendment naming the survivor may have arrived first and opened the row: positions are
  // the loser's (its history), references fill in what is missing.
  journal.updateSubscription(sub.key, {
    resolved_sequence: Math.max(sub.resolved_sequence, here?.resolved_sequence ?? 0),
    applied_sequence: Math.max(sub.applied_sequence, here?.applied_sequence ?? 0),
    billing_subscription_id: here?.billing_subscription_id ?? sub.billing_subscription_id,
    status: here?.status ?? sub.status,
    current_period_end: here?.current_period_end ?? sub.current_period_end,
    currency: here?.currency ?? sub.currency,
    erp_line: here?.erp_line ?? sub.erp_line,
    billing_customer_id: sub.billing_customer_id ?? kept.billing,
    erp_customer_id: sub.erp_customer_id ?? kept.erp,
  })
  if (sub.billing_subscription_id) {
    // The mirror is written again under the survivor's Account: the one sanctioned move.
    requestMirrorRepair(sql, sub.billing_subscription_id)
    new FinanceBook(sql, journal.accountId).requestRefresh(
      'subscription',
      sub.billing_subscription_id,
    )
  }
}

function adoptAmendment(
  sql: SqlStorage,
  journal: Journal,
  row: AmendmentRow,
  from: string,
): boolean {
  if (journal.get(row.id)) return false
  sql.exec(
    `INSERT OR IGNORE INTO amendment (id, subscription_key, sequence, action, correlation_id, payload, state, step, attempts,
       not_before, received_at, updated_at, error_code, error_message, billing_ref, erp_ref, billing_tax)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    row.subscription_key,
    row.sequence,
    row.action,
    row.correlation_id,
    row.payload,
    row.state,
    row.step,
    row.attempts,
    row.not_before,
    row.received_at,
    Date.now(),
    row.error_code,
    row.error_message,
    row.billing_ref,
    row.erp_ref,
    // The ERP step writes the tax the billing step computed: it must not be lost on the way.
    row.billing_tax,
  )
  const here = journal.get(row.id)
  // Its sequence is taken here by another event: kept by the loser's audit, refused here.
  if (!here) return false
  journal.audit({ actor: 'concord', action: 'adopted', row: here, detail: { from } })
  journal.queueStatus(here, statusOf(here))
  if (here.state === 'parked' || here.error_code !== null) journal.queueIndex(here)
  return true
}
