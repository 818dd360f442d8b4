import type { WriteRecordOf } from '../types.ts'
import { accountLookup, fitText, fitsKey, writeRecord } from './fields.ts'

const O = 'Billing_Subscription__c'

/** A subscription's state as billing holds it (a re-read, never a webhook's payload). */
export interface SubscriptionState {
  billingId: string
  status: 'pending' | 'active' | 'past_due' | 'canceled' | 'scheduled_cancel'
  currentPeriodEnd?: string
  quantity?: number
  /** The catalog's price key for its price, else billing's own price id. */
  priceKey?: string
  currency?: string
}

/** One `Billing_Subscription__c` mirror as its account's ledger holds it. */
export interface SubscriptionMirror {
  accountId: string
  /** The Salesforce-side key when there is one (the record is upserted by it), else absent. */
  subscriptionKey?: string
  /** Billing's state as last read; absent before the first read. */
  state?: SubscriptionState
  /** The highest sequence the ledger has applied to this subscription (0: none yet). */
  appliedSequence?: number
  /** The latest usage period summarised for it (`2026-11`, `api-calls: 1200; storage-gb: 40`). */
  usage?: { period: string; summary: string }
  /** Its activation rule and, once activated, when (README, "Activation"). */
  activation?: { rule: 'on_create' | 'on_first_invoice_paid' | 'manual'; activatedAt?: string }
  /** Source time (ms), strictly increasing per mirror: the newest record made wins. */
  version: number
}

/**
 * Whether a key can address a mirror whole (not empty, not longer than the field: a cut key
 * would name another subscription).
 */
export const isMirrorKey = (key: string | undefined): key is string =>
  !!key && fitsKey(O, 'Subscription_Key__c', key)

/**
 * The whole `Billing_Subscription__c` mirror, keyed by `Subscription_Key__c` when there is one,
 * else by the billing id: billing's state and the applied sequence in one record, so that no
 * two writers of one mirror can undo each other. Fields the ledger does not know yet are left
 * to Salesforce (the `Last_Sequence__c` Apex keeps is never touched).
 * @throws Error for a mirror with neither a key nor a state (nothing could address it).
 */
export function subscriptionRecord(m: SubscriptionMirror): WriteRecordOf<typeof O> {
  const byKey = isMirrorKey(m.subscriptionKey)
  const s = m.state
  if (!byKey && !s) throw new Error('subscriptionRecord: a mirror without a key needs its state')
  return writeRecord({
    object: O,
    externalIdField: byKey ? 'Subscription_Key__c' : 'External_Id__c',
    externalId: byKey ? (m.subscriptionKey as string) : (s as SubscriptionState).billingId,
    fields: {
      Account__c: accountLookup(m.accountId),
      External_Id__c: byKey ? s?.billingId : undefined,
      Status__c: s?.status,
      Current_Period_End__c: s ? (s.currentPeriodEnd ?? null) : undefined,
      Quantity__c: s ? (s.quantity ?? null) : undefined,
      Price_Key__c: s ? (s.priceKey ?? null) : undefined,
      Currency_Iso__c: s ? (s.currency ?? null) : undefined,
      Applied_Sequence__c: m.appliedSequence ? m.appliedSequence : undefined,
      Source_Updated_At__c: s ? new Date(m.version).toISOString() : undefined,
      Usage_Period__c: m.usage?.period,
      Usage_Summary__c: m.usage ? fitText(O, 'Usage_Summary__c', m.usage.summary) : undefined,
      Activation_Rule__c: m.activation?.rule,
      Activated_At__c: m.activation?.activatedAt,
    },
    sourceUpdatedAt: m.version,
    accountId: m.accountId,
  })
}
