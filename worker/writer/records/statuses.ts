import type { WriteRecordOf } from '../types.ts'
import { syncStatusRecord, type SyncStatus } from './sync-status.ts'

/**
 * What Salesforce should show for a batch of statuses: each amendment's `Subscription_Sync__c`.
 * (The subscription mirror's `Applied_Sequence__c` rides on the mirror's own record, which its
 * ledger makes whole: see `subscriptionRecord`.)
 */
export function statusRecords(
  statuses: readonly SyncStatus[],
): Array<WriteRecordOf<'Subscription_Sync__c'>> {
  return statuses.map((s) => syncStatusRecord(s))
}
