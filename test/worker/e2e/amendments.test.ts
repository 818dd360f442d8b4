import { describe, expect, it } from 'vitest'
import { amendmentEvent, drain, drainWriter, ledger, postEvents } from '../support/helpers.ts'
import {
  createAccount,
  netsuiteEffects,
  salesforceRecords,
  stripeEffects,
} from '../support/vendors.ts'

/** The five actions of one subscription, in sequence order. */
function lifecycle(accountId: string) {
  const key = `SUB-E2E-${crypto.randomUUID().slice(0, 6)}`
  const base = {
    Account_Id__c: accountId,
    Subscription_Key__c: key,
    Price_Key__c: null,
    Quantity__c: null,
    Proration__c: 'create_prorations',
  }
  return [
    amendmentEvent({
      ...base,
      Sequence__c: 1,
      Action__c: 'create',
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
    }),
    amendmentEvent({ ...base, Sequence__c: 2, Action__c: 'change_quantity', Quantity__c: 8 }),
    amendmentEvent({
      ...base,
      Sequence__c: 3,
      Action__c: 'change_price',
      Price_Key__c: 'pro-annual-usd',
      Proration__c: 'none',
    }),
    amendmentEvent({
      ...base,
      Sequence__c: 4,
      Action__c: 'cancel',
      Cancel_Mode__c: 'at_period_end',
      Proration__c: 'none',
    }),
    amendmentEvent({ ...base, Sequence__c: 5, Action__c: 'renew', Proration__c: null }),
  ]
}

describe('end to end: Salesforce → worker → Stripe, NetSuite → Salesforce', () => {
  it('applies all five actions once each, in order, with one correlation id per amendment in all three systems', async () => {
    const account = await createAccount()
    const events = lifecycle(account)
    const res = await postEvents([events[3], events[1], events[4], events[0], events[2]])
    expect(res.status).toBe(200)
    await drain(account, 500)
    await drainWriter()

    const summary = await ledger(account).summary()
    expect(summary?.counts, JSON.stringify(summary?.open)).toEqual({ applied: 5 })
    const stripe = await stripeEffects()
    const netsuite = await netsuiteEffects()
    const syncs = await salesforceRecords('Subscription_Sync__c')
    const order: string[] = []
    for (const e of events) {
      const correlationId = e.Correlation_Id__c as string
      const billing = stripe.filter(
        (x) => x.correlationId === correlationId && x.kind.startsWith('subscription.'),
      )
      expect(billing.length, `Stripe subscription effects of ${String(e.Action__c)}`).toBe(1)
      order.push(billing[0]?.kind ?? '')
      const erp = netsuite.filter(
        (x) =>
          x.correlationId === correlationId &&
          !x.kind.endsWith('.noop') &&
          !x.kind.startsWith('customer.'),
      )
      expect(erp.length, `NetSuite effects of ${String(e.Action__c)}`).toBe(1)
      const sync = syncs.find((r) => r.External_Id__c === e.EventUuid)
      expect(sync, `Subscription_Sync__c of ${String(e.Action__c)}`).toMatchObject({
        Status__c: 'applied',
        Correlation_Id__c: correlationId,
        Sequence__c: e.Sequence__c,
      })
    }
    expect(order[0]).toBe('subscription.create')
    const mirror = (await salesforceRecords('Billing_Subscription__c')).find(
      (r) => r.Subscription_Key__c === events[0]?.Subscription_Key__c,
    )
    expect(mirror?.Applied_Sequence__c).toBe(5)
    const row = (await salesforceRecords('Account')).find((r) => r.Id === account)
    expect(row?.Concord_Billing_Customer_Id__c).toBe(summary?.xref.billingCustomerId)
    expect(row?.Concord_Erp_Customer_Id__c).toBe(summary?.xref.erpCustomerId)
    expect(String(row?.Concord_Billing_Customer_Id__c)).toMatch(/^cus_/)
  })
})
