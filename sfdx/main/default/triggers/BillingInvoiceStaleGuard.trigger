/**
 * @description Keeps a Billing_Invoice__c from moving back in time when an older write of the worker lands
 * after a newer one; see ConcordStaleGuard.
 * @group Mirror
 */
trigger BillingInvoiceStaleGuard on Billing_Invoice__c(before update) {
  ConcordStaleGuard.keepNewer(Trigger.new, Trigger.oldMap, Billing_Invoice__c.Source_Updated_At__c);
}
