import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { seededRandom, shuffle } from '../worker/support/random.ts'
import { amendmentEvent, ledger, postEvents } from '../worker/support/helpers.ts'
import {
  emulatorControl,
  netsuiteEffects,
  setFaults,
  stripeEffects,
  vendors,
} from '../worker/support/vendors.ts'
import { useStripeTax } from '../worker/support/wiring.ts'
import { until } from '../support/poll.ts'

// workerd has no process.env: the shell's CHAOS_SEED comes in through the global setup.
const SEED = Number(inject('replay').CHAOS_SEED ?? 20261207)
const ACCOUNTS = 12

type Event = Record<string, unknown>

/** Taxed, exempt and reverse-charged Accounts, in turn. */
const PROFILES: Event[] = [
  {
    BillingStreet: '1 Market St',
    BillingCity: 'San Francisco',
    BillingState: 'CA',
    BillingPostalCode: '94105',
    BillingCountry: 'US',
  },
  {
    BillingCity: 'Los Angeles',
    BillingState: 'CA',
    BillingPostalCode: '90012',
    BillingCountry: 'US',
    Tax_Exempt__c: 'exempt',
  },
  {
    BillingCity: 'Berlin',
    BillingPostalCode: '10117',
    BillingCountry: 'DE',
    Tax_Id__c: 'DE123456789',
    Tax_Id_Type__c: 'eu_vat',
  },
]

async function taxAccount(fields: Event): Promise<string> {
  const answer = await emulatorControl<{ results: Array<{ id?: string }> }>(
    vendors().salesforceUrl,
    'salesforce/put',
    {
      object: 'Account',
      records: [
        {
          Name: `Chaos Tax ${crypto.randomUUID().slice(0, 6)}`,
          CurrencyIsoCode: 'USD',
          Concord_Legal_Entity__c: 'US-INC',
          ...fields,
        },
      ],
    },
  )
  const id = answer.results[0]?.id
  if (!id) throw new Error(`could not create an Account: ${JSON.stringify(answer)}`)
  return id
}

/** create, then two seat changes. */
function chain(accountId: string): Event[] {
  const base = {
    Account_Id__c: accountId,
    Subscription_Key__c: `SUB-CHAOS-TAX-${crypto.randomUUID().slice(0, 8)}`,
    Price_Key__c: null,
    Quantity__c: null,
  }
  return [
    amendmentEvent({
      ...base,
      Sequence__c: 1,
      Action__c: 'create',
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 3,
    }),
    amendmentEvent({ ...base, Sequence__c: 2, Action__c: 'change_quantity', Quantity__c: 4 }),
    amendmentEvent({ ...base, Sequence__c: 3, Action__c: 'change_quantity', Quantity__c: 6 }),
  ]
}

describe('chaos: Stripe Tax on, faults on every vendor', () => {
  beforeAll(() => useStripeTax(true))
  afterAll(() => useStripeTax(undefined))

  it('bills taxed, exempt and reverse-charged accounts exactly once, with the tax on each create order', async () => {
    const random = seededRandom(SEED)
    const { stripeUrl, netsuiteUrl } = vendors()
    const accounts = await Promise.all(
      Array.from({ length: ACCOUNTS }, (_, i) => taxAccount(PROFILES[i % PROFILES.length] ?? {})),
    )
    const chains = accounts.map(chain)
    const all = chains.flat()
    await setFaults(
      stripeUrl,
      [
        { route: '/v1/', status: 429, rate: 0.08, retryAfter: 1 },
        { route: '/v1/', status: 500, rate: 0.04 },
        // A lost answer after the customer's tax fields were set, and after the create.
        { route: 'POST /v1/customers/', status: 503, rate: 0.1, afterEffect: true },
        { route: 'POST /v1/subscriptions', status: 503, rate: 0.06, afterEffect: true },
      ],
      SEED,
    )
    await setFaults(
      netsuiteUrl,
      [
        { route: '/record/v1/', status: 429, rate: 0.08, retryAfter: 1 },
        {
          route: 'PUT /services/rest/record/v1/salesOrder',
          status: 503,
          rate: 0.06,
          afterEffect: true,
        },
      ],
      SEED + 1,
    )
    const deliveries = shuffle([...all, ...all.filter(() => random() < 0.2)], random)
    for (let i = 0; i < deliveries.length; i += 12) {
      const res = await postEvents(deliveries.slice(i, i + 12))
      expect(res.status).toBe(200)
    }
    const totals = await until(
      'the taxed ledgers to settle',
      async () => {
        const t: Record<string, number> = {}
        for (const a of accounts)
          for (const [state, n] of Object.entries((await ledger(a).summary())?.counts ?? {}))
            t[state] = (t[state] ?? 0) + n
        return t.waiting ? undefined : t
      },
      { intervalMs: 1000, timeoutMs: 240_000 },
    )
    await Promise.all([setFaults(stripeUrl, []), setFaults(netsuiteUrl, [])])
    expect(totals, 'every amendment applied (nothing here is a business failure)').toEqual({
      applied: all.length,
    })

    const stripe = await stripeEffects()
    const netsuite = await netsuiteEffects()
    for (const [i, subscription] of chains.entries()) {
      const create = subscription[0] as Event
      for (const event of subscription) {
        const id = event.Correlation_Id__c as string
        const billing = stripe.filter(
          (e) =>
            e.correlationId === id &&
            e.kind.startsWith('subscription.') &&
            !e.kind.endsWith('.noop') &&
            e.kind !== 'subscription.status',
        )
        expect(billing, `one billing effect for ${String(event.EventUuid)}`).toHaveLength(1)
        const erp = netsuite.filter(
          (e) =>
            e.correlationId === id && !e.kind.endsWith('.noop') && !e.kind.startsWith('customer.'),
        )
        expect(erp, `one ERP effect for ${String(event.EventUuid)}`).toHaveLength(1)
      }
      // The create's order carries the tax of the subscription's first invoice.
      const orderEffect = netsuite.find(
        (e) => e.correlationId === create.Correlation_Id__c && e.kind.startsWith('salesOrder.'),
      )
      const order = await emulatorControl<Event>(netsuiteUrl, 'netsuite/record', {
        type: 'salesOrder',
        ref: `eid:${String(orderEffect?.target).replace(/^salesOrder:/, '')}`,
      })
      const taxed = i % PROFILES.length === 0
      expect(order.taxDetailsOverride, `order of ${String(create.EventUuid)}`).toBe(true)
      if (taxed) expect(Number(order.taxTotal)).toBeGreaterThan(0)
      else expect(order.taxTotal).toBe(0)
    }
    console.log(`chaos tax seed ${SEED}: ${JSON.stringify(totals)} over ${all.length} amendments`)
  }, 360_000)
})
