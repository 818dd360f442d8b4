import { afterEach, describe, expect, it } from 'vitest'
import { PRODUCTION } from '../../../worker/objects/wiring.ts'
import {
  classifyStripeEvent,
  type StripeEventEnvelope,
} from '../../../worker/webhooks/stripe-events.ts'
import { amendmentEvent, drain, drainWriter, ledger, postEvents } from '../support/helpers.ts'
import { seededRandom, shuffle } from '../support/random.ts'
import { createAccount, salesforceRecords } from '../support/vendors.ts'
import { useConnectorFactory } from '../support/wiring.ts'
import { deliver, eventsOf, stripeApi } from '../webhooks/support.ts'

type Json = Record<string, unknown>

const mirrorOf = async (key: string) =>
  (await salesforceRecords('Billing_Subscription__c')).find((r) => r.Subscription_Key__c === key)

afterEach(() => useConnectorFactory())

/** Runs the account's pump and the OrgWriter until both are quiet. */
async function settle(account: string): Promise<void> {
  await drain(account, 500)
  await drainWriter()
}

describe('Billing_Subscription__c: the saga and the webhooks write one mirror', () => {
  it('shows Stripe’s latest state and the highest applied sequence, whichever of the two wrote last', async () => {
    const account = await createAccount()
    const key = `SUB-MIRROR-${crypto.randomUUID().slice(0, 6)}`
    const base = { Account_Id__c: account, Subscription_Key__c: key, Price_Key__c: null }
    await postEvents([
      amendmentEvent({ ...base, Sequence__c: 1, Price_Key__c: 'pro-monthly-usd', Quantity__c: 5 }),
      amendmentEvent({ ...base, Sequence__c: 2, Action__c: 'change_quantity', Quantity__c: 8 }),
    ])
    await settle(account)
    const applied = await mirrorOf(key)
    const subscriptionId = String(applied?.External_Id__c)
    expect(subscriptionId).toMatch(/^sub_/)
    // The saga re-read the subscription after billing: no webhook has been delivered yet.
    expect(applied).toMatchObject({
      Account__c: account,
      Applied_Sequence__c: 2,
      Quantity__c: 8,
      Price_Key__c: 'pro-monthly-usd',
      Status__c: 'active',
      Currency_Iso__c: 'USD',
    })

    // Finance changes the subscription in Stripe; its events arrive with every earlier one,
    // shuffled and twice (the saga-era ones late).
    const item = (
      (await stripeApi('GET', `/v1/subscriptions/${subscriptionId}`)).items as {
        data: Json[]
      }
    ).data[0] as Json
    await stripeApi('POST', `/v1/subscriptions/${subscriptionId}`, {
      'items[0][id]': String(item.id),
      'items[0][quantity]': '3',
      proration_behavior: 'none',
    })
    const customerId = (await ledger(account).summary())?.xref.billingCustomerId ?? ''
    const events = await eventsOf(customerId, new Set(), { type: 'customer.subscription.*' })
    expect(events.length).toBeGreaterThanOrEqual(3)
    for (const e of shuffle([...events, ...events], seededRandom(3)))
      expect((await deliver(e)).status).toBe(200)
    await settle(account)
    expect(await mirrorOf(key)).toMatchObject({ Applied_Sequence__c: 2, Quantity__c: 3 })

    // The next amendment applies on top of the finance change; the mirror follows both.
    await postEvents([
      amendmentEvent({ ...base, Sequence__c: 3, Action__c: 'change_quantity', Quantity__c: 12 }),
    ])
    await settle(account)
    expect(await mirrorOf(key)).toMatchObject({
      Applied_Sequence__c: 3,
      Quantity__c: 12,
      External_Id__c: subscriptionId,
      Status__c: 'active',
    })
  })
})

describe('Billing_Subscription__c: API economy', () => {
  it('reads a subscription once for a burst of its events (duplicates included) waiting in one pump run', async () => {
    const reads: string[] = []
    useConnectorFactory((env) => {
      const real = PRODUCTION.connectors(env, PRODUCTION.config(env))
      const reader = real.billingReader
      return {
        ...real,
        billingReader: {
          ...reader,
          subscription: (id) => {
            reads.push(id)
            return reader.subscription(id)
          },
        },
      }
    })
    const account = await createAccount()
    const customer = await stripeApi('POST', '/v1/customers', {
      name: 'Burst Co',
      'metadata[sf_account_id]': account,
    })
    const key = `SUB-BURST-${crypto.randomUUID().slice(0, 6)}`
    const sub = await stripeApi('POST', '/v1/subscriptions', {
      customer: String(customer.id),
      'items[0][price]': 'price_pro_monthly_usd',
      'items[0][quantity]': '1',
      collection_method: 'send_invoice',
      days_until_due: '30',
      'metadata[subscription_key]': key,
    })
    const itemId = String((sub.items as { data: Json[] }).data[0]?.id)
    for (const quantity of [2, 3, 4, 5])
      await stripeApi('POST', `/v1/subscriptions/${String(sub.id)}`, {
        'items[0][id]': itemId,
        'items[0][quantity]': String(quantity),
        proration_behavior: 'none',
      })
    const events = await eventsOf(String(customer.id), new Set(), {
      type: 'customer.subscription.*',
    })
    expect(events).toHaveLength(5)
    // One batch, so every event waits for the same pump run.
    const refs = [...events, ...events].map(
      (e) => classifyStripeEvent(e as unknown as StripeEventEnvelope).ref,
    )
    await ledger(account).recordBillingEvents(account, refs)
    await settle(account)
    expect(reads).toEqual([sub.id])
    expect(await mirrorOf(key)).toMatchObject({ Quantity__c: 5, External_Id__c: sub.id })
  })
})
