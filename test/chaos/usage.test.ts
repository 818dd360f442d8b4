import { abortAllDurableObjects } from 'cloudflare:test'
import { describe, expect, inject, it } from 'vitest'
import { until } from '../support/poll.ts'
import { seededRandom, shuffle } from '../worker/support/random.ts'
import { ledger } from '../worker/support/helpers.ts'
import { outage, setFaults, stripeEffects, vendors } from '../worker/support/vendors.ts'
import { monthStart, postUsage, subscribedAccount, usageRecord } from '../worker/usage/support.ts'
import type { UsageResponse } from '../../shared/index.ts'

const SEED = Number(inject('replay').CHAOS_SEED ?? 20261207) + 13
const ACCOUNTS = 8
const RECORDS_PER_ACCOUNT = 250

type Sub = Awaited<ReturnType<typeof subscribedAccount>>

/** Usage spread over the last six whole minutes of this month, on both meters. */
function usageOf(s: Sub, random: () => number): Array<Record<string, unknown>> {
  return Array.from({ length: RECORDS_PER_ACCOUNT }, () => {
    const at = Math.max(Date.now() - (60_000 + Math.floor(random() * 300_000)), monthStart())
    return usageRecord(s, at, {
      meter: random() < 0.7 ? 'api-calls' : 'storage-gb',
      quantity: 1 + Math.floor(random() * 50),
    })
  })
}

/** Posts until every record has an answer that stored it (a 503 batch is sent again, whole). */
async function deliver(batch: unknown[]): Promise<UsageResponse> {
  return until(
    'a usage batch to be stored',
    async () => {
      const res = await postUsage(batch)
      return res.status === 200 ? await res.json<UsageResponse>() : undefined
    },
    { intervalMs: 500, timeoutMs: 60_000 },
  )
}

/** Every ledger's aggregates once none is open or waiting to be sent (or the deadline's counts). */
async function reported(accounts: string[]): Promise<Record<string, number>> {
  return until(
    'every aggregate to be reported or parked',
    async () => {
      const totals: Record<string, number> = {}
      for (const a of accounts)
        for (const [state, n] of Object.entries((await ledger(a).usage(1)).aggregates))
          totals[state] = (totals[state] ?? 0) + n
      return totals.open || totals.sealed ? undefined : totals
    },
    { intervalMs: 1000, timeoutMs: 240_000 },
  )
}

describe('chaos: usage under Stripe faults and restarts', () => {
  it('reports every accepted record exactly once, whatever is lost, repeated or restarted', async () => {
    const random = seededRandom(SEED)
    const { stripeUrl } = vendors()
    const subs: Sub[] = []
    for (let i = 0; i < ACCOUNTS; i++) subs.push(await subscribedAccount())
    const records = subs.flatMap((s) => usageOf(s, random))
    const late = subs.map((s) => usageRecord(s, monthStart() - 7_200_000, { quantity: 3 }))

    await setFaults(
      stripeUrl,
      [
        { route: 'POST /v1/billing/meter_events', status: 429, rate: 0.1, retryAfter: 1 },
        { route: 'POST /v1/billing/meter_events', status: 500, rate: 0.1 },
        { route: 'POST /v1/billing/meter_events', status: 503, rate: 0.1, afterEffect: true },
        { route: 'POST /v1/billing/meter_events', hang: true, count: 2 },
      ],
      SEED,
    )
    // Shuffled, with every tenth record sent twice, in batches; Stripe down for 15 s after the
    // second batch; every Durable Object aborted (a crash: memory lost, storage kept) before the
    // fourth batch and again while reporting.
    const deliveries = shuffle(
      [...records, ...late, ...records.filter(() => random() < 0.1)],
      random,
    )
    const answers: UsageResponse[] = []
    for (let i = 0, batch = 0; i < deliveries.length; i += 400, batch++) {
      if (batch === 2) await outage(stripeUrl, 15, 'POST /v1/billing/meter_events')
      if (batch === 3) await abortAllDurableObjects()
      answers.push(await deliver(deliveries.slice(i, i + 400)))
    }
    // Abort again once reporting is under way (some aggregates taken, others not yet).
    await until(
      'reporting to be under way',
      async () =>
        (await ledger(subs[0]!.accountId).usage(1)).aggregates.reported ? true : undefined,
      { intervalMs: 200, timeoutMs: 120_000 },
    )
    await abortAllDurableObjects()
    const totals = await reported(subs.map((s) => s.accountId))
    await setFaults(stripeUrl, [])

    const counts: Record<string, number> = {}
    for (const a of answers)
      for (const [k, n] of Object.entries(a.counts)) counts[k] = (counts[k] ?? 0) + n
    expect(counts).toEqual({
      accepted: records.length,
      parked: late.length,
      duplicate: deliveries.length - records.length - late.length,
    })
    expect(totals.parked ?? 0, 'no aggregate parked: faults are all transient').toBe(0)

    const effects = (await stripeEffects()).filter((e) => e.kind === 'meter_event.create')
    for (const s of subs) {
      for (const meter of ['api-calls', 'storage-gb']) {
        const mine = records.filter(
          (r) => r.subscriptionKey === s.subscriptionKey && r.meter === meter,
        )
        const sent = effects.filter(
          (e) =>
            e.detail?.['customer'] === s.customerId &&
            String(e.detail['identifier']).includes(`:${meter}:`),
        )
        const ids = sent.map((e) => String(e.detail?.['identifier']))
        expect(new Set(ids).size, `one meter event per aggregate (${s.accountId} ${meter})`).toBe(
          ids.length,
        )
        const billed = sent.reduce((sum, e) => sum + Number(e.detail?.['value']), 0)
        expect(billed, `${s.accountId} ${meter}`).toBe(
          mine.reduce((sum, r) => sum + Number(r.quantity), 0),
        )
      }
      const usage = await ledger(s.accountId).usage(10)
      expect(usage.records).toEqual({
        accepted: records.filter((r) => r.accountId === s.accountId).length,
        parked: 1,
      })
      expect(usage.parkedRecords[0]?.reason?.code).toBe('period_closed')
    }
    console.log(
      `usage chaos seed ${SEED}: ${records.length} records, ${deliveries.length} deliveries, ${effects.length} meter events, aggregates ${JSON.stringify(totals)}`,
    )
  }, 360_000)
})
