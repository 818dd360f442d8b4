import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { DriftReconciler } from '../../../worker/reconcile/drift/reconciler.ts'
import type { DriftSources, DriftTargets } from '../../../worker/reconcile/drift/types.ts'
import type { BillingEventRef } from '../../../worker/webhooks/stripe-events.ts'

const ACCOUNT = '001Hs00000Xk9ZpIAJ'
const SETTINGS = {
  withinMs: 15 * 60_000,
  sweepEveryMs: 5 * 60_000,
  eventLagSeconds: 60,
  accountsPerSweep: 25,
  fullPassEveryMs: 86_400_000,
  stripeCallsPerSweep: 1,
  documentsPerAccount: 100,
  netsuiteCallsPerSweep: 50,
  netsuitePageSize: 1000,
}

/** Stripe's event list over canned events (newest first, two a page), every query kept. */
function fakeStripe(events: Array<{ id: string; created: number }>) {
  const queries: Array<{ gte: number; lte: number; after?: string }> = []
  let calls = 0
  const sources: DriftSources = {
    stripe: {
      events(q) {
        calls++
        queries.push(q)
        const window = events
          .filter((e) => e.created >= q.gte && e.created <= q.lte)
          .sort((a, b) => b.created - a.created)
        const from = q.after ? window.findIndex((e) => e.id === q.after) + 1 : 0
        const page = window.slice(from, from + 2)
        return Promise.resolve({
          events: page.map((e) => ({
            id: e.id,
            type: 'customer.subscription.updated',
            created: e.created,
            data: { object: { id: `sub_${e.id}`, customer: 'cus_known' } },
          })),
          next: from + 2 < window.length ? page.at(-1)?.id : undefined,
        })
      },
      subscription: () => Promise.resolve(undefined),
      subscriptionsOf: () => Promise.resolve([]),
      mappedCustomers: () => Promise.resolve({ customers: [] }),
      accountOfCustomer: () => Promise.resolve(undefined),
      customerOfInvoice: () => Promise.resolve(undefined),
      invoicesOf: () => Promise.resolve([]),
      paymentsOf: () => Promise.resolve([]),
      invoice: () => Promise.resolve(undefined),
      payment: () => Promise.resolve(undefined),
    },
    salesforce: {
      integrationUserId: () => Promise.resolve('005000000000001AAA'),
      editedSince: () => Promise.resolve({ rows: [] }),
      ofAccounts: () => Promise.resolve({ rows: [] }),
      documents: () => Promise.resolve({ rows: [] }),
      documentsEditedSince: () => Promise.resolve({ rows: [] }),
      withinBudget: () => Promise.resolve(true),
    },
    netsuite: {
      orders: () => Promise.resolve({ rows: [], hasMore: false }),
      invoices: () => Promise.resolve([]),
    },
    calls: () => ({ stripe: calls, salesforce: 0, netsuite: 0 }),
  }
  return { sources, queries, resetCalls: () => (calls = 0) }
}

/** A ledger that dedupes by event id, as the real one does, and keeps what it was handed. */
function fakeTargets(seen: Set<string>) {
  const handed: BillingEventRef[] = []
  const targets: DriftTargets = {
    ledger: () => ({
      unseenBillingEvents: (ids) => Promise.resolve(ids.filter((id) => !seen.has(id))),
      recordBillingEvents: (_a, refs) => {
        handed.push(...refs)
        for (const r of refs) seen.add(r.id)
        return Promise.resolve(refs.map(() => 'queued' as const))
      },
      repairSubscription: () => Promise.resolve(),
      repairDocuments: () => Promise.resolve(),
      heldDocuments: () => Promise.resolve({}),
      erpOrders: () => Promise.resolve({ orders: [] }),
      rerunErpOrder: () => Promise.resolve('not_found' as const),
    }),
    registry: {
      lookupCustomer: (id) => Promise.resolve(id === 'cus_known' ? ACCOUNT : undefined),
      customerOf: () => Promise.resolve(undefined),
      upsertExceptions: () => Promise.resolve(),
    },
  }
  return { targets, handed }
}

describe('DriftReconciler: the events catch-up of a sweep', () => {
  it('lists Stripe’s events from its cursor to now minus the lag, within its budget, resumes a cut window and hands each lost event to its ledger once', async () => {
    const now = Math.floor(Date.now() / 1000)
    const events = [
      { id: 'evt_old', created: now - 3_600 },
      { id: 'evt_1', created: now - 300 },
      { id: 'evt_2', created: now - 200 },
      { id: 'evt_3', created: now - 100 },
      { id: 'evt_young', created: now - 10 },
    ]
    const stripe = fakeStripe(events)
    const ledger = fakeTargets(new Set(['evt_2']))
    const stub = env.RECONCILER.getByName(`sweep-${crypto.randomUUID()}`)
    await runInDurableObject(stub, async (_o, state) => {
      const job = new DriftReconciler(
        {
          sql: state.storage.sql,
          alarm: { get: () => state.storage.getAlarm(), set: (at) => state.storage.setAlarm(at) },
        },
        {
          logLevel: 'error',
          settings: SETTINGS,
          catalog: { version: 't', prices: {} },
          sources: () => {
            stripe.resetCalls()
            return stripe.sources
          },
          targets: ledger.targets,
        },
      )
      const sweep = async () => {
        const run = await job.run({ trigger: 'schedule', repair: true, parts: ['events'] })
        if (run.status !== 'done') throw new Error(run.status)
        return run.report
      }

      const first = await sweep()
      // A first sweep looks back one window; the young event is left to its webhook.
      // Its window ends at the sweep's now minus the lag (the clock may have moved a second).
      const upTo = stripe.queries[0]?.lte ?? 0
      expect(upTo).toBeGreaterThanOrEqual(now - 60)
      expect(upTo).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) - 60)
      expect(stripe.queries[0]?.gte).toBeGreaterThan(now - 3_600)
      expect(first.calls.stripe).toBe(1)
      expect(first.deferred).toEqual([expect.stringContaining('Stripe budget')])
      expect(first.findings.map((f) => f.id)).toEqual(['evt_3'])

      const second = await sweep()
      // The budget (one call) cut the window: the next sweep resumed after the last event read.
      expect(stripe.queries[1]).toMatchObject({ after: 'evt_2', lte: upTo })
      expect(second.findings.map((f) => [f.id, f.cause, f.action])).toEqual([
        ['evt_1', 'lost_webhook', 'repair_requested'],
      ])
      expect(ledger.handed.map((r) => r.id)).toEqual(['evt_3', 'evt_1'])

      const third = await sweep()
      expect(third.findings).toEqual([])
      expect(third.deferred).toEqual([])
      expect(ledger.handed).toHaveLength(2)
    })
  })
})
