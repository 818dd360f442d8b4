import { describe, expect, it, vi } from 'vitest'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import { business, DoubleConnectors, transient } from '../../doubles/connectors.ts'
import type { WorkItem, WorkQueuePage } from '../../../worker/ops/work-queue.ts'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import {
  amendmentChain,
  amendmentEvent,
  drain,
  expectSafeError,
  operatorFetch,
  postEvents,
} from '../support/helpers.ts'
import { requestAndApprove } from '../support/approvals.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((d, a) => {
  doubles = d
  account = a
})

async function queue(query: Record<string, string>): Promise<WorkQueuePage> {
  const res = await operatorFetch(`/v1/exceptions?${new URLSearchParams(query).toString()}`, {
    token: TEST_VIEWER_TOKEN,
  })
  expect(res.status).toBe(200)
  return res.json<WorkQueuePage>()
}

const ids = (page: WorkQueuePage) => page.items.map((i) => i.id)
/**
 * The amendments of a page. The billing double keeps no subscriptions, so the mirror's re-read
 * after a billing step is refused and kept as a `billing_read` item beside them.
 */
const amendments = (page: WorkQueuePage) => page.items.filter((i) => i.kind === 'amendment')

/** One amendment of a new subscription whose billing step is refused. */
async function parkedAtBilling(): Promise<Record<string, string>> {
  const [one] = amendmentChain(1, { Account_Id__c: account })
  doubles.failNext('billing.applyAmendment', business('card_declined', 'The card was declined'))
  await postEvents([one])
  await drain(account)
  return one as Record<string, string>
}

/** One amendment billed, then refused by the ERP. */
async function parkedAtErp(): Promise<Record<string, string>> {
  const [one] = amendmentChain(1, { Account_Id__c: account })
  doubles.failNext('erp.recordAmendment', business('INVALID_FLD_VALUE', 'Subsidiary is inactive'))
  await postEvents([one])
  await drain(account)
  return one as Record<string, string>
}

describe('GET /v1/exceptions (the work queue)', () => {
  it('lists an amendment refused at billing as needing approval, with its impact, ids and correlation id', async () => {
    const one = await parkedAtBilling()
    const page = await queue({ accountId: account })
    const price = DEMO_CATALOG.prices['pro-monthly-usd']
    expect(page.items).toEqual([
      expect.objectContaining({
        id: `amendment:${one.EventUuid}`,
        kind: 'amendment',
        category: 'needs_approval',
        system: 'stripe',
        code: 'card_declined',
        accountId: account,
        correlationId: one.Correlation_Id__c,
        amendmentId: one.EventUuid,
        impact: {
          amount: (price?.unitAmount ?? NaN) * Number(one.Quantity__c),
          currency: price?.currency,
          basis: expect.stringContaining('per month'),
        },
      }),
    ])
    const [item] = page.items as [WorkItem]
    expect(item.ids.salesforce).toContain(account)
    expect(item.ids.stripe).toContain(`cus_${account.slice(-6)}`)
    expect(page.counts).toEqual({ retrying: 0, needs_data_fix: 0, needs_approval: 1 })
  })

  it('lists an amendment refused by the ERP after billing as a data fix in netsuite', async () => {
    const one = await parkedAtErp()
    const page = await queue({ accountId: account })
    expect(amendments(page)).toEqual([
      expect.objectContaining({
        amendmentId: one.EventUuid,
        category: 'needs_data_fix',
        system: 'netsuite',
        code: 'INVALID_FLD_VALUE',
      }),
    ])
  })

  it('lists an amendment waiting on a scheduled retry as retrying, with its next attempt', async () => {
    const [one] = amendmentChain(1, { Account_Id__c: account })
    doubles.failNext('billing.applyAmendment', transient('rate_limit', 60_000))
    await postEvents([one])
    await drain(account)
    const [item] = amendments(await queue({ accountId: account }))
    expect(item).toMatchObject({ category: 'retrying', system: 'stripe', code: 'rate_limit' })
    expect(Date.parse(item?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now())
    // Once the retry succeeds, it leaves the queue.
    vi.setSystemTime(Date.now() + 3_600_000)
    await drain(account)
    expect(amendments(await queue({ accountId: account }))).toEqual([])
  })

  it('filters by system, code, category and age', async () => {
    await parkedAtBilling()
    await parkedAtErp()
    const mine = { accountId: account }
    expect((await queue({ ...mine, system: 'netsuite' })).items.map((i) => i.code)).toEqual([
      'INVALID_FLD_VALUE',
    ])
    expect((await queue({ ...mine, code: 'card_declined' })).items.map((i) => i.system)).toEqual([
      'stripe',
    ])
    const fixes = await queue({ ...mine, category: 'needs_data_fix' })
    expect(fixes.items.map((i) => i.code)).toEqual(['INVALID_FLD_VALUE'])
    // The counts stay those of every category, so the page can show them all.
    expect(fixes.counts).toEqual({ retrying: 0, needs_data_fix: 1, needs_approval: 1 })
    expect((await queue({ ...mine, olderThan: '1h' })).items).toEqual([])
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    expect((await queue({ ...mine, olderThan: '1h' })).items).toHaveLength(2)
    expect((await queue({ ...mine, olderThan: '3h' })).items).toEqual([])
  })

  it('finds an item by its correlation id, Salesforce id, Stripe id or NetSuite id', async () => {
    const one = await parkedAtErp()
    const id = `amendment:${one.EventUuid}`
    const [item] = (await queue({ accountId: account })).items as [WorkItem]
    const stripeId = item.ids.stripe.find((s) => s.startsWith('cus_'))
    const netsuiteId = item.ids.netsuite[0]
    expect(stripeId).toBeDefined()
    expect(netsuiteId).toBeDefined()
    for (const q of [one.Correlation_Id__c, one.EventUuid, account, stripeId, netsuiteId])
      expect(ids(await queue({ q: String(q) }))).toContain(id)
    expect((await queue({ q: 'cus_nobody_at_all' })).items).toEqual([])
  })

  it('pages oldest first with a cursor', async () => {
    const chain = [0, 1, 2].map(() => amendmentChain(1, { Account_Id__c: account })[0])
    for (const event of chain) {
      doubles.failNext('billing.applyAmendment', business('card_declined', 'declined'))
      await postEvents([event])
      await drain(account)
      vi.setSystemTime(Date.now() + 1_000)
    }
    const first = await queue({ accountId: account, limit: '2' })
    expect(first.items).toHaveLength(2)
    expect(first.next).toBeDefined()
    const second = await queue({ accountId: account, limit: '2', cursor: first.next ?? '' })
    expect(second.items).toHaveLength(1)
    expect(second.next).toBeUndefined()
    expect([...ids(first), ...ids(second)]).toEqual(
      chain.map((e) => `amendment:${String(e?.EventUuid)}`),
    )
  })

  it('drops an item once it is resolved (retried under approval and applied)', async () => {
    const one = await parkedAtBilling()
    expect((await queue({ accountId: account })).items).toHaveLength(1)
    const approval = await requestAndApprove(`/v1/exceptions/${one.EventUuid}/retry`)
    expect(approval.status).toBe('executed')
    await drain(account)
    expect((await queue({ accountId: account })).items).toEqual([])
  })

  it('lists a quarantined event until the same event is accepted', async () => {
    const event = amendmentEvent({ Account_Id__c: account, Quantity__c: -3 })
    expect((await postEvents([event])).status).toBe(200)
    const page = await queue({ q: String(event.EventUuid) })
    expect(page.items).toEqual([
      expect.objectContaining({
        kind: 'quarantine',
        category: 'needs_data_fix',
        system: 'salesforce',
        code: 'invalid_input',
        message: expect.stringContaining('Quantity__c'),
      }),
    ])
    await postEvents([{ ...event, Quantity__c: 3 }])
    expect((await queue({ q: String(event.EventUuid) })).items).toEqual([])
  })

  it('refuses a bad filter with a clear error and no internal detail', async () => {
    const res = await operatorFetch('/v1/exceptions?olderThan=yesterday&category=maybe')
    expect(res.status).toBe(400)
    const body = await expectSafeError(res)
    expect(JSON.stringify(body)).toMatch(/olderThan/)
    expect(JSON.stringify(body)).toMatch(/category/)
  })
})
