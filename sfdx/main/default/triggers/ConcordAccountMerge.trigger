/**
 * @description Reports Account merges to Concord: the losing Accounts a merge deletes carry
 * `MasterRecordId`; see AccountMergeRelay.
 * @group Accounts
 */
trigger ConcordAccountMerge on Account(after delete) {
  AccountMergeRelay.relay(Trigger.old);
}
