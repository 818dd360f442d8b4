import type { Amendment } from '../../shared/index.ts'
import type { SyncStatus } from '../writer/records/index.ts'

/** The detail of one audit line: flat facts, JSON-encoded in the audit table. */
export type AuditDetail = Record<string, string | number | boolean | null>

export type AmendmentState = 'waiting' | 'parked' | 'applied' | 'skipped'
export type Step = 'xref' | 'billing' | 'erp' | 'status' | 'done'

export type AmendmentRow = {
  id: string
  subscription_key: string
  sequence: number
  action: string
  correlation_id: string
  payload: string
  state: AmendmentState
  step: Step
  attempts: number
  not_before: number
  received_at: number
  updated_at: number
  error_code: string | null
  error_message: string | null
  billing_ref: string | null
  erp_ref: string | null
  /** `BillingTax` as JSON: the tax on the invoice the billing step produced (migration 9). */
  billing_tax: string | null
}

export type SubscriptionRow = {
  key: string
  resolved_sequence: number
  applied_sequence: number
  billing_subscription_id: string | null
  status: string | null
  current_period_end: string | null
  currency: string | null
  /** JSON `ErpLine`: the line of the last ERP order Concord recorded for it. */
  erp_line: string | null
  /**
   * Billing's own object as its last fresh answer to the billing step showed it (opaque, the
   * connector's): the next amendment plans from it instead of reading.
   */
  billing_known: string | null
  /** Its own billing customer, when not the account's (adopted from a merged Account). */
  billing_customer_id?: string | null
  /** Its own ERP customer, when not the account's (adopted from a merged Account). */
  erp_customer_id?: string | null
  updated_at: number
}

export type XrefRow = {
  account_id: string
  billing_customer_id: string | null
  erp_customer_id: string | null
  erp_subsidiary_id: string | null
}

/** An entry of the cross-account exception index kept by the OpsRegistry. */
export interface ExceptionEntry {
  amendmentId: string
  accountId: string
  subscriptionKey: string
  sequence: number
  action: string
  state: AmendmentState
  code: string | null
  message: string | null
  correlationId: string
  updatedAt: string
  /** The saga step it stopped at or will retry. */
  step?: Step
  /** When the ledger tries again on its own (a `waiting` amendment after a transient failure). */
  nextAttemptAt?: string
  /** What prices it (amount shown as its impact), and how billing prorates it. */
  priceKey?: string
  quantity?: number
  proration?: string
  billingRef?: string
  erpRef?: string
  billingCustomerId?: string
  erpCustomerId?: string
}

/** An entry of the cross-account trace index: the keys an amendment can be found by. */
export interface TraceIndexEntry {
  correlationId: string
  amendmentId: string
  accountId: string
  /** Correlation id, amendment id (EventUuid), account id, billing and ERP ids as they appear. */
  keys: string[]
  at: string
}

const SYNC_STATUS: Record<AmendmentState, SyncStatus['status'] | undefined> = {
  waiting: undefined,
  parked: 'parked',
  applied: 'applied',
  skipped: 'superseded',
}

/**
 * The ledger's SQLite journal. Every state change goes through `transition`, which writes the
 * row, the audit line, the Salesforce status (outbox) and the exception index (outbox) with no
 * `await` between them, so they commit together or not at all.
 */
export class Journal {
  private readonly sql: SqlStorage
  readonly accountId: string

  constructor(sql: SqlStorage, accountId: string) {
    this.sql = sql
    this.accountId = accountId
  }

  get(id: string): AmendmentRow | undefined {
    return this.sql.exec<AmendmentRow>('SELECT * FROM amendment WHERE id = ?', id).toArray()[0]
  }

  bySequence(key: string, sequence: number): AmendmentRow | undefined {
    return this.sql
      .exec<AmendmentRow>(
        'SELECT * FROM amendment WHERE subscription_key = ? AND sequence = ?',
        key,
        sequence,
      )
      .toArray()[0]
  }

  amendment(row: AmendmentRow): Amendment {
    return JSON.parse(row.payload) as Amendment
  }

  subscription(key: string): SubscriptionRow {
    const found = this.sql
      .exec<SubscriptionRow>('SELECT * FROM subscription WHERE key = ?', key)
      .toArray()[0]
    if (found) return found
    const now = Date.now()
    this.sql.exec('INSERT INTO subscription (key, updated_at) VALUES (?, ?)', key, now)
    return {
      key,
      resolved_sequence: 0,
      applied_sequence: 0,
      billing_subscription_id: null,
      status: null,
      current_period_end: null,
      currency: null,
      erp_line: null,
      billing_known: null,
      updated_at: now,
    }
  }

  /** The highest sequence of the subscription whose billing step is done (0: none billed). */
  billedSequence(key: string): number {
    const row = this.sql
      .exec<{ s: number | null }>(
        "SELECT MAX(sequence) AS s FROM amendment WHERE subscription_key = ? AND step IN ('erp', 'status', 'done')",
        key,
      )
      .toArray()[0]
    return row?.s ?? 0
  }

  /** Whether the audit holds `action` for the amendment (a step's one-time check, for example). */
  hasAudit(id: string, action: string): boolean {
    return (
      this.sql
        .exec('SELECT 1 FROM audit WHERE amendment_id = ? AND action = ? LIMIT 1', id, action)
        .toArray().length > 0
    )
  }

  /** Whether an operator request (by its id) already acted on the amendment. */
  actedOnRequest(id: string, requestId: string): boolean {
    return (
      this.sql
        .exec(
          "SELECT 1 FROM audit WHERE amendment_id = ? AND json_extract(detail, '$.requestId') = ? LIMIT 1",
          id,
          requestId,
        )
        .toArray().length > 0
    )
  }

  updateSubscription(key: string, fields: Partial<Omit<SubscriptionRow, 'key'>>): void {
    this.subscription(key)
    const entries = Object.entries({ ...fields, updated_at: Date.now() })
    const sets = entries.map(([k]) => `${k} = ?`).join(', ')
    this.sql.exec(
      `UPDATE subscription SET ${sets} WHERE key = ?`,
      ...entries.map(([, v]) => v ?? null),
      key,
    )
  }

  xref(): XrefRow {
    const row = this.sql
      .exec<XrefRow>('SELECT * FROM xref WHERE account_id = ?', this.accountId)
      .toArray()[0]
    return (
      row ?? {
        account_id: this.accountId,
        billing_customer_id: null,
        erp_customer_id: null,
        erp_subsidiary_id: null,
      }
    )
  }

  /** The customer an operator chose for `system` among ambiguous candidates, if any. */
  chosenCustomer(system: 'billing' | 'erp'): string | undefined {
    return this.sql
      .exec<{ id: string }>(
        'SELECT customer_id AS id FROM customer_choice WHERE system = ?',
        system,
      )
      .toArray()[0]?.id
  }

  /** The ERP external id new customers get after a re-parenting (`account-changes/legal-entity.ts`). */
  erpExternalId(): string | undefined {
    return this.meta('erp_external_id')
  }

  /**
   * The Accounts merged into this one (the losers this ledger adopted, chains included), in the
   * order adopted: find-before-create looks for their customers too (`account-changes/merge.ts`).
   */
  mergedAccounts(): string[] {
    return this.sql
      .exec<{ loser_id: string }>(
        "SELECT loser_id FROM account_merge WHERE state = 'adopted' ORDER BY at, loser_id",
      )
      .toArray()
      .map((r) => r.loser_id)
  }

  /** Notes the subsidiary the account's first ERP customer (the plain external id) is made in. */
  noteHomeSubsidiary(subsidiaryId: string): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO meta (key, value) VALUES ('erp_home_subsidiary', ?)",
      subsidiaryId,
    )
  }

  /** The legal entity the last re-parenting reported, if any ('' for none). */
  reportedLegalEntity(): string | undefined {
    return this.meta('erp_external_id_entity')
  }

  private meta(key: string): string | undefined {
    return this.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)
      .toArray()[0]?.value
  }

  /** The billing and ERP customers a subscription's steps use: its own, else the account's. */
  customersOf(key: string): { billing: string | null; erp: string | null } {
    const sub = this.subscription(key)
    const x = this.xref()
    return {
      billing: sub.billing_customer_id ?? x.billing_customer_id,
      erp: sub.erp_customer_id ?? x.erp_customer_id,
    }
  }

  saveXref(fields: Partial<Omit<XrefRow, 'account_id'>>): void {
    const next = { ...this.xref(), ...fields }
    this.sql.exec(
      `INSERT INTO xref (account_id, billing_customer_id, erp_customer_id, erp_subsidiary_id, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET billing_customer_id = excluded.billing_customer_id,
         erp_customer_id = excluded.erp_customer_id, erp_subsidiary_id = excluded.erp_subsidiary_id, updated_at = excluded.updated_at`,
      this.accountId,
      next.billing_customer_id,
      next.erp_customer_id,
      next.erp_subsidiary_id,
      Date.now(),
    )
  }

  /** Appends a new amendment as `waiting`, or `parked` with `parkCode` when it can't run as is. */
  insert(a: Amendment, park?: { code: string; message: string }): AmendmentRow {
    const now = Date.now()
    this.sql.exec(
      `INSERT INTO amendment (id, subscription_key, sequence, action, correlation_id, payload, state, received_at, updated_at, error_code, error_message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      a.id,
      a.subscriptionKey,
      a.sequence,
      a.action,
      a.correlationId,
      JSON.stringify(a),
      park ? 'parked' : 'waiting',
      now,
      now,
      park?.code ?? null,
      park?.message ?? null,
    )
    const row = this.get(a.id) as AmendmentRow
    this.audit({
      actor: 'salesforce',
      action: 'received',
      row,
      to: row.state,
      detail: park ? { code: park.code } : undefined,
    })
    this.queueStatus(row, park ? 'parked' : 'received')
    if (park) this.queueIndex(row)
    this.queueTraceKeys(row)
    return row
  }

  /** Moves an amendment to a new state/step and records everything that follows from it. */
  /** Keeps the tax billing computed for the amendment, for its ERP step (checkpointed with it). */
  setBillingTax(id: string, tax: string): void {
    this.sql.exec('UPDATE amendment SET billing_tax = ? WHERE id = ?', tax, id)
  }

  transition(
    row: AmendmentRow,
    to: {
      state?: AmendmentState
      step?: Step
      code?: string | null
      message?: string | null
      attempts?: number
      notBefore?: number
      billingRef?: string
      erpRef?: string
      /** What Salesforce sees when the state changes, if not the state's usual status. */
      syncStatus?: SyncStatus['status']
    },
    audit: { actor: string; action: string; detail?: AuditDetail },
  ): AmendmentRow {
    const state = to.state ?? row.state
    this.sql.exec(
      `UPDATE amendment SET state = ?, step = ?, error_code = ?, error_message = ?, attempts = ?, not_before = ?,
         billing_ref = ?, erp_ref = ?, updated_at = ? WHERE id = ?`,
      state,
      to.step ?? row.step,
      to.code === undefined ? row.error_code : to.code,
      to.message === undefined ? row.error_message : to.message,
      to.attempts ?? row.attempts,
      to.notBefore ?? row.not_before,
      to.billingRef ?? row.billing_ref,
      to.erpRef ?? row.erp_ref,
      Date.now(),
      row.id,
    )
    const next = this.get(row.id) as AmendmentRow
    this.audit({
      actor: audit.actor,
      action: audit.action,
      row: next,
      from: row.state,
      to: state,
      detail: audit.detail,
    })
    const status = to.syncStatus ?? SYNC_STATUS[state]
    if (status && state !== row.state) this.queueStatus(next, status)
    if (inExceptionQueue(row) || inExceptionQueue(next)) this.queueIndex(next)
    // New ids to find it by: the customers (cross-references done), the billing or ERP record.
    if (to.billingRef || to.erpRef || (row.step === 'xref' && next.step !== 'xref'))
      this.queueTraceKeys(next)
    return next
  }

  /** Queues the keys the trace index finds this amendment by (the latest entry per amendment wins). */
  private queueTraceKeys(row: AmendmentRow): void {
    const x = this.xref()
    // An ERP ref reads `salesOrder:<internal id>`; people search by the internal id alone.
    const erpId = row.erp_ref?.split(':')[1] ?? null
    const keys = [row.correlation_id, row.id, this.accountId, row.billing_ref, row.erp_ref, erpId]
      .concat([x.billing_customer_id, x.erp_customer_id])
      .filter((k): k is string => typeof k === 'string' && k.length > 0)
    const entry: TraceIndexEntry = {
      correlationId: row.correlation_id,
      amendmentId: row.id,
      accountId: this.accountId,
      keys: [...new Set(keys)],
      at: new Date(row.received_at).toISOString(),
    }
    this.sql.exec(
      'INSERT OR REPLACE INTO trace_outbox (amendment_id, entry) VALUES (?, ?)',
      row.id,
      JSON.stringify(entry),
    )
  }

  audit(e: {
    actor: string
    action: string
    row?: AmendmentRow
    from?: string
    to?: string
    detail?: AuditDetail
  }): void {
    this.sql.exec(
      'INSERT INTO audit (at, actor, action, amendment_id, correlation_id, from_state, to_state, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      new Date().toISOString(),
      e.actor,
      e.action,
      e.row?.id ?? null,
      e.row?.correlation_id ?? null,
      e.from ?? null,
      e.to ?? null,
      e.detail ? JSON.stringify(e.detail) : null,
    )
  }

  /** Latest status per amendment wins: Salesforce only needs where it is now. */
  queueStatus(row: AmendmentRow, status: SyncStatus['status']): void {
    const sync: SyncStatus = {
      amendmentId: row.id,
      accountId: this.accountId,
      subscriptionKey: row.subscription_key,
      sequence: row.sequence,
      action: row.action,
      status,
      errorCode: row.error_code ?? undefined,
      errorMessage: row.error_message ?? undefined,
      correlationId: row.correlation_id,
      billingRef: row.billing_ref ?? undefined,
      erpRef: row.erp_ref ?? undefined,
      updatedAt: new Date().toISOString(),
    }
    this.sql.exec(
      `INSERT INTO status_outbox (amendment_id, status, attempts, not_before, dead_reason) VALUES (?, ?, 0, 0, NULL)
       ON CONFLICT (amendment_id) DO UPDATE SET status = excluded.status, attempts = 0, not_before = 0, dead_reason = NULL`,
      row.id,
      JSON.stringify(sync),
    )
  }

  /** Queues the exception index's entry for this amendment (the latest entry wins). */
  queueIndex(row: AmendmentRow): void {
    const a = JSON.parse(row.payload) as Amendment
    const x = this.xref()
    const retrying = row.state === 'waiting' && row.error_code !== null
    const entry: ExceptionEntry = {
      amendmentId: row.id,
      accountId: this.accountId,
      subscriptionKey: row.subscription_key,
      sequence: row.sequence,
      action: row.action,
      state: row.state,
      code: row.error_code,
      message: row.error_message,
      correlationId: row.correlation_id,
      updatedAt: new Date(row.updated_at).toISOString(),
      step: row.step,
      nextAttemptAt: retrying ? new Date(row.not_before).toISOString() : undefined,
      priceKey: a.priceKey,
      quantity: a.quantity,
      proration: a.proration,
      billingRef: row.billing_ref ?? undefined,
      erpRef: row.erp_ref ?? undefined,
      billingCustomerId: x.billing_customer_id ?? undefined,
      erpCustomerId: x.erp_customer_id ?? undefined,
    }
    this.sql.exec(
      'INSERT OR REPLACE INTO index_outbox (amendment_id, entry) VALUES (?, ?)',
      row.id,
      JSON.stringify(entry),
    )
  }
}

/** Parked, or waiting on a retry the policy scheduled: what the exception queue lists. */
function inExceptionQueue(row: AmendmentRow): boolean {
  return row.state === 'parked' || (row.state === 'waiting' && row.error_code !== null)
}
