/**
 * @description Relays every `Subscription_Amendment__e` to the Concord worker; see AmendmentRelay.
 * @group Relay
 */
trigger SubscriptionAmendmentRelay on Subscription_Amendment__e(after insert) {
  AmendmentRelay.relay(Trigger.new);
}
