import { expect } from 'vitest'
import type { DriftReport } from '../../../worker/reconcile/drift/types.ts'
import {
  amendmentEvent,
  drain,
  drainWriter,
  ledger,
  operatorFetch,
  postEvents,
} from '../support/helpers.ts'
import { createAccount, salesforceRecords } from '../support/vendors.ts'

export const mirrorOf = async (key: string) =>
  (await salesforceRecords('Billing_Subscription__c')).find((r) => r.Subscription_Key__c === key)

/** Runs the account's pump and the OrgWriter until both are quiet. */
export async function settle(account: string): Promise<void> {
  await drain(account, 500)
  await drainWriter()
}

/** An account with one subscription Concord made (seats 5), settled in Salesforce. */
export async function subscribedAccount() {
  const account = await createAccount()
  const key = `SUB-DRIFT-${crypto.randomUUID().slice(0, 6)}`
  await postEvents([
    amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: key,
      Sequence__c: 1,
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
    }),
  ])
  await settle(account)
  const mirror = await mirrorOf(key)
  const subscriptionId = String(mirror?.External_Id__c)
  expect(subscriptionId).toMatch(/^sub_/)
  const customerId = (await ledger(account).summary())?.xref.billingCustomerId ?? ''
  return { account, key, subscriptionId, customerId }
}

/** Reconciles one account now through the operator route, repairing. */
export async function reconcileAccount(account: string, repair = true): Promise<DriftReport> {
  const res = await operatorFetch('/v1/reconcile', {
    method: 'POST',
    body: JSON.stringify({ accountId: account, repair }),
  })
  expect(res.status).toBe(200)
  return await res.json<DriftReport>()
}
