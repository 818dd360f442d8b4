/**
 * @description Keeps a Subscription_Sync__c from moving back in time when an older write of the worker lands
 * after a newer one; see ConcordStaleGuard.
 * @group Mirror
 */
trigger SubscriptionSyncStaleGuard on Subscription_Sync__c(before update) {
  ConcordStaleGuard.keepNewer(Trigger.new, Trigger.oldMap, Subscription_Sync__c.Updated_At__c);
}
