import fc from 'fast-check'
import { describe, expect, inject, it } from 'vitest'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import { drain } from '../support/helpers.ts'
import { seededRandom, shuffle } from '../support/random.ts'
import { createAccount, salesforceRecords } from '../support/vendors.ts'
import { deliver, drainWriter, eventsOf, stripeApi } from './support.ts'

/*
 * Property: whatever order, duplication or timing Stripe's subscription webhooks arrive in, once
 * they are all in, every `Billing_Subscription__c` mirror equals the subscription Stripe holds.
 * Stripe's state changes between deliveries, so the ledger sees bursts of events from the same
 * second, late copies of old events, and events delivered while newer ones are still on the way.
 * `MIRROR_SEED=<n>` replays a run (fast-check prints the seed and path of a failing one);
 * `MIRROR_RUNS=<n>` sets how many scenarios are tried.
 */
const RUNS = Number(inject('replay').MIRROR_RUNS ?? 15)
const SEED = Number(inject('replay').MIRROR_SEED ?? 14)
const PRICES = ['price_pro_monthly_usd', 'price_team_monthly_usd'] as const

type Json = Record<string, unknown>
type Change =
  | { kind: 'quantity'; quantity: number }
  | { kind: 'price'; price: (typeof PRICES)[number] }
  | { kind: 'cancel_at_period_end'; value: boolean }
  | { kind: 'cancel' }
/** After a delivery: nothing, a run of the account's pump, or the pump and the OrgWriter's flush. */
type Pump = 'none' | 'ledger' | 'both'
interface Step {
  /** Which undelivered event goes next (modulo how many wait); a redelivery when none waits. */
  pick: number
  /** Whether this event is delivered once more at the very end (a late duplicate). */
  copy: boolean
  pump: Pump
}
interface Round {
  changes: Array<{ sub: number; change: Change }>
  steps: Step[]
}
interface Scenario {
  subscriptions: number
  rounds: Round[]
  tailSeed: number
}
interface Sub {
  id: string
  key: string
  itemId: string
  canceled: boolean
}

const change: fc.Arbitrary<Change> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('quantity' as const),
      quantity: fc.integer({ min: 1, max: 60 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('price' as const),
      price: fc.constantFrom(...PRICES),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('cancel_at_period_end' as const),
      value: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
)
const step: fc.Arbitrary<Step> = fc.record({
  pick: fc.nat(),
  copy: fc.boolean(),
  pump: fc.constantFrom<Pump>('none', 'none', 'none', 'ledger', 'both'),
})
const scenario: fc.Arbitrary<Scenario> = fc.record({
  subscriptions: fc.integer({ min: 1, max: 3 }),
  rounds: fc.array(
    fc.record({
      changes: fc.array(fc.record({ sub: fc.nat({ max: 2 }), change }), {
        minLength: 1,
        maxLength: 5,
      }),
      steps: fc.array(step, { maxLength: 10 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  tailSeed: fc.nat(),
})

async function createSubscription(customerId: string): Promise<Sub> {
  const key = `SUB-MIRROR-${crypto.randomUUID().slice(0, 8)}`
  const sub = await stripeApi('POST', '/v1/subscriptions', {
    customer: customerId,
    'items[0][price]': PRICES[0],
    'items[0][quantity]': '1',
    collection_method: 'send_invoice',
    days_until_due: '30',
    'metadata[subscription_key]': key,
  })
  const item = (sub.items as { data: Json[] }).data[0]
  return { id: String(sub.id), key, itemId: String(item?.id), canceled: false }
}

/** Changes the subscription in Stripe, as a finance user in the dashboard would. */
async function apply(sub: Sub, c: Change): Promise<void> {
  if (sub.canceled) return
  const path = `/v1/subscriptions/${sub.id}`
  if (c.kind === 'cancel') {
    await stripeApi('DELETE', path)
    sub.canceled = true
    return
  }
  const params: Record<string, string> =
    c.kind === 'quantity'
      ? { 'items[0][id]': sub.itemId, 'items[0][quantity]': String(c.quantity) }
      : c.kind === 'price'
        ? { 'items[0][id]': sub.itemId, 'items[0][price]': c.price }
        : { cancel_at_period_end: String(c.value) }
  await stripeApi('POST', path, { ...params, proration_behavior: 'none' })
}

/** What the mirror must say about a subscription Stripe holds (read independently of the worker). */
function expectedMirror(s: Json, accountId: string): Json {
  const item = (s.items as { data: Json[] }).data[0] as Json
  const priceId = String((item.price as Json).id)
  const ending = s.cancel_at_period_end === true || typeof s.cancel_at === 'number'
  const status =
    s.status === 'canceled'
      ? 'canceled'
      : s.status === 'active'
        ? ending
          ? 'scheduled_cancel'
          : 'active'
        : 'pending'
  return {
    Account__c: accountId,
    External_Id__c: s.id,
    Status__c: status,
    Quantity__c: item.quantity,
    Price_Key__c: Object.entries(DEMO_CATALOG.prices).find(
      ([, p]) => p.billingPriceId === priceId,
    )?.[0],
    Current_Period_End__c: new Date(Number(item.current_period_end) * 1000)
      .toISOString()
      .slice(0, 10),
    Currency_Iso__c: String(s.currency).toUpperCase(),
  }
}

async function post(event: Json): Promise<void> {
  const res = await deliver(event)
  expect(res.status, `delivery of ${String(event.type)}`).toBe(200)
}

async function pump(accountId: string, kind: Pump): Promise<void> {
  if (kind === 'none') return
  await drain(accountId, 500)
  if (kind === 'both') await drainWriter()
}

/** Runs one scenario against the emulators and the worker; throws when a mirror disagrees. */
async function run(s: Scenario): Promise<void> {
  const accountId = await createAccount()
  const customer = await stripeApi('POST', '/v1/customers', {
    name: 'Mirror Co',
    'metadata[sf_account_id]': accountId,
  })
  const customerId = String(customer.id)
  const filter = {
    type: 'customer.subscription.*',
    'created[gte]': String(Math.floor(Date.now() / 1000) - 5),
  }
  const subs: Sub[] = []
  for (let i = 0; i < s.subscriptions; i++) subs.push(await createSubscription(customerId))
  const seen = new Set<string>()
  const waiting: Json[] = []
  const delivered: Json[] = []
  const late: Json[] = []
  for (const round of s.rounds) {
    for (const { sub, change: c } of round.changes) await apply(subs[sub % subs.length] as Sub, c)
    for (const e of await eventsOf(customerId, new Set(), filter)) {
      if (seen.has(String(e.id))) continue
      seen.add(String(e.id))
      waiting.push(e)
    }
    for (const st of round.steps) {
      const e = waiting.length
        ? waiting.splice(st.pick % waiting.length, 1)[0]
        : delivered[st.pick % delivered.length]
      if (!e) break
      await post(e)
      delivered.push(e)
      if (st.copy) late.push(e)
      await pump(accountId, st.pump)
    }
  }
  // What is left arrives newest first, then the late copies in a seeded order.
  for (const e of [...waiting.reverse(), ...shuffle(late, seededRandom(s.tailSeed))]) await post(e)
  await pump(accountId, 'both')

  const mirrors = await salesforceRecords('Billing_Subscription__c')
  for (const sub of subs) {
    const stripe = await stripeApi('GET', `/v1/subscriptions/${sub.id}`)
    const mirror = mirrors.find((r) => r.Subscription_Key__c === sub.key)
    expect(mirror, `mirror of ${sub.key} (${sub.id})`).toMatchObject(
      expectedMirror(stripe, accountId),
    )
  }
}

describe('Billing_Subscription__c mirror from Stripe webhooks', () => {
  it(`ends equal to Stripe's subscriptions for any order, duplication and timing of their events (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => run(s)),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    )
  }, 120_000)
})
