import type { WriteRecordOf } from '../types.ts'
import { accountLookup, fitText, writeRecord } from './fields.ts'

/** One amendment's progress as Salesforce shows it on `Subscription_Sync__c`. */
export interface SyncStatus {
  amendmentId: string
  accountId: string
  subscriptionKey: string
  sequence: number
  action: string
  status: 'received' | 'billed' | 'posted' | 'applied' | 'parked' | 'superseded' | 'rejected'
  errorCode?: string
  errorMessage?: string
  correlationId: string
  billingRef?: string
  erpRef?: string
  updatedAt: string
}

/** The ledger's code for an amendment whose Account Salesforce does not have. */
const ACCOUNT_NOT_FOUND = 'account_not_found'

/**
 * `Subscription_Sync__c` for one amendment's status, upserted by `External_Id__c` (the
 * amendment id, i.e. the EventUuid). Every optional field is written, as null when absent, so a
 * cleared error or reference clears in Salesforce too. A status saying the Account was not found
 * carries no `Account__c`: a lookup to a missing Account would fail the record and hide the
 * very status that explains it.
 */
export function syncStatusRecord(status: SyncStatus): WriteRecordOf<'Subscription_Sync__c'> {
  const O = 'Subscription_Sync__c'
  const account =
    status.errorCode === ACCOUNT_NOT_FOUND ? undefined : accountLookup(status.accountId)
  return writeRecord({
    object: O,
    externalIdField: 'External_Id__c',
    externalId: status.amendmentId,
    fields: {
      Account__c: account,
      Subscription_Key__c: fitText(O, 'Subscription_Key__c', status.subscriptionKey),
      Sequence__c: status.sequence,
      Action__c: fitText(O, 'Action__c', status.action),
      Status__c: status.status,
      Error_Code__c: fitText(O, 'Error_Code__c', status.errorCode),
      Error_Message__c: fitText(O, 'Error_Message__c', status.errorMessage),
      Correlation_Id__c: fitText(O, 'Correlation_Id__c', status.correlationId),
      Billing_Ref__c: fitText(O, 'Billing_Ref__c', status.billingRef),
      Erp_Ref__c: fitText(O, 'Erp_Ref__c', status.erpRef),
      Updated_At__c: status.updatedAt,
    },
    sourceUpdatedAt: Date.parse(status.updatedAt),
    accountId: status.accountId,
  })
}
