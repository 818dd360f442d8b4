import { describe, expect, inject, it } from 'vitest'
import { seededRandom, shuffle } from '../worker/support/random.ts'
import { amendmentEvent, drainWriter, ledger, postEvents } from '../worker/support/helpers.ts'
import {
  createAccount,
  netsuiteEffects,
  outage,
  salesforceRecords,
  setFaults,
  stripeEffects,
  vendors,
} from '../worker/support/vendors.ts'
import { until } from '../support/poll.ts'
import { PROVISIONING } from '../worker/support/wiring.ts'

// workerd has no process.env: the shell's CHAOS_SEED comes in through the global setup.
const SEED = Number(inject('replay').CHAOS_SEED ?? 20261122)
const ACCOUNTS = 30
const SUBSCRIPTIONS_PER_ACCOUNT = 2
const AMENDMENTS_PER_SUBSCRIPTION = 5

type Event = Record<string, unknown>

/** create, three seat changes, then monthly → annual: five ordered changes per subscription. */
function chain(accountId: string, n: number): Event[] {
  const key = `SUB-CHAOS-${crypto.randomUUID().slice(0, 8)}`
  const base = {
    Account_Id__c: accountId,
    Subscription_Key__c: key,
    Price_Key__c: null,
    Quantity__c: null,
  }
  return Array.from({ length: n }, (_, i) => {
    if (i === 0)
      return amendmentEvent({
        ...base,
        Sequence__c: 1,
        Action__c: 'create',
        Price_Key__c: 'pro-monthly-usd',
        Quantity__c: 3,
      })
    if (i === n - 1)
      return amendmentEvent({
        ...base,
        Sequence__c: i + 1,
        Action__c: 'change_price',
        Price_Key__c: 'pro-annual-usd',
        Proration__c: 'none',
      })
    return amendmentEvent({
      ...base,
      Sequence__c: i + 1,
      Action__c: 'change_quantity',
      Quantity__c: 3 + i,
    })
  })
}

/** The ledgers' counts once nothing is waiting, or as they stand when the deadline passes. */
async function settled(accounts: string[], deadlineMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + deadlineMs
  return until(
    'the ledgers to settle',
    async () => {
      const totals: Record<string, number> = {}
      for (const a of accounts)
        for (const [state, n] of Object.entries((await ledger(a).summary())?.counts ?? {}))
          totals[state] = (totals[state] ?? 0) + n
      return !totals.waiting || Date.now() > deadline ? totals : undefined
    },
    { intervalMs: 1000, timeoutMs: deadlineMs + 60_000 },
  )
}

/**
 * Activation's invariants (default rule `on_create`): a subscription whose create was applied is
 * activated once, after it was applied, with one activation id the receiver took; one whose
 * create was not applied never is.
 */
async function activatedOnce(chains: Event[][]): Promise<void> {
  for (const [create] of chains) {
    const account = create?.Account_Id__c as string
    const key = create?.Subscription_Key__c as string
    const detail = await ledger(account).amendment(create?.EventUuid as string)
    const view = await ledger(account).activation(key)
    if (detail?.state !== 'applied') {
      expect(view?.activatedAt, `${key}: not activated before its create applied`).toBeUndefined()
      continue
    }
    const applied = detail.audit.find((line) => line.action === 'applied')?.at ?? ''
    expect(view?.activatedAt, `${key}: activated`).toBeDefined()
    expect(Date.parse(view?.activatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(applied))
    await until(
      `the activation of ${key} to reach the receiver`,
      () => (PROVISIONING.activationsOf(key) === 1 ? true : undefined),
      { intervalMs: 500, timeoutMs: 120_000 },
    )
  }
  const keys = new Set(chains.map(([c]) => c?.Subscription_Key__c as string))
  const ids = [...PROVISIONING.activated.values()].filter((a) => keys.has(a.subscriptionKey))
  expect(ids.length, 'one activation id per activated subscription').toBe(
    new Set(ids.map((a) => a.subscriptionKey)).size,
  )
}

describe('chaos: faults on every vendor', () => {
  it('applies a few hundred amendments over dozens of accounts exactly once and in order, or parks them with a reason', async () => {
    const random = seededRandom(SEED)
    const { stripeUrl, netsuiteUrl, salesforceUrl } = vendors()
    const apiCallsBefore = (
      await (await fetch(`${salesforceUrl}/__control/state`)).json<{ api: { total: number } }>()
    ).api.total
    const accounts = await Promise.all(Array.from({ length: ACCOUNTS }, () => createAccount()))
    const chains = accounts.flatMap((a) =>
      Array.from({ length: SUBSCRIPTIONS_PER_ACCOUNT }, () =>
        chain(a, AMENDMENTS_PER_SUBSCRIPTION),
      ),
    )
    const all = chains.flat()

    await setFaults(
      stripeUrl,
      [
        { route: '/v1/', status: 429, rate: 0.08, retryAfter: 1 },
        { route: '/v1/', status: 500, rate: 0.04 },
        { route: 'POST /v1/subscriptions', status: 503, rate: 0.04, afterEffect: true },
        { route: 'POST /v1/subscriptions', hang: true, count: 2 },
      ],
      SEED,
    )
    await setFaults(
      netsuiteUrl,
      [
        { route: '/record/v1/', status: 429, rate: 0.08, retryAfter: 1 },
        { route: '/record/v1/', status: 503, rate: 0.04 },
        {
          route: 'PUT /services/rest/record/v1/salesOrder',
          status: 503,
          rate: 0.04,
          afterEffect: true,
        },
      ],
      SEED + 1,
    )
    await setFaults(salesforceUrl, [{ route: '/composite', status: 503, rate: 0.05 }], SEED + 2)
    // The provisioning receiver fails some activation webhooks too (retried by the policy).
    PROVISIONING.failNext(503, 500, 429, 503)

    // Deliver shuffled, in batches, with every tenth event sent twice; Stripe goes down for 30 s
    // a third of the way in.
    const deliveries = shuffle([...all, ...all.filter(() => random() < 0.1)], random)
    for (let i = 0; i < deliveries.length; i += 40) {
      if (i === 120) await outage(stripeUrl, 30)
      const res = await postEvents(deliveries.slice(i, i + 40))
      expect(res.status).toBe(200)
    }

    const totals = await settled(accounts, 240_000)
    await Promise.all([
      setFaults(stripeUrl, []),
      setFaults(netsuiteUrl, []),
      setFaults(salesforceUrl, []),
    ])
    expect(totals.waiting ?? 0).toBe(0)
    expect((totals.applied ?? 0) + (totals.parked ?? 0)).toBe(all.length)

    const stripe = await stripeEffects()
    const netsuite = await netsuiteEffects()
    const effectsBy = (list: typeof stripe, id: string) =>
      list.filter((e) => e.correlationId === id && !e.kind.endsWith('.noop'))
    for (const subscription of chains) {
      const billedOrder: number[] = []
      for (const event of subscription) {
        const detail = await ledger(event.Account_Id__c as string).amendment(
          event.EventUuid as string,
        )
        const billing = effectsBy(stripe, event.Correlation_Id__c as string).filter(
          (e) => e.kind.startsWith('subscription.') && e.kind !== 'subscription.status',
        )
        const erp = effectsBy(netsuite, event.Correlation_Id__c as string).filter(
          (e) => !e.kind.startsWith('customer.'),
        )
        if (detail?.state === 'applied') {
          expect(billing, `one billing effect for ${String(event.EventUuid)}`).toHaveLength(1)
          expect(erp, `one ERP effect for ${String(event.EventUuid)}`).toHaveLength(1)
          billedOrder.push(stripe.indexOf(billing[0] as (typeof stripe)[number]))
        } else {
          expect(detail?.state).toBe('parked')
          expect(detail?.errorCode, 'a parked amendment says why').toBeTruthy()
          expect(billing.length).toBeLessThanOrEqual(1)
        }
      }
      expect(billedOrder, 'billing effects in sequence order').toEqual(
        [...billedOrder].sort((a, b) => a - b),
      )
    }
    await drainWriter()
    const syncs = new Map(
      (await salesforceRecords('Subscription_Sync__c')).map((r) => [r.External_Id__c, r.Status__c]),
    )
    const unreported = all.filter((e) => syncs.get(e.EventUuid) === undefined)
    expect(unreported.length, 'every amendment has its status in Salesforce').toBe(0)
    await activatedOnce(chains)
    const apiCalls =
      (
        await (
          await fetch(`${salesforceUrl}/__control/state`)
        ).json<{
          api: { total: number }
        }>()
      ).api.total - apiCallsBefore
    console.log(
      `chaos seed ${SEED}: ${JSON.stringify(totals)} over ${all.length} amendments, ${deliveries.length} deliveries, ${apiCalls} Salesforce API calls`,
    )
  }, 360_000)
})
