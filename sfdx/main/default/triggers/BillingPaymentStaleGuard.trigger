/**
 * @description Keeps a Billing_Payment__c from moving back in time when an older write of the worker lands
 * after a newer one; see ConcordStaleGuard.
 * @group Mirror
 */
trigger BillingPaymentStaleGuard on Billing_Payment__c(before update) {
  ConcordStaleGuard.keepNewer(Trigger.new, Trigger.oldMap, Billing_Payment__c.Source_Updated_At__c);
}
