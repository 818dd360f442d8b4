import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { amendmentEvent, drain, drainWriter, ledger, postEvents } from '../support/helpers.ts'
import { createAccount, salesforceRecords } from '../support/vendors.ts'

const STRIPE = env.STRIPE_API_BASE as string

function chain(accountId: string, quantities: number[]) {
  const key = `SUB-KNOWN-${crypto.randomUUID().slice(0, 6)}`
  const base = {
    Account_Id__c: accountId,
    Subscription_Key__c: key,
    Price_Key__c: null,
    Proration__c: 'create_prorations',
  }
  return quantities.map((quantity, i) =>
    amendmentEvent({
      ...base,
      Sequence__c: i + 1,
      Action__c: i === 0 ? 'create' : 'change_quantity',
      Price_Key__c: i === 0 ? 'pro-monthly-usd' : null,
      Quantity__c: quantity,
    }),
  )
}

/** The Stripe calls of one amendment's billing step, as its trace recorded them. */
async function billingCalls(account: string, event: Record<string, unknown>) {
  const trace = await ledger(account).correlationTrace(event.Correlation_Id__c as string)
  const steps = trace?.amendments[0]?.steps ?? []
  return (steps.find((s) => s.step === 'billing')?.calls ?? []).map((c) => ({
    call: `${c.method} ${c.path.replace(/sub_\w+/, ':id')}`,
    status: c.status,
    key: c.idempotencyKey,
  }))
}

describe('AccountLedger billing from its last answer', () => {
  it('makes each change of a subscription one Stripe write, and its mirror equal to Stripe', async () => {
    const account = await createAccount()
    const events = chain(account, [2, 5, 7, 4])
    await postEvents(events)
    await drain(account, 500)
    await drainWriter()
    expect((await ledger(account).summary())?.counts).toEqual({ applied: 4 })
    for (const e of events.slice(1))
      expect(await billingCalls(account, e)).toEqual([
        { call: 'POST /v1/subscriptions/:id', status: 200, key: `${String(e.EventUuid)}:billing` },
      ])
    const mirror = (await salesforceRecords('Billing_Subscription__c')).find(
      (r) => r.Subscription_Key__c === events[0]?.Subscription_Key__c,
    )
    const res = await fetch(`${STRIPE}/v1/subscriptions/${String(mirror?.External_Id__c)}`, {
      headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
    })
    const sub = await res.json<{ items: { data: Array<{ quantity: number }> } }>()
    expect(sub.items.data[0]?.quantity).toBe(4)
    expect(mirror).toMatchObject({ Quantity__c: 4, Applied_Sequence__c: 4 })
  })

  it('plans from a fresh read, under a key of its own, when Stripe refuses a change planned from its last answer', async () => {
    const account = await createAccount()
    const [create, change] = chain(account, [3, 6])
    await postEvents([create])
    await drain(account, 500)
    const subscriptionId = (await ledger(account).summary())?.subscriptions?.[0]
      ?.billingSubscriptionId
    expect(subscriptionId).toMatch(/^sub_/)
    // Ended in Stripe by hand: the ledger's copy of the last answer still shows it active.
    const ended = await fetch(`${STRIPE}/v1/subscriptions/${String(subscriptionId)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` },
    })
    expect(ended.status).toBe(200)
    await postEvents([change])
    await drain(account, 500)
    const parked = await ledger(account).amendment(change?.EventUuid as string)
    expect(parked).toMatchObject({ state: 'parked', errorCode: 'subscription_canceled' })
    const calls = await billingCalls(account, change as Record<string, unknown>)
    expect(calls.at(-1)).toMatchObject({ call: 'GET /v1/subscriptions/:id', status: 200 })
    expect(parked?.audit.map((a) => a.action)).toContain('billing_reread')
  })
})
