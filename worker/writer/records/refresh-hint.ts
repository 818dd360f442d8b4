import type { SObjectFields } from '../../connectors/salesforce/sobject.ts'
import { fitText } from './fields.ts'

/** A `Concord_Refresh__e` hint for the Accounts whose financial data changed. */
export function refreshEvent(
  accountIds: readonly string[],
  reason: string,
): SObjectFields<'Concord_Refresh__e'> {
  return {
    Account_Ids__c: [...new Set(accountIds)].join(','),
    Reason__c: fitText('Concord_Refresh__e', 'Reason__c', reason),
  }
}
