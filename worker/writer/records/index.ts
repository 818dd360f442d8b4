/*
 * Every record the worker writes to Salesforce, built from the names `shared/salesforce-schema.ts`
 * declares and handed to the OrgWriter: the one Salesforce write path.
 */
export { creditNoteRecord, type CreditNoteMirror } from './credit-note.ts'
export { accountLookup, fitText } from './fields.ts'
export { activationEventRecord, type ActivationEvent } from './activation.ts'
export { invoiceRecord } from './invoice.ts'
export { paymentRecord } from './payment.ts'
export { refreshEvent } from './refresh-hint.ts'
export { standingRecord } from './standing.ts'
export { statusRecords } from './statuses.ts'
export {
  isMirrorKey,
  subscriptionRecord,
  type SubscriptionMirror,
  type SubscriptionState,
} from './subscription.ts'
export { syncStatusRecord, type SyncStatus } from './sync-status.ts'
