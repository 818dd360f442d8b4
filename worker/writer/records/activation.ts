import type { SObjectFields } from '../../connectors/salesforce/sobject.ts'
import type { WriteRecord } from '../types.ts'
import { fitText } from './fields.ts'

const E = 'Concord_Activation__e'

/** One activation as its ledger hands it over. */
export interface ActivationEvent {
  subscriptionKey: string
  accountId: string
  rule: string
  /** ms */
  activatedAt: number
  correlationId: string
}

/**
 * The `Concord_Activation__e` of one activation, as a record for the OrgWriter: keyed by the
 * subscription (one activation each), published rather than upserted (`writer/events.ts`).
 */
export function activationEventRecord(a: ActivationEvent): WriteRecord {
  const fields: SObjectFields<typeof E> = {
    Subscription_Key__c: a.subscriptionKey,
    Account_Id__c: a.accountId,
    Rule__c: a.rule,
    Activated_At__c: new Date(a.activatedAt).toISOString(),
    Correlation_Id__c: fitText(E, 'Correlation_Id__c', a.correlationId),
  }
  return {
    object: E,
    externalIdField: 'Subscription_Key__c',
    externalId: a.subscriptionKey,
    fields,
    sourceUpdatedAt: a.activatedAt,
    accountId: a.accountId,
  }
}
