import type { CreditNote, FinancialStanding, Invoice, Payment } from '../../shared/index.ts'
import { computeStanding, type ErpFacts } from '../finance/standing.ts'
import { invoiceRecord, paymentRecord, standingRecord } from '../writer/records/index.ts'
import type { BillingEventRef, DocKind, RefreshKind } from '../webhooks/stripe-events.ts'
import type { WriteRecord } from '../writer/types.ts'
import type { ExceptionEntry } from './journal.ts'

/** The work-queue action (and id prefix) of a re-read billing refused for good. */
export const BILLING_READ = 'billing_read'
import { queueCreditNote } from './credit-note-mirror.ts'

/**
 * Status order per document kind. A document only moves forward: an event (or a fetch) that
 * would move it back, or is older than what is held, changes nothing. `paid` and `void` are
 * final; an uncollectible invoice can still be paid or voided (Stripe allows both). Within one
 * status, the document's own time (whole seconds: many changes share one) and then when it was
 * read decide, so an earlier read (a backfill page) never undoes a later one.
 */
const RANK: Record<DocKind, Record<string, number>> = {
  invoice: { draft: 0, open: 1, uncollectible: 2, paid: 3, void: 3 },
  payment: { failed: 1, succeeded: 1, partially_refunded: 2, refunded: 3 },
  credit_note: { issued: 1, void: 2 },
}

type Doc = Invoice | Payment | CreditNote

/** A document as the ledger holds it, in brief (the drift reconciler's compare). */
export interface HeldDocument {
  status: string
  sourceUpdatedAt: string
}

/**
 * How long the pump waits after a billing event before it re-reads: Stripe sends several events
 * for one object within milliseconds (an invoice paid: `invoice.updated`, `invoice.paid`,
 * `invoice.payment_succeeded`, `invoice_payment.paid`, `charge.succeeded`), and the events that
 * land in this window cost one read of each object, not one each.
 */
export const BILLING_COALESCE_MS = 250

/**
 * How long the invoice an amendment's billing change produced waits for its webhooks before the
 * ledger reads it itself. Stripe's events normally come within a second or two, and then their
 * read is the only one; but they queue behind every other event to the endpoint (a renewal wave,
 * a catch-up after downtime) and come minutes late, and the invoice Concord itself caused would
 * wait as long to reach Salesforce.
 */
export const INVOICE_READ_FALLBACK_MS = 10_000

/** A re-read that is due: `generation` tells a request made while it ran from the one it serves. */
export type DueRefresh = {
  kind: RefreshKind
  object_id: string
  attempts: number
  generation: number
}

/**
 * The account's financial documents as the ledger holds them, merged order-proof, and the
 * Salesforce records their changes produce (an outbox the pump hands to the OrgWriter).
 */
export class FinanceBook {
  private readonly sql: SqlStorage
  private readonly accountId: string

  constructor(sql: SqlStorage, accountId: string) {
    this.sql = sql
    this.accountId = accountId
  }

  /** Dedupes by event id and queues re-reads; re-reads of one object coalesce. */
  recordEvents(events: BillingEventRef[]): Array<'queued' | 'duplicate'> {
    const now = Date.now()
    return events.map((e) => {
      // One statement dedupes and records: a known id writes nothing.
      const recorded = this.sql.exec(
        'INSERT OR IGNORE INTO billing_event (id, type, created, received_at) VALUES (?, ?, ?, ?)',
        e.id,
        e.type,
        e.created,
        now,
      ).rowsWritten
      if (recorded === 0) return 'duplicate'
      for (const r of e.refresh) this.requestRefresh(r.kind, r.id)
      return 'queued'
    })
  }

  /**
   * Asks for a re-read. One asked for again while its read is under way gets a new generation,
   * so finishing that read does not drop it: the object may have changed after it was read.
   */
  requestRefresh(kind: RefreshKind, id: string): void {
    const refused =
      this.sql
        .exec(
          'SELECT 1 FROM refresh WHERE kind = ? AND object_id = ? AND refused_at IS NOT NULL',
          kind,
          id,
        )
        .toArray().length > 0
    this.sql.exec(
      `INSERT INTO refresh (kind, object_id, requested_at) VALUES (?, ?, ?)
       ON CONFLICT (kind, object_id) DO UPDATE SET not_before = 0, attempts = 0, generation = generation + 1, refused_at = NULL`,
      kind,
      id,
      Date.now(),
    )
    // Asked for again (a later event, a backfill): it leaves the work queue and is read again.
    if (refused)
      this.queueRefusal(kind, id, 'applied', 'refresh_requested_again', 'Asked for again.')
  }

  /**
   * Asks for a read at `at` (ms) of a document the ledger expects to exist, unless it holds it
   * already or a read of it is asked for (a webhook's, due sooner: it serves both). A webhook
   * that names it before `at` makes its read due at once, and that one read serves both.
   */
  expectRefresh(kind: DocKind, id: string, at: number): void {
    if (this.get(kind, id)) return
    this.sql.exec(
      `INSERT INTO refresh (kind, object_id, requested_at, not_before) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, object_id) DO NOTHING`,
      kind,
      id,
      Date.now(),
      at,
    )
  }

  /**
   * Billing refused the read for good (the object is gone, or another customer's): the request is
   * kept, out of the queue of reads, and shown in the exception work queue until it is asked for
   * again. A request made while the read was under way (a newer generation) stays a live one.
   */
  refreshRefused(due: DueRefresh, code: string, message: string): void {
    const kept = this.sql.exec(
      'UPDATE refresh SET refused_at = ?, last_error = ? WHERE kind = ? AND object_id = ? AND generation = ?',
      Date.now(),
      `${code}: ${message}`,
      due.kind,
      due.object_id,
      due.generation,
    ).rowsWritten
    if (kept > 0) this.queueRefusal(due.kind, due.object_id, 'parked', code, message)
  }

  /** The work queue's entry for a refused read (`ops/work-items.ts` `billingReadItem`). */
  private queueRefusal(
    kind: RefreshKind,
    id: string,
    state: 'parked' | 'applied',
    code: string,
    message: string,
  ): void {
    const entry: ExceptionEntry = {
      amendmentId: `${BILLING_READ}:${kind}:${id}`,
      accountId: this.accountId,
      subscriptionKey: id,
      sequence: 0,
      action: BILLING_READ,
      state,
      code,
      message,
      correlationId: '',
      updatedAt: new Date().toISOString(),
    }
    this.sql.exec(
      'INSERT OR REPLACE INTO index_outbox (amendment_id, entry) VALUES (?, ?)',
      entry.amendmentId,
      JSON.stringify(entry),
    )
  }

  dueRefreshes(now: number, limit: number): DueRefresh[] {
    return this.sql
      .exec<DueRefresh>(
        'SELECT kind, object_id, attempts, generation FROM refresh WHERE not_before <= ? AND refused_at IS NULL ORDER BY requested_at LIMIT ?',
        now,
        limit,
      )
      .toArray()
  }

  /** Done with the read of `due`; a request made since it was taken stays. */
  refreshDone(due: DueRefresh): void {
    this.sql.exec(
      'DELETE FROM refresh WHERE kind = ? AND object_id = ? AND generation = ?',
      due.kind,
      due.object_id,
      due.generation,
    )
  }

  refreshLater(kind: RefreshKind, id: string, notBefore: number, error: string): void {
    this.sql.exec(
      'UPDATE refresh SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE kind = ? AND object_id = ?',
      notBefore,
      error,
      kind,
      id,
    )
  }

  nextRefreshAt(): number | undefined {
    return (
      this.sql
        .exec<{ t: number | null }>(
          'SELECT MIN(not_before) AS t FROM refresh WHERE refused_at IS NULL',
        )
        .one().t ?? undefined
    )
  }

  get(kind: DocKind, id: string): Doc | undefined {
    const row = this.sql
      .exec<{ doc: string }>('SELECT doc FROM fin_doc WHERE kind = ? AND id = ?', kind, id)
      .toArray()[0]
    return row ? (JSON.parse(row.doc) as Doc) : undefined
  }

  /**
   * Merges a read made at `readAt` (ms; a fresh one by default); true when it changed what the
   * ledger holds.
   */
  merge(kind: DocKind, incoming: Doc, readAt = Date.now()): boolean {
    let doc = incoming
    const previous =
      kind === 'payment' ? (this.get(kind, doc.id) as Payment | undefined) : undefined
    // A charge read on its own doesn't name its invoice; keep the link an earlier read found.
    if (previous?.invoiceId && !(doc as Payment).invoiceId)
      doc = { ...(doc as Payment), invoiceId: previous.invoiceId }
    const held = this.sql
      .exec<{ status: string; source_updated_at: string; doc: string; read_at: number }>(
        'SELECT status, source_updated_at, doc, read_at FROM fin_doc WHERE kind = ? AND id = ?',
        kind,
        doc.id,
      )
      .toArray()[0]
    if (held) {
      const before = RANK[kind][held.status] ?? 0
      const after = RANK[kind][doc.status] ?? 0
      if (after < before) return false
      const age = Date.parse(doc.sourceUpdatedAt) - Date.parse(held.source_updated_at)
      if (after === before && (age < 0 || (age === 0 && readAt < held.read_at))) return false
      if (held.doc === JSON.stringify(doc)) return false
    }
    this.sql.exec(
      'INSERT OR REPLACE INTO fin_doc (kind, id, status, source_updated_at, doc, read_at) VALUES (?, ?, ?, ?, ?, ?)',
      kind,
      doc.id,
      doc.status,
      doc.sourceUpdatedAt,
      JSON.stringify(doc),
      readAt,
    )
    if (kind === 'invoice') this.queueRecord(invoiceRecord(doc as Invoice))
    if (kind === 'payment') this.queueRecord(paymentRecord(doc as Payment))
    if (kind === 'credit_note') this.creditNoteChanged(doc.id)
    return true
  }

  /**
   * The drift reconciler found this document's Salesforce record unlike billing: the record is
   * queued again from what the ledger holds, and the document re-read, so the pump writes it once
   * (a newer read replaces the queued record before the flush). Nothing held: only the re-read.
   */
  repairDocument(kind: 'invoice' | 'payment', id: string): void {
    const held = this.get(kind, id)
    if (held && kind === 'invoice') this.queueRecord(invoiceRecord(held as Invoice))
    if (held && kind === 'payment') this.queueRecord(paymentRecord(held as Payment))
    this.requestRefresh(kind, id)
  }

  /** What the ledger holds of these documents: status and billing's time of each. */
  heldDocuments(kind: DocKind, ids: string[]): Record<string, HeldDocument> {
    const out: Record<string, HeldDocument> = {}
    for (const id of ids) {
      const row = this.sql
        .exec<{ status: string; source_updated_at: string }>(
          'SELECT status, source_updated_at FROM fin_doc WHERE kind = ? AND id = ?',
          kind,
          id,
        )
        .toArray()[0]
      if (row) out[id] = { status: row.status, sourceUpdatedAt: row.source_updated_at }
    }
    return out
  }

  /** A credit note's read or its ERP credit memo changed: its whole record goes out again. */
  creditNoteChanged(noteId: string): void {
    queueCreditNote(this.sql, noteId, (r) => this.queueRecord(r))
  }

  /** The ERP's AR facts as of `asOf` (ISO, UTC); facts older than those held change nothing. */
  setErpFacts(facts: ErpFacts, asOf: string): void {
    this.sql.exec(
      `INSERT INTO erp_facts (id, facts, as_of) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET facts = excluded.facts, as_of = excluded.as_of
       WHERE excluded.as_of >= erp_facts.as_of`,
      JSON.stringify(facts),
      asOf,
    )
  }

  private all<T>(kind: DocKind): T[] {
    return this.sql
      .exec<{ doc: string }>('SELECT doc FROM fin_doc WHERE kind = ?', kind)
      .toArray()
      .map((r) => JSON.parse(r.doc) as T)
  }

  /**
   * Recomputes the standing; queues the Account record when something a rep sees changed, or
   * when `force`d (the daily re-aging refreshes the as-of time even if nothing else moved).
   */
  recomputeStanding(
    now: Date,
    opts: {
      accountCurrency?: string
      force?: boolean
      billingCustomerId?: string
      erpCustomerId?: string
    } = {},
  ): FinancialStanding {
    const erpRow = this.sql
      .exec<{ facts: string }>('SELECT facts FROM erp_facts WHERE id = 1')
      .toArray()[0]
    const standing = computeStanding({
      accountId: this.accountId,
      invoices: this.all<Invoice>('invoice'),
      payments: this.all<Payment>('payment'),
      erp: erpRow ? (JSON.parse(erpRow.facts) as ErpFacts) : undefined,
      asOf: now,
    })
    const { asOf: _asOf, ...visible } = standing
    const fingerprint = JSON.stringify(visible)
    const held = this.sql
      .exec<{ fingerprint: string }>('SELECT fingerprint FROM standing WHERE id = 1')
      .toArray()[0]
    this.sql.exec(
      'INSERT OR REPLACE INTO standing (id, doc, fingerprint) VALUES (1, ?, ?)',
      JSON.stringify(standing),
      fingerprint,
    )
    if (held?.fingerprint !== fingerprint || opts.force)
      this.queueRecord(standingRecord(standing, opts))
    return standing
  }

  standing(): FinancialStanding | undefined {
    const row = this.sql.exec<{ doc: string }>('SELECT doc FROM standing WHERE id = 1').toArray()[0]
    return row ? (JSON.parse(row.doc) as FinancialStanding) : undefined
  }

  queueRecord(record: WriteRecord): void {
    this.sql.exec(
      'INSERT OR REPLACE INTO sf_outbox (object, external_id, record) VALUES (?, ?, ?)',
      record.object,
      record.externalId,
      JSON.stringify(record),
    )
  }

  /** Hands queued records to `send` (the OrgWriter); each is removed only if unchanged since. */
  async flushRecords(send: (records: WriteRecord[]) => Promise<unknown>): Promise<number> {
    const rows = this.sql
      .exec<{ object: string; external_id: string; record: string }>(
        'SELECT object, external_id, record FROM sf_outbox LIMIT 1000',
      )
      .toArray()
    if (rows.length === 0) return 0
    await send(rows.map((r) => JSON.parse(r.record) as WriteRecord))
    for (const r of rows)
      this.sql.exec(
        'DELETE FROM sf_outbox WHERE object = ? AND external_id = ? AND record = ?',
        r.object,
        r.external_id,
        r.record,
      )
    return rows.length
  }

  pendingRecords(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM sf_outbox').one().n
  }
}
