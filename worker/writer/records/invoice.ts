import type { Invoice } from '../../../shared/index.ts'
import type { WriteRecordOf } from '../types.ts'
import { accountLookup, fitText, writeRecord } from './fields.ts'
import { toMajor } from '../../lib/currency.ts'

const O = 'Billing_Invoice__c'

/** `Billing_Invoice__c` from billing's (or the ERP's) current view of an invoice. */
export function invoiceRecord(inv: Invoice): WriteRecordOf<typeof O> {
  return writeRecord({
    object: O,
    externalIdField: 'External_Id__c',
    externalId: inv.id,
    fields: {
      Account__c: accountLookup(inv.accountId),
      Number__c: fitText(O, 'Number__c', inv.number),
      Status__c: inv.status,
      Amount_Due__c: toMajor(inv.amountDue, inv.currency),
      Amount_Paid__c: toMajor(inv.amountPaid, inv.currency),
      Amount_Remaining__c: toMajor(inv.amountRemaining, inv.currency),
      Currency_Iso__c: inv.currency,
      Issued_Date__c: inv.issuedDate ?? null,
      Due_Date__c: inv.dueDate ?? null,
      Hosted_Url__c: inv.hostedUrl ?? null,
      Erp_Document_Id__c: fitText(O, 'Erp_Document_Id__c', inv.erpDocumentId),
      Correlation_Id__c: fitText(O, 'Correlation_Id__c', inv.correlationId),
      Source_Updated_At__c: inv.sourceUpdatedAt,
      // Only a view that knows the tax (billing's) writes it; the ERP's view leaves it alone.
      ...(inv.taxAmount === undefined
        ? {}
        : {
            Tax_Amount__c: toMajor(inv.taxAmount, inv.currency),
            Tax_Jurisdictions__c: fitText(O, 'Tax_Jurisdictions__c', inv.taxJurisdictions),
          }),
    },
    sourceUpdatedAt: Date.parse(inv.sourceUpdatedAt),
    accountId: inv.accountId,
  })
}
