import { describe, expect, it } from 'vitest'
import { drain, drainWriter, ledger, operatorFetch } from '../support/helpers.ts'
import { netsuiteEffects, salesforceRecords } from '../support/vendors.ts'
import {
  monthStart,
  postUsageOk,
  stripeMeterTotal,
  subscribedAccount,
  usageRecord,
} from './support.ts'

const minutesAgo = (n: number) => Math.max(Date.now() - n * 60_000, monthStart())
const period = () => new Date().toISOString().slice(0, 7)

interface Line {
  aggregates: Array<{ identifier: string; value: number; records: number; state: string }>
  reportedValue: number
  records: Array<{ id: string; quantity: number; aggregate: string }>
  nextAfter?: string
}

describe('usage periods and the audit trail', () => {
  it(
    'summarises a closed period to NetSuite once and mirrors it on the Salesforce subscription',
    { timeout: 30_000 },
    async () => {
      const s = await subscribedAccount()
      await postUsageOk([
        usageRecord(s, minutesAgo(3), { quantity: 100 }),
        usageRecord(s, minutesAgo(2), { quantity: 23 }),
        usageRecord(s, minutesAgo(2), { meter: 'storage-gb', quantity: 40 }),
      ])
      await drain(s.accountId, 50)
      const close = () =>
        operatorFetch(`/v1/accounts/${s.accountId}/usage/periods/${period()}/close`, {
          method: 'POST',
        })
      expect((await close()).status).toBe(200)
      await drain(s.accountId, 50)
      expect((await close()).status).toBe(200)
      await drain(s.accountId, 50)
      await drainWriter()

      const summaries = (await netsuiteEffects()).filter(
        (e) => e.kind.startsWith('customrecord_concord_usage') && e.target.includes(s.accountId),
      )
      expect(summaries.map((e) => e.kind).sort()).toEqual([
        'customrecord_concord_usage.upsert.create',
        'customrecord_concord_usage.upsert.create',
      ])
      const usage = await ledger(s.accountId).usage(10)
      expect(
        usage.periods.map((p) => [p.meter, p.state, p.quantity, p.records, !!p.erpRef]).sort(),
      ).toEqual([
        ['api-calls', 'summarised', 123, 2, true],
        ['storage-gb', 'summarised', 40, 1, true],
      ])
      const mirror = (await salesforceRecords('Billing_Subscription__c')).find(
        (r) => r.Subscription_Key__c === s.subscriptionKey,
      )
      expect(mirror).toMatchObject({
        Usage_Period__c: period(),
        Usage_Summary__c: 'api-calls: 123; storage-gb: 40',
        Status__c: 'active',
      })
      // Once closed, more usage for the period is late: parked, not billed, not summarised again.
      const late = await postUsageOk([usageRecord(s, minutesAgo(1), { quantity: 9 })])
      expect(late.results[0]).toMatchObject({ status: 'parked', code: 'period_closed' })
      expect(await stripeMeterTotal(s.customerId)).toBe(123)
    },
  )

  it('answers which records made up an invoice line, and which records one meter event carried', async () => {
    const s = await subscribedAccount()
    const records = [
      ...Array.from({ length: 5 }, () => usageRecord(s, minutesAgo(3), { quantity: 2 })),
      ...Array.from({ length: 3 }, () => usageRecord(s, minutesAgo(2), { quantity: 1 })),
    ]
    await postUsageOk(records)
    await drain(s.accountId, 50)
    const base = `/v1/accounts/${s.accountId}/usage/lines/${period()}/api-calls`
    const res = await operatorFetch(`${base}?limit=5`)
    expect(res.status).toBe(200)
    const line = await res.json<Line>()
    expect(line.reportedValue, JSON.stringify(line.aggregates)).toBe(13)
    expect(line.aggregates.every((a) => a.state === 'reported')).toBe(true)
    expect(line.records).toHaveLength(5)
    const next = await operatorFetch(`${base}?limit=5&after=${line.nextAfter}`)
    const rest = await next.json<Line>()
    const seen = [...line.records, ...rest.records].map((r) => r.id).sort()
    expect(seen).toEqual(records.map((r) => String(r.id)).sort())
    expect(rest.nextAfter).toBeUndefined()

    const identifier = line.aggregates[0]?.identifier as string
    const one = await operatorFetch(
      `/v1/accounts/${s.accountId}/usage/aggregates/${encodeURIComponent(identifier)}`,
    )
    const detail = await one.json<{
      aggregate: { value: number; records: number }
      records: Array<{ quantity: number; aggregate: string }>
    }>()
    expect(detail.records).toHaveLength(detail.aggregate.records)
    expect(detail.records.reduce((sum, r) => sum + r.quantity, 0)).toBe(detail.aggregate.value)
    expect(detail.records.every((r) => r.aggregate === identifier)).toBe(true)
    expect((await operatorFetch(`/v1/accounts/${s.accountId}/usage/aggregates/nope`)).status).toBe(
      404,
    )
    expect((await operatorFetch(`${base.replace(period(), '2026-13')}`)).status).toBe(400)
  })
})
