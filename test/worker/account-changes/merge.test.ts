import { afterEach, describe, expect, it } from 'vitest'
import { amendmentEvent, drain, drainWriter, ledger, postEvents } from '../support/helpers.ts'
import {
  createAccount,
  emulatorControl,
  netsuiteEffects,
  salesforceRecords,
  setFaults,
  stripeEffects,
  vendors,
} from '../support/vendors.ts'
import { useStripeTax } from '../support/wiring.ts'
import {
  amendmentExternalId,
  customerExternalId,
} from '../../../worker/connectors/netsuite/external-ids.ts'
import { until } from '../../support/poll.ts'
import { deliver, eventsOf, stripeApi } from '../webhooks/support.ts'
import { merged, netsuiteRecord, postAccountChanges } from './support.ts'

type Json = Record<string, unknown>

const key = (label: string) => `SUB-${label}-${crypto.randomUUID().slice(0, 6)}`

async function settle(...accounts: string[]): Promise<void> {
  for (let i = 0; i < 2; i++) for (const a of accounts) await drain(a, 500)
  await drainWriter()
}

/** Stripe's subscription effects (create/update/…) of these amendments, in the order made. */
async function billingEffects(events: Json[]) {
  const ids = new Set(events.map((e) => e.Correlation_Id__c))
  return (await stripeEffects()).filter(
    (e) => ids.has(e.correlationId) && e.kind.startsWith('subscription.'),
  )
}

async function customersOf(accountId: string): Promise<string[]> {
  const page = await stripeApi<{ data: Json[] }>('GET', '/v1/customers/search', {
    query: `metadata['sf_account_id']:'${accountId}'`,
  })
  return page.data.map((c) => String(c.id))
}

/** NetSuite's customer-creating effects for `accountId`'s external id. */
async function erpCustomersMade(accountId: string): Promise<number> {
  return (await netsuiteEffects()).filter(
    (e) =>
      /^customer\.(upsert\.)?create$/.test(e.kind) &&
      e.target === `customer:${customerExternalId(accountId)}`,
  ).length
}

/**
 * The loser's create, whose customer create (`route`) takes effect but loses its answer until
 * the merge has moved it to the survivor; then the vendor answers again and the create applies
 * there. `lost` says the loser's customer exists.
 */
async function mergeMidCustomerCreate(
  vendor: string,
  route: string,
  lost: (loser: string) => Promise<boolean>,
) {
  const [loser, survivor] = await Promise.all([createAccount(), createAccount()])
  const create = amendmentEvent({ Account_Id__c: loser, Subscription_Key__c: key('LOST') })
  const id = String(create.EventUuid)
  await setFaults(vendor, [{ route, status: 503, rate: 1, afterEffect: true }])
  await postEvents([create])
  await until('the loser’s customer create to take effect, its answer lost', () => lost(loser), {
    intervalMs: 50,
    timeoutMs: 20_000,
  })
  expect((await postAccountChanges([merged(loser, survivor)])).status).toBe(200)
  await until(
    'the survivor to adopt the create',
    async () => !!(await ledger(survivor).amendment(id)),
    {
      intervalMs: 50,
      timeoutMs: 20_000,
    },
  )
  await setFaults(vendor, [])
  await until(
    'the create to apply on the survivor',
    async () => (await ledger(survivor).amendment(id))?.state === 'applied',
    { intervalMs: 100, timeoutMs: 40_000 },
  )
  return { loser, survivor, xref: (await ledger(survivor).summary())?.xref }
}

describe('Account merges', { timeout: 30_000 }, () => {
  afterEach(async () => {
    useStripeTax(undefined)
    await setFaults(vendors().netsuiteUrl, [])
    await setFaults(vendors().stripeUrl, [])
  })

  it('takes the loser’s Stripe customer whose create lost its answer before the merge, rather than making a second', async () => {
    const { loser, survivor, xref } = await mergeMidCustomerCreate(
      vendors().stripeUrl,
      'POST /v1/customers',
      async (account) => (await customersOf(account)).length > 0,
    )
    const [lostCustomer, ...more] = await customersOf(loser)
    expect(more).toEqual([])
    expect(await customersOf(survivor)).toEqual([])
    expect(xref?.billingCustomerId).toBe(lostCustomer)
    expect(await erpCustomersMade(survivor)).toBe(1)
  }, 60_000)

  it('takes the loser’s NetSuite customer whose create lost its answer before the merge, rather than making a second', async () => {
    const { loser, survivor, xref } = await mergeMidCustomerCreate(
      vendors().netsuiteUrl,
      'PUT /services/rest/record/v1/customer',
      async (account) => (await erpCustomersMade(account)) > 0,
    )
    expect(await erpCustomersMade(loser)).toBe(1)
    expect(await erpCustomersMade(survivor)).toBe(0)
    const lost = await netsuiteRecord(`eid:${customerExternalId(loser)}`)
    expect(xref?.erpCustomerId).toBe(lost.id)
    // The survivor had no Stripe customer either: it took the loser's, handed over.
    expect(await customersOf(survivor)).toEqual([])
    expect(xref?.billingCustomerId).toBe((await customersOf(loser))[0])
  }, 60_000)

  it('moves pending amendments to the survivor, which applies each once, in order, on the loser’s customer, and re-points the mirrors', async () => {
    const loser = await createAccount()
    const survivor = await createAccount()
    const sub = key('MERGE')
    const base = { Account_Id__c: loser, Subscription_Key__c: sub, Price_Key__c: null }
    const create = amendmentEvent({
      ...base,
      Sequence__c: 1,
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
    })
    const seats8 = amendmentEvent({
      ...base,
      Sequence__c: 2,
      Action__c: 'change_quantity',
      Quantity__c: 8,
    })
    const seats12 = amendmentEvent({
      ...base,
      Sequence__c: 3,
      Action__c: 'change_quantity',
      Quantity__c: 12,
    })
    // The survivor bills a subscription of its own under its own customer.
    const own = amendmentEvent({
      Account_Id__c: survivor,
      Subscription_Key__c: key('OWN'),
      Sequence__c: 1,
    })
    await postEvents([create, own])
    await settle(loser, survivor)
    const loserCustomer = (await ledger(loser).summary())?.xref.billingCustomerId
    const survivorCustomer = (await ledger(survivor).summary())?.xref.billingCustomerId
    expect(loserCustomer).toMatch(/^cus_/)
    expect(survivorCustomer).toMatch(/^cus_/)

    // Sequence 3 is in the loser's ledger, waiting for 2, when Salesforce merges the Accounts;
    // 2 arrives afterwards still naming the loser (published before the merge, relayed late).
    await postEvents([seats12])
    const answer = await postAccountChanges([merged(loser, survivor)])
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ results: [{ status: 'queued' }] })
    const again = await postAccountChanges([merged(loser, survivor)])
    expect(await again.json()).toMatchObject({ results: [{ status: 'duplicate' }] })
    await settle(loser, survivor)
    expect((await postEvents([seats8])).status).toBe(200)
    await settle(loser, survivor)

    for (const e of [seats8, seats12])
      expect(await ledger(survivor).amendment(String(e.EventUuid))).toMatchObject({
        state: 'applied',
      })
    expect(await ledger(loser).amendment(String(seats12.EventUuid))).toMatchObject({
      state: 'skipped',
      errorCode: 'merged',
    })
    expect((await billingEffects([seats8, seats12])).map((e) => e.correlationId)).toEqual([
      seats8.Correlation_Id__c,
      seats12.Correlation_Id__c,
    ])
    // No second customer anywhere: each Account keeps the one it had, the survivor knows both.
    expect(await customersOf(survivor)).toEqual([survivorCustomer])
    expect(await customersOf(loser)).toEqual([loserCustomer])
    expect((await ledger(survivor).summary())?.xref.billingCustomerId).toBe(survivorCustomer)
    const billed = (await ledger(survivor).summary())?.subscriptions.find((s) => s.key === sub)
    const stripeSub = await stripeApi<Json>(
      'GET',
      `/v1/subscriptions/${String(billed?.billingSubscriptionId)}`,
    )
    expect(stripeSub.customer).toBe(loserCustomer)
    expect((stripeSub.items as { data: Json[] }).data[0]?.quantity).toBe(12)

    // Salesforce sees the statuses and the mirror under the survivor: the merge is the one
    // sanctioned move of a subscription to another Account.
    const syncs = await salesforceRecords('Subscription_Sync__c')
    for (const e of [seats8, seats12])
      expect(syncs.find((r) => r.External_Id__c === e.EventUuid)).toMatchObject({
        Account__c: survivor,
        Status__c: 'applied',
      })
    const mirror = (await salesforceRecords('Billing_Subscription__c')).find(
      (r) => r.Subscription_Key__c === sub,
    )
    expect(mirror).toMatchObject({ Account__c: survivor, Applied_Sequence__c: 3, Quantity__c: 12 })
  })

  it('routes a later webhook of the loser’s customer to the survivor’s ledger', async () => {
    const loser = await createAccount()
    const survivor = await createAccount()
    const sub = key('HOOK')
    await postEvents([
      amendmentEvent({ Account_Id__c: loser, Subscription_Key__c: sub, Sequence__c: 1 }),
    ])
    await settle(loser)
    await postAccountChanges([merged(loser, survivor)])
    await settle(loser, survivor)
    const customer = String((await ledger(survivor).summary())?.xref.billingCustomerId)
    const subscriptionId = String(
      (await ledger(survivor).summary())?.subscriptions.find((s) => s.key === sub)
        ?.billingSubscriptionId,
    )
    // The survivor had no customer: it took the loser's rather than making one.
    expect(customer).toBe((await ledger(loser).summary())?.xref.billingCustomerId)

    const item = (
      (await stripeApi<Json>('GET', `/v1/subscriptions/${subscriptionId}`)).items as {
        data: Json[]
      }
    ).data[0]
    await stripeApi('POST', `/v1/subscriptions/${subscriptionId}`, {
      'items[0][id]': String(item?.id),
      'items[0][quantity]': '4',
      proration_behavior: 'none',
    })
    const events = await eventsOf(customer, new Set(), { type: 'customer.subscription.updated' })
    const last = events.at(-1) as Json
    expect((await deliver(last)).status).toBe(200)
    await settle(loser, survivor)
    expect(await ledger(survivor).unseenBillingEvents([String(last.id)])).toEqual([])
    const mirror = (await salesforceRecords('Billing_Subscription__c')).find(
      (r) => r.Subscription_Key__c === sub,
    )
    expect(mirror).toMatchObject({ Account__c: survivor, Quantity__c: 4 })
  })

  it('answers a late copy of an amendment the loser applied before the merge as a duplicate, and Salesforce keeps it applied', async () => {
    const loser = await createAccount()
    const survivor = await createAccount()
    const sub = key('COPY')
    const base = { Account_Id__c: loser, Subscription_Key__c: sub, Price_Key__c: null }
    const create = amendmentEvent({ ...base, Sequence__c: 1, Price_Key__c: 'pro-monthly-usd' })
    const seats = amendmentEvent({
      ...base,
      Sequence__c: 2,
      Action__c: 'change_quantity',
      Quantity__c: 6,
    })
    await postEvents([create])
    await settle(loser)
    await postAccountChanges([merged(loser, survivor)])
    await settle(loser, survivor)

    // Salesforce (or the CometD catch-up) sends the applied create again, beside a new change.
    const res = await postEvents([create, seats])
    expect(await res.json()).toMatchObject({
      results: [
        { eventUuid: create.EventUuid, status: 'duplicate' },
        { eventUuid: seats.EventUuid, status: 'queued' },
      ],
    })
    await settle(loser, survivor)
    expect(await ledger(survivor).amendment(String(create.EventUuid))).toBeUndefined()
    expect(await ledger(survivor).amendment(String(seats.EventUuid))).toMatchObject({
      state: 'applied',
    })
    expect((await ledger(survivor).summary())?.counts).toEqual({ applied: 1 })
    const syncs = await salesforceRecords('Subscription_Sync__c')
    expect(syncs.find((r) => r.External_Id__c === create.EventUuid)).toMatchObject({
      Status__c: 'applied',
    })
    expect((await billingEffects([create, seats])).map((e) => e.correlationId)).toEqual([
      create.Correlation_Id__c,
      seats.Correlation_Id__c,
    ])
  })

  it('follows a chain of merges, A into B and B into C, whichever Salesforce reports first', async () => {
    const [a, b, c] = await Promise.all([createAccount(), createAccount(), createAccount()])
    const [a2, b2, c2] = await Promise.all([createAccount(), createAccount(), createAccount()])
    const sub = key('CHAIN')
    const create = amendmentEvent({ Account_Id__c: a, Subscription_Key__c: sub, Sequence__c: 1 })
    const seats = amendmentEvent({
      Account_Id__c: a,
      Subscription_Key__c: sub,
      Sequence__c: 2,
      Action__c: 'change_quantity',
      Price_Key__c: null,
      Quantity__c: 9,
    })
    const sub2 = key('CHAIN2')
    const create2 = amendmentEvent({ Account_Id__c: a2, Subscription_Key__c: sub2, Sequence__c: 1 })
    const seats2 = amendmentEvent({
      Account_Id__c: a2,
      Subscription_Key__c: sub2,
      Sequence__c: 2,
      Action__c: 'change_quantity',
      Price_Key__c: null,
      Quantity__c: 4,
    })

    // In order: A's create applied, A into B, then B into C; a late change still names A.
    await postEvents([create])
    await settle(a)
    await postAccountChanges([merged(a, b)])
    await settle(a, b)
    await postAccountChanges([merged(b, c)])
    await settle(a, b, c)
    const res = await postEvents([seats])
    expect(await res.json()).toMatchObject({
      results: [{ eventUuid: seats.EventUuid, status: 'queued' }],
    })
    // Out of order: B2 into C2 arrives first, while A2's second change waits in A2's ledger
    // for its create, which comes last.
    await postEvents([seats2])
    await postAccountChanges([merged(b2, c2)])
    await settle(b2, c2)
    await postAccountChanges([merged(a2, b2)])
    await settle(a2, b2, c2)
    await postEvents([create2])
    await settle(a2, b2, c2, a, b, c)

    expect(await ledger(c).amendment(String(seats.EventUuid))).toMatchObject({ state: 'applied' })
    for (const e of [create2, seats2])
      expect(await ledger(c2).amendment(String(e.EventUuid))).toMatchObject({ state: 'applied' })
    expect(await billingEffects([create, seats, create2, seats2])).toHaveLength(4)
    const mirrors = await salesforceRecords('Billing_Subscription__c')
    expect(mirrors.find((r) => r.Subscription_Key__c === sub)).toMatchObject({
      Account__c: c,
      Quantity__c: 9,
    })
    expect(mirrors.find((r) => r.Subscription_Key__c === sub2)).toMatchObject({
      Account__c: c2,
      Quantity__c: 4,
    })
  })

  it('resumes a taxed create stopped between billing and ERP on the survivor, with the tax billing computed', async () => {
    useStripeTax(true)
    const loser = await createAccount({
      BillingStreet: '1 Market St',
      BillingCity: 'San Francisco',
      BillingState: 'CA',
      BillingPostalCode: '94105',
      BillingCountry: 'US',
    })
    const survivor = await createAccount()
    const create = amendmentEvent({ Account_Id__c: loser, Subscription_Key__c: key('TAX') })
    const id = String(create.EventUuid)
    // NetSuite refuses this amendment's order until the merge has moved it.
    const order = `salesOrder/eid:${amendmentExternalId(id)}`
    await setFaults(vendors().netsuiteUrl, [{ route: order, status: 503, rate: 1 }])
    await postEvents([create])
    await until(
      'the create to be billed and wait on NetSuite',
      async () => (await ledger(loser).amendment(id))?.step === 'erp',
      { intervalMs: 50, timeoutMs: 20_000 },
    )
    await postAccountChanges([merged(loser, survivor)])
    await until('the survivor to adopt it', async () => !!(await ledger(survivor).amendment(id)), {
      intervalMs: 50,
      timeoutMs: 20_000,
    })
    await setFaults(vendors().netsuiteUrl, [])
    await until(
      'the create to apply on the survivor',
      async () => (await ledger(survivor).amendment(id))?.state === 'applied',
      { intervalMs: 100, timeoutMs: 40_000 },
    )
    const written = await emulatorControl<Record<string, unknown>>(
      vendors().netsuiteUrl,
      'netsuite/record',
      { type: 'salesOrder', ref: `eid:${order.slice('salesOrder/eid:'.length)}` },
    )
    expect(written.taxDetailsOverride).toBe(true)
    expect(Number(written.taxTotal)).toBeGreaterThan(0)
  }, 60_000)
})
