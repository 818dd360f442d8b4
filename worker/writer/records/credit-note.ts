import type { CreditNote } from '../../../shared/index.ts'
import type { WriteRecordOf } from '../types.ts'
import { accountLookup, fitText, writeRecord } from './fields.ts'
import { toMajor } from '../../lib/currency.ts'

const O = 'Billing_Credit_Note__c'

/** One `Billing_Credit_Note__c` as its account's ledger holds it. */
export interface CreditNoteMirror {
  /** Billing's latest read of the credit note (a re-read, never a webhook's payload). */
  note: CreditNote
  /** The ERP credit memo Concord recorded for it, once it has. */
  erpCreditMemoId?: string
  /** Source time (ms), strictly increasing per credit note: the newest record made wins. */
  version: number
}

/**
 * The whole `Billing_Credit_Note__c`, upserted by the Stripe id: billing's document and the
 * ERP credit memo in one record, whichever of the two the ledger learnt first, so the write
 * after a webhook and the write after Concord's own ERP step never undo each other.
 */
export function creditNoteRecord(m: CreditNoteMirror): WriteRecordOf<typeof O> {
  const { note } = m
  return writeRecord({
    object: O,
    externalIdField: 'External_Id__c',
    externalId: note.id,
    fields: {
      Account__c: accountLookup(note.accountId),
      // The invoice is upserted first in the same flush (the writer packs invoices before notes).
      Invoice__r: note.invoiceId ? { External_Id__c: note.invoiceId } : undefined,
      Number__c: fitText(O, 'Number__c', note.number),
      Amount__c: toMajor(note.amount, note.currency),
      Amount_Refunded__c: toMajor(note.amountRefunded ?? 0, note.currency),
      Currency_Iso__c: note.currency,
      Reason__c: note.reason ?? null,
      Status__c: note.status,
      Erp_Credit_Memo_Id__c: fitText(O, 'Erp_Credit_Memo_Id__c', m.erpCreditMemoId),
      Created_At__c: note.createdAt ?? null,
      Source_Updated_At__c: new Date(m.version).toISOString(),
    },
    sourceUpdatedAt: m.version,
    accountId: note.accountId,
  })
}
