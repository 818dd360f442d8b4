import { abortAllDurableObjects } from 'cloudflare:test'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { seededRandom, shuffle } from '../worker/support/random.ts'
import { amendmentEvent, drainWriter, ledger, postEvents } from '../worker/support/helpers.ts'
import {
  createAccount,
  emulatorControl,
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
  postAccountChanges,
  stripeCustomersOf,
  stripeNow,
} from './merge-support.ts'
import { judgeEffects } from './merge-judge.ts'
import {
  judgeCustomers,
  judgeOrders,
  judgeReviews,
  RULES,
  type EntityTimeline,
  type SubPlan,
} from './reparent-judge.ts'

// workerd has no process.env: the shell's CHAOS_SEED comes in through the global setup.
const SEED = Number(inject('replay').CHAOS_SEED ?? 20261208)
const ACCOUNTS = 8

type Event = Record<string, unknown>

/** By account index: none, A → B, A → B → A, A → B → C. */
const PATHS = [
  ['US-INC'],
  ['US-INC', 'UK-LTD'],
  ['US-INC', 'UK-LTD', 'US-INC'],
  ['US-INC', 'UK-LTD', 'EU-GMBH'],
]

/** A create (2 seats) and `changes` seat changes of one new subscription. */
function chain(account: string, changes: number): Event[] {
  const key = `SUB-CHAOS-RP-${crypto.randomUUID().slice(0, 8)}`
  return Array.from({ length: changes + 1 }, (_, i) =>
    amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: key,
      Sequence__c: i + 1,
      ...(i === 0
        ? { Quantity__c: 2 }
        : { Action__c: 'change_quantity', Price_Key__c: null, Quantity__c: 2 + i }),
    }),
  )
}

interface Plan {
  account: string
  path: string[]
  /** Before any change; during the first change; during the second; after the last. */
  first: Event[]
  second: Event[]
  third: Event[]
  last: Event[]
}

async function plans(): Promise<Plan[]> {
  return Promise.all(
    Array.from({ length: ACCOUNTS }, async (_, i) => {
      const account = await createAccount({ Concord_Legal_Entity__c: 'US-INC' })
      return {
        account,
        path: PATHS[i % PATHS.length] as string[],
        first: chain(account, 3),
        second: chain(account, 1),
        third: chain(account, 1),
        last: chain(account, 0),
      }
    }),
  )
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
        rate: 0.1,
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

/** Salesforce saved the Account's new legal entity; the relay's change for it. */
async function reparented(account: string, k: number, entity: string) {
  const savedAt = Date.now()
  await emulatorControl(vendors().salesforceUrl, 'salesforce/put', {
    object: 'Account',
    externalIdField: 'Id',
    records: [{ Id: account, Concord_Legal_Entity__c: entity }],
  })
  return {
    id: `legal-entity:${account}:${k}:${entity}`,
    type: 'account.legal_entity_changed',
    accountId: account,
    legalEntity: entity,
    savedAt,
  }
}

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  )
}

const FINAL = new Set(['applied', 'parked'])

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

/**
 * Sends a shuffled mix of amendments and changes in small batches; each change's first send and
 * answer are noted on its account's timeline. `during` runs after the given batch.
 */
async function deliver(
  mixed: Event[],
  timelines: Map<string, EntityTimeline>,
  during: Record<number, () => Promise<unknown>> = {},
): Promise<number> {
  for (const [i, batch] of chunks(mixed, 5).entries()) {
    const changes = batch.filter((x) => x.type === 'account.legal_entity_changed')
    const events = batch.filter((x) => x.type !== 'account.legal_entity_changed')
    if (changes.length > 0) {
      const res = await postAccountChanges(changes.map(({ savedAt: _, ...c }) => c))
      const answeredAt = Date.now()
      expect(res.status, await res.clone().text()).toBe(200)
      const { results } = await res.json<{ results: Array<{ id: string; status: string }> }>()
      for (const r of results)
        expect(['queued', 'duplicate', 'unchanged'], r.id).toContain(r.status)
      for (const c of changes) {
        const t = timelines.get(String(c.accountId)) as EntityTimeline
        if (!t.changes.some((x) => x.id === c.id))
          t.changes.push({ id: String(c.id), sentAt: Number(c.savedAt), answeredAt })
      }
    }
    if (events.length > 0) expect((await postEvents(events)).status).toBe(200)
    await during[i]?.()
  }
  return mixed.length
}

describe('chaos: Account re-parenting while amendments flow, faults on every vendor', () => {
  afterEach(faultsOff)

  it('routes new work to the latest legal entity’s subsidiary, keeps open subscriptions where they were ordered and reviews each once per change', async () => {
    const random = seededRandom(SEED)
    const since = await stripeNow()
    const all = await plans()
    const accounts = all.map((p) => p.account)
    const timelines = new Map(
      all.map((p) => [p.account, { account: p.account, entities: p.path, changes: [] }]),
    )
    const createSentAt = new Map<unknown, number>()
    const stamp = (events: Event[]) => {
      for (const e of events)
        if (e.Sequence__c === 1 && !createSentAt.has(e.Subscription_Key__c))
          createSentAt.set(e.Subscription_Key__c, Date.now())
      return events
    }
    const again = (events: Event[]) => events.filter(() => random() < 0.2)
    await faultsOn()

    // Before any change: each account's first subscription, its create and first seat change.
    const early = stamp(all.flatMap((p) => p.first.slice(0, 2)))
    let deliveries = await deliver(shuffle([...early, ...again(early)], random), timelines)
    await until(
      'half of the accounts to have something applied',
      async () => {
        let n = 0
        for (const a of accounts) if ((await ledger(a).summary())?.counts.applied) n++
        return n >= ACCOUNTS / 2
      },
      { intervalMs: 250, timeoutMs: 60_000 },
    )

    // The first changes (each twice) among the rest of the first subscriptions and the second
    // subscriptions; Stripe goes down for a while and every object crashes half-way.
    const firstChanges = await Promise.all(
      all
        .filter((p) => p.path.length > 1)
        .map((p) => reparented(p.account, 1, p.path[1] as string)),
    )
    const mid = all.flatMap((p) => [...p.first.slice(2), ...p.second])
    const phase2 = shuffle(
      [...mid, ...firstChanges, ...firstChanges, ...again(early), ...again(mid)],
      random,
    )
    for (const e of phase2) stamp([e])
    deliveries += await deliver(phase2, timelines, {
      2: () => outage(vendors().stripeUrl, 6),
      5: () => abortAllDurableObjects(),
    })

    // The second changes (A → B → A, A → B → C), each twice, among the third subscriptions and
    // late copies of the first changes.
    const secondChanges = await Promise.all(
      all
        .filter((p) => p.path.length > 2)
        .map((p) => reparented(p.account, 2, p.path[2] as string)),
    )
    const late = all.flatMap((p) => p.third)
    const phase3 = shuffle(
      [...late, ...secondChanges, ...secondChanges, ...again(firstChanges), ...again(mid)],
      random,
    )
    for (const e of phase3) stamp([e])
    deliveries += await deliver(phase3, timelines, { 3: () => outage(vendors().netsuiteUrl, 4) })

    // After every change was answered: one more new subscription per account.
    const tail = stamp(all.flatMap((p) => p.last))
    deliveries += await deliver(shuffle([...tail, ...again(tail)], random), timelines)

    const customers = () =>
      stripeCustomersOf(new Set(accounts)).then((m) => new Set([...m.values()].flat()))
    let webhooks = await deliverWebhooks(await customers(), since, random)
    await until(
      'the ledgers to settle',
      async () => {
        for (const a of accounts) if ((await ledger(a).summary())?.counts.waiting) return false
        return true
      },
      { intervalMs: 1000, timeoutMs: 100_000 },
    )
    await faultsOff()
    webhooks += await deliverWebhooks(await customers(), since, random)

    const chains = all.flatMap((p) => [p.first, p.second, p.third, p.last])
    const syncs = await finalStatuses(chains.flat())
    const netsuite = await netsuiteEffects()
    const tally = judgeEffects(chains, syncs, await stripeEffects(), netsuite)
    for (const [account, ids] of await stripeCustomersOf(new Set(accounts)))
      expect(ids, `${account}: one Stripe customer`).toHaveLength(1)

    const subs: SubPlan[] = chains.map((c) => ({
      account: String(c[0]?.Account_Id__c),
      key: String(c[0]?.Subscription_Key__c),
      correlations: c.map((e) => String(e.Correlation_Id__c)),
      createSentAt: createSentAt.get(c[0]?.Subscription_Key__c) ?? 0,
    }))
    const verdicts = await judgeOrders(subs, timelines, netsuite)
    let erpCustomers = 0
    let reviews = 0
    for (const p of all) {
      const t = timelines.get(p.account) as EntityTimeline
      expect(t.changes, `${p.account}: every change sent`).toHaveLength(p.path.length - 1)
      const byCustomer = await judgeCustomers(p.account, netsuite)
      erpCustomers += byCustomer.size
      // New work after the last change: its customer is in the latest entity's subsidiary.
      const latest = RULES[p.path.at(-1) as string]
      const newest = verdicts.find((v) => v.key === p.last[0]?.Subscription_Key__c)
      if (newest) expect(newest.subsidiary, `${p.account}: newest work's subsidiary`).toBe(latest)
      reviews += await judgeReviews(t, verdicts)
    }
    const moved = verdicts.filter((v) => v.subsidiary !== '1').length
    console.log(
      `reparent chaos seed ${SEED}: ${JSON.stringify(tally)} over ${chains.flat().length} amendments, ${firstChanges.length + secondChanges.length} changes (${secondChanges.length} accounts changed twice, each sent twice), ${deliveries} deliveries, ${webhooks} webhooks, ${erpCustomers} NetSuite customers, ${verdicts.length} subscriptions ordered (${moved} outside subsidiary 1), ${reviews} reviews`,
    )
  }, 360_000)
})
