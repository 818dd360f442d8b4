import { abortAllDurableObjects } from 'cloudflare:test'
import { afterEach, describe, expect, inject, it } from 'vitest'
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
import {
  deliverWebhooks,
  merged,
  postAccountChanges,
  stripeCustomersOf,
  stripeNow,
} from './merge-support.ts'
import { judgeCustomers, judgeEffects, judgeMirrors, mirrorChecks } from './merge-judge.ts'

// workerd has no process.env: the shell's CHAOS_SEED comes in through the global setup.
const SEED = Number(inject('replay').CHAOS_SEED ?? 20261208)
const PAIRS = 8

type Event = Record<string, unknown>

/**
 * A loser merged into a survivor; every other survivor bills a subscription of its own. The
 * second pair's survivor is itself merged into the first's (a chain, reported in either order):
 * `final` is where the loser's work ends.
 */
interface Pair {
  loser: string
  survivor: string
  final: string
  loserChain: Event[]
  survivorChain: Event[]
}

/** create (3 seats), seats 4, 5, 6, then monthly → annual: five ordered changes. */
function loserChain(accountId: string): Event[] {
  const base = {
    Account_Id__c: accountId,
    Subscription_Key__c: `SUB-CHAOS-MERGE-${crypto.randomUUID().slice(0, 8)}`,
    Price_Key__c: null,
    Quantity__c: null,
  }
  return [
    { ...base, Sequence__c: 1, Price_Key__c: 'pro-monthly-usd', Quantity__c: 3 },
    { ...base, Sequence__c: 2, Action__c: 'change_quantity', Quantity__c: 4 },
    { ...base, Sequence__c: 3, Action__c: 'change_quantity', Quantity__c: 5 },
    { ...base, Sequence__c: 4, Action__c: 'change_quantity', Quantity__c: 6 },
    {
      ...base,
      Sequence__c: 5,
      Action__c: 'change_price',
      Price_Key__c: 'pro-annual-usd',
      Proration__c: 'none',
    },
  ].map((fields) => amendmentEvent(fields))
}

function survivorChain(accountId: string): Event[] {
  const key = `SUB-CHAOS-KEEP-${crypto.randomUUID().slice(0, 8)}`
  return [
    amendmentEvent({ Account_Id__c: accountId, Subscription_Key__c: key, Quantity__c: 2 }),
    amendmentEvent({
      Account_Id__c: accountId,
      Subscription_Key__c: key,
      Sequence__c: 2,
      Action__c: 'change_quantity',
      Price_Key__c: null,
      Quantity__c: 7,
    }),
  ]
}

async function pairs(): Promise<Pair[]> {
  const made = await Promise.all(
    Array.from({ length: PAIRS }, async (_, i) => {
      const [loser, survivor] = await Promise.all([createAccount(), createAccount()])
      return {
        loser,
        survivor,
        final: survivor,
        loserChain: loserChain(loser),
        survivorChain: i % 2 === 0 ? survivorChain(survivor) : [],
      }
    }),
  )
  const [first, second] = made as [Pair, Pair]
  second.final = first.survivor
  return made
}

async function faultsOn(): Promise<void> {
  const { stripeUrl, netsuiteUrl, salesforceUrl } = vendors()
  await setFaults(
    stripeUrl,
    [
      { route: '/v1/', status: 429, rate: 0.08, retryAfter: 1 },
      { route: '/v1/', status: 500, rate: 0.04 },
      { route: 'POST /v1/customers', status: 503, rate: 0.15, afterEffect: true },
      { route: 'POST /v1/subscriptions', status: 503, rate: 0.08, afterEffect: true },
    ],
    SEED,
  )
  await setFaults(
    netsuiteUrl,
    [
      { route: '/record/v1/', status: 429, rate: 0.08, retryAfter: 1 },
      {
        route: 'PUT /services/rest/record/v1/customer',
        status: 503,
        rate: 0.15,
        afterEffect: true,
      },
      {
        route: 'PUT /services/rest/record/v1/salesOrder',
        status: 503,
        rate: 0.08,
        afterEffect: true,
      },
    ],
    SEED + 1,
  )
  await setFaults(salesforceUrl, [{ route: '/composite', status: 503, rate: 0.05 }], SEED + 2)
}

async function faultsOff(): Promise<void> {
  const { stripeUrl, netsuiteUrl, salesforceUrl } = vendors()
  await Promise.all([
    setFaults(stripeUrl, []),
    setFaults(netsuiteUrl, []),
    setFaults(salesforceUrl, []),
  ])
}

/** Sums the ledgers' counts (pacing only: the verdict comes from the emulators). */
async function counts(accounts: string[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = {}
  for (const a of accounts)
    for (const [state, n] of Object.entries((await ledger(a).summary())?.counts ?? {}))
      totals[state] = (totals[state] ?? 0) + n
  return totals
}

/** What is still open in the ledgers, for a settle that times out. */
async function openRows(accounts: string[]): Promise<unknown[]> {
  const out: unknown[] = []
  for (const a of accounts) {
    const summary = await ledger(a).summary()
    for (const row of summary?.open ?? [])
      out.push({ account: a, ...row, detail: await ledger(a).amendment(row.id) })
  }
  return out
}

const FINAL = new Set(['applied', 'parked'])

/** Each amendment's `Subscription_Sync__c`, once every one shows a final status. */
async function finalStatuses(all: Event[]): Promise<Map<unknown, Record<string, unknown>>> {
  let last = new Map<unknown, Record<string, unknown>>()
  return until(
    'every amendment to show a final status in Salesforce',
    async () => {
      await drainWriter()
      last = new Map(
        (await salesforceRecords('Subscription_Sync__c')).map((r) => [r.External_Id__c, r]),
      )
      return all.every((e) => FINAL.has(String(last.get(e.EventUuid)?.Status__c)))
        ? last
        : undefined
    },
    {
      intervalMs: 1000,
      timeoutMs: 120_000,
      describe: () =>
        all
          .filter((e) => !FINAL.has(String(last.get(e.EventUuid)?.Status__c)))
          .map((e) => `${String(e.EventUuid)}: ${String(last.get(e.EventUuid)?.Status__c)}`),
    },
  )
}

describe('chaos: Account merges while amendments are pending, faults on every vendor', () => {
  // A failing run must not leave its faults on for the next file (the emulators are shared).
  afterEach(faultsOff)

  it('applies every amendment of a merged-away Account once, in order, on the survivor, with no second customer', async () => {
    const random = seededRandom(SEED)
    const since = await stripeNow()
    const all = await pairs()
    const accounts = all.flatMap((p) => [p.loser, p.survivor])
    const chains = all.flatMap((p) => [p.loserChain, p.survivorChain]).filter((c) => c.length > 0)
    const amendments = chains.flat()
    await faultsOn()

    // Before the merges: each loser's create and first change, the survivors' own work, with
    // one in five sent twice.
    const early = [...all.flatMap((p) => [...p.loserChain.slice(0, 2), ...p.survivorChain])]
    for (const batch of chunks(
      shuffle([...early, ...early.filter(() => random() < 0.2)], random),
      8,
    ))
      expect((await postEvents(batch)).status).toBe(200)
    // Some losers' creates are applied, the rest pending or mid-saga, when Salesforce merges.
    await until(
      'a few losers to have an amendment applied',
      async () => {
        let n = 0
        for (const p of all) if ((await ledger(p.loser).summary())?.counts.applied) n++
        return n >= PAIRS / 2
      },
      { intervalMs: 250, timeoutMs: 60_000 },
    )

    // The merges (each twice) among the losers' later amendments (still naming the loser, as
    // Apex published them before the merge), shuffled, with early ones sent again; every object
    // crashes half-way, and Stripe is down for a while.
    const late = all.flatMap((p) => p.loserChain.slice(2))
    const chained = merged(all[1]!.survivor, all[0]!.survivor)
    const merges = [
      ...all.flatMap((p) => [merged(p.loser, p.survivor), merged(p.loser, p.survivor)]),
      chained,
      chained,
    ]
    const mixed = shuffle(
      [
        ...late,
        ...merges,
        ...early.filter(() => random() < 0.2),
        ...late.filter(() => random() < 0.2),
      ],
      random,
    )
    let deliveries = 0
    for (const [i, batch] of chunks(mixed, 5).entries()) {
      const changes = batch.filter((x) => x.type === 'account.merged')
      const events = batch.filter((x) => x.type !== 'account.merged')
      if (changes.length > 0) {
        const res = await postAccountChanges(changes)
        expect(res.status, await res.clone().text()).toBe(200)
      }
      if (events.length > 0) expect((await postEvents(events)).status).toBe(200)
      deliveries += batch.length
      if (i === 3) await outage(vendors().stripeUrl, 8)
      if (i === 6) await abortAllDurableObjects()
    }
    // Stripe's webhooks, the loser's customers' among them, shuffled and some twice.
    const customers = () =>
      stripeCustomersOf(new Set(accounts)).then((m) => new Set([...m.values()].flat()))
    let webhooks = await deliverWebhooks(await customers(), since, random)

    await until('the ledgers to settle', async () => !(await counts(accounts)).waiting, {
      intervalMs: 1000,
      timeoutMs: 100_000,
      describe: () => openRows(accounts),
    })
    await faultsOff()
    webhooks += await deliverWebhooks(await customers(), since, random)
    const syncs = await finalStatuses(amendments)

    const tally = judgeEffects(chains, syncs, await stripeEffects(), await netsuiteEffects())
    const customerCount = judgeCustomers(
      all.map((p) => ({ ...p, own: p.survivorChain.length > 0 })),
      await stripeCustomersOf(new Set(accounts)),
      await netsuiteEffects(),
    )
    const checks = mirrorChecks(
      all.map((p) => ({ ...p, survivor: p.final })),
      syncs,
    )
    await judgeMirrors(checks)
    console.log(
      `merge chaos seed ${SEED}: ${JSON.stringify(tally)} over ${amendments.length} amendments, ${merges.length / 2} merges (one chained, each sent twice), ${deliveries} late deliveries, ${webhooks} webhooks, ${customerCount.stripe} Stripe customers, ${customerCount.beside} survivors with work of their own keeping their customer beside their loser's, ${checks.length} mirrors moved`,
    )
  }, 360_000)
})

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  )
}
