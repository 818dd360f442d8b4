import type { CreditNote } from '../../shared/index.ts'
import { creditNoteRecord } from '../writer/records/index.ts'
import type { WriteRecord } from '../writer/types.ts'

/**
 * The one place a `Billing_Credit_Note__c` record is made. Two things feed it: billing's latest
 * read of the credit note (after its `credit_note.*` webhooks, and after Concord issued it) and
 * the ERP credit memo Concord's money action recorded for it. Every record carries both as the
 * ledger holds them now, under a version strictly increasing per credit note, so whichever
 * reaches the OrgWriter last was made last. Neither a webhook's payload nor its one-second
 * `created` orders anything here.
 */
export function queueCreditNote(
  sql: SqlStorage,
  noteId: string,
  queue: (record: WriteRecord) => void,
): void {
  const doc = sql
    .exec<{ doc: string }>("SELECT doc FROM fin_doc WHERE kind = 'credit_note' AND id = ?", noteId)
    .toArray()[0]
  // Not read from billing yet: its read (already asked for) makes the record, memo included.
  if (!doc) return
  const memo = sql
    .exec<{ erp_memo_ref: string }>(
      `SELECT erp_memo_ref FROM money_action
       WHERE kind = 'credit' AND billing_ref = ? AND erp_memo_ref IS NOT NULL LIMIT 1`,
      noteId,
    )
    .toArray()[0]
  const held = sql
    .exec<{ version: number }>('SELECT version FROM credit_note_mirror WHERE id = ?', noteId)
    .toArray()[0]
  const version = Math.max(Date.now(), (held?.version ?? 0) + 1)
  sql.exec(
    `INSERT INTO credit_note_mirror (id, version) VALUES (?, ?)
     ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
    noteId,
    version,
  )
  queue(
    creditNoteRecord({
      note: JSON.parse(doc.doc) as CreditNote,
      erpCreditMemoId: memo?.erp_memo_ref,
      version,
    }),
  )
}
