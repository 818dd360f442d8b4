import type { Payment } from '../../../shared/index.ts'
import type { WriteRecordOf } from '../types.ts'
import { accountLookup, fitText, writeRecord } from './fields.ts'
import { toMajor } from '../../lib/currency.ts'

const O = 'Billing_Payment__c'

/** `Billing_Payment__c` from billing's current view of a payment, linked to its invoice. */
export function paymentRecord(p: Payment): WriteRecordOf<typeof O> {
  return writeRecord({
    object: O,
    externalIdField: 'External_Id__c',
    externalId: p.id,
    fields: {
      Account__c: accountLookup(p.accountId),
      // The invoice is upserted first in the same flush (the writer packs invoices before payments).
      Invoice__r: p.invoiceId ? { External_Id__c: p.invoiceId } : undefined,
      Amount__c: toMajor(p.amount, p.currency),
      Amount_Refunded__c: toMajor(p.amountRefunded, p.currency),
      Currency_Iso__c: p.currency,
      Status__c: p.status,
      Paid_At__c: p.paidAt ?? null,
      Method__c: fitText(O, 'Method__c', p.method),
      Failure_Reason__c: fitText(O, 'Failure_Reason__c', p.failureReason),
      Source_Updated_At__c: p.sourceUpdatedAt,
    },
    sourceUpdatedAt: Date.parse(p.sourceUpdatedAt),
    accountId: p.accountId,
  })
}
