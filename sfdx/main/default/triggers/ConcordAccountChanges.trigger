/**
 * @description Reports Account changes to Concord: merges (the losing Accounts a merge deletes
 * carry `MasterRecordId`) and re-parentings (`Concord_Legal_Entity__c` changed); see
 * AccountChangeRelay.
 * @group Accounts
 */
trigger ConcordAccountChanges on Account(after update, after delete) {
  AccountChangeRelay.relay(Trigger.new, (Map<Id, Account>) Trigger.oldMap);
}
