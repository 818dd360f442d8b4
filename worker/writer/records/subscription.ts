import type { WriteRecordOf } from '../types.ts'
import { accountLookup, fitsKey, writeRecord } from './fields.ts'
import type { SyncStatus } from './sync-status.ts'

const O = 'Billing_Subscription__c'

/** A subscription's state as billing reports it (a subscription webhook). */
export interface SubscriptionState {
  billingId: string
  /** The Salesforce-side key, when billing carries it (Concord sets it in metadata). */
  subscriptionKey?: string
  status: 'pending' | 'active' | 'past_due' | 'canceled' | 'scheduled_cancel'
  currentPeriodEnd?: string
  quantity?: number
  currency?: string
}

/**
 * The `Billing_Subscription__c` mirror from a subscription webhook, keyed by the Salesforce-side
 * `Subscription_Key__c` when billing carries it, else by the billing id. Sequence fields are
 * left to Salesforce and the saga.
 */
export function subscriptionRecord(
  s: SubscriptionState,
  accountId: string,
  sourceUpdatedAt: number,
): WriteRecordOf<typeof O> {
  const byKey = !!s.subscriptionKey
  return writeRecord({
    object: O,
    externalIdField: byKey ? 'Subscription_Key__c' : 'External_Id__c',
    externalId: byKey ? (s.subscriptionKey as string) : s.billingId,
    fields: {
      Account__c: accountLookup(accountId),
      External_Id__c: byKey ? s.billingId : undefined,
      Status__c: s.status,
      Current_Period_End__c: s.currentPeriodEnd ?? null,
      Quantity__c: s.quantity ?? null,
      Currency_Iso__c: s.currency ?? null,
      Source_Updated_At__c: new Date(sourceUpdatedAt).toISOString(),
    },
    sourceUpdatedAt,
    accountId,
  })
}

/**
 * An applied status's `Applied_Sequence__c` on its subscription's mirror, or undefined when the
 * key cannot address one (empty, or longer than the field: a cut key would name another
 * subscription) or the sequence is not a whole number.
 */
export function appliedSequenceRecord(s: SyncStatus): WriteRecordOf<typeof O> | undefined {
  if (!fitsKey(O, 'Subscription_Key__c', s.subscriptionKey) || !Number.isInteger(s.sequence))
    return undefined
  return writeRecord({
    object: O,
    externalIdField: 'Subscription_Key__c',
    externalId: s.subscriptionKey,
    fields: {
      Account__c: accountLookup(s.accountId),
      Applied_Sequence__c: s.sequence,
    },
    sourceUpdatedAt: Date.parse(s.updatedAt),
    accountId: s.accountId,
  })
}
