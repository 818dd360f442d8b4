import { refreshBuckets } from '../../../shared/refresh-bucket.ts'
import type { SObjectFields } from '../../connectors/salesforce/sobject.ts'
import { fitText } from './fields.ts'

/**
 * A `Concord_Refresh__e` hint for the Accounts whose financial data or amendment status changed.
 * It names their refresh buckets, never their ids: every browser subscribed to the channel gets
 * the event, whoever can see which Account (shared/refresh-bucket.ts).
 */
export function refreshEvent(
  accountIds: readonly string[],
  reason: string,
): SObjectFields<'Concord_Refresh__e'> {
  return {
    Buckets__c: refreshBuckets(accountIds),
    Reason__c: fitText('Concord_Refresh__e', 'Reason__c', reason),
  }
}
