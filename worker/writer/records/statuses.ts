import type { WriteRecordOf } from '../types.ts'
import { appliedSequenceRecord } from './subscription.ts'
import { syncStatusRecord, type SyncStatus } from './sync-status.ts'

/**
 * What Salesforce should show for a batch of statuses: each amendment's `Subscription_Sync__c`
 * and, for applied ones, the subscription mirror's `Applied_Sequence__c` (see
 * `appliedSequenceRecord`; the writer never moves it backward).
 */
export function statusRecords(
  statuses: readonly SyncStatus[],
): Array<WriteRecordOf<'Subscription_Sync__c'> | WriteRecordOf<'Billing_Subscription__c'>> {
  return statuses.flatMap((s) => {
    const mirror = s.status === 'applied' ? appliedSequenceRecord(s) : undefined
    return mirror ? [syncStatusRecord(s), mirror] : [syncStatusRecord(s)]
  })
}
