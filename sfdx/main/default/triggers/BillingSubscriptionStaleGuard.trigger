/**
 * @description Keeps a Billing_Subscription__c from moving back in time when an older write of the worker lands
 * after a newer one; see ConcordStaleGuard.
 * @group Mirror
 */
trigger BillingSubscriptionStaleGuard on Billing_Subscription__c(before update) {
  ConcordStaleGuard.keepNewer(
    Trigger.new,
    Trigger.oldMap,
    Billing_Subscription__c.Source_Updated_At__c
  );
}
