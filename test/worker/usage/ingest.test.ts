import { afterEach, describe, expect, it, vi } from 'vitest'
import { drain, expectSafeError, ledger, operatorFetch } from '../support/helpers.ts'
import { stripeEffects } from '../support/vendors.ts'
import {
  monthStart,
  postUsage,
  postUsageOk,
  stripeMeterTotal,
  subscribedAccount,
  usageRecord,
} from './support.ts'

afterEach(() => {
  vi.useRealTimers()
})

/** Two whole minutes ago (inside this month): a minute already over, so it seals at once. */
const minutesAgo = (n: number) => Math.max(Date.now() - n * 60_000, monthStart())

describe('POST /v1/usage', () => {
  it('accepts a batch, collapses duplicates, and reports one meter event per customer, meter and minute', async () => {
    const s = await subscribedAccount()
    const a = minutesAgo(3)
    const b = minutesAgo(2)
    const records = [
      ...Array.from({ length: 20 }, (_, i) => usageRecord(s, a + i, { quantity: i + 1 })),
      ...Array.from({ length: 10 }, () => usageRecord(s, b, { quantity: 7 })),
      usageRecord(s, b, { meter: 'storage-gb', quantity: 40 }),
    ]
    const first = await postUsageOk([...records, records[0]])
    expect(first.counts).toEqual({ accepted: 31, duplicate: 1 })
    expect(first.results[31]).toMatchObject({ index: 31, id: records[0]?.id, status: 'duplicate' })
    // The whole batch again, as a sender retrying after a lost answer would: nothing new.
    expect((await postUsageOk(records)).counts).toEqual({ duplicate: 31 })
    await drain(s.accountId, 50)

    const sent = (await stripeEffects()).filter(
      (e) => e.kind === 'meter_event.create' && e.detail?.['customer'] === s.customerId,
    )
    const minutes = new Set([Math.floor(a / 60_000), Math.floor(b / 60_000)]).size
    expect(sent).toHaveLength(minutes + 1)
    expect(await stripeMeterTotal(s.customerId)).toBe(210 + 70)
    expect(await stripeMeterTotal(s.customerId, 'mtr_storage_gb')).toBe(40)
    const usage = await ledger(s.accountId).usage(10)
    expect(usage.aggregates).toEqual({ reported: minutes + 1 })
    expect(usage.records).toEqual({ accepted: 31 })
  })

  it('refuses bad records with a reason each, keeps them in the quarantine and answers per record', async () => {
    const s = await subscribedAccount()
    const at = minutesAgo(2)
    const bad = [
      usageRecord(s, at, { quantity: -1 }),
      usageRecord(s, at, { id: undefined }),
      usageRecord(s, at, { meter: 'no-such-meter' }),
      usageRecord(s, at, { subscriptionKey: 'SUB-NEVER-CREATED' }),
      usageRecord(s, Date.now() + 10 * 60_000),
      usageRecord(s, Date.now() - 40 * 86_400_000),
      usageRecord(s, at, { timestamp: 'yesterday' }),
      'not a record',
    ]
    const good = usageRecord(s, at)
    const body = await postUsageOk([...bad, good])
    expect(body.counts).toEqual({ rejected: bad.length, accepted: 1 })
    const fields = body.results
      .slice(0, bad.length)
      .map((r) => (r.status === 'rejected' ? r.errors.map((e) => e.field).join(',') : r.status))
    expect(fields).toEqual([
      'quantity',
      'id',
      'meter',
      'subscriptionKey',
      'timestamp',
      'timestamp',
      'timestamp',
      '(record)',
    ])
    const meter = body.results[2]
    expect(meter?.status === 'rejected' && meter.errors[0]?.message).toMatch(/not in catalog/)
    const q = await operatorFetch('/v1/quarantine?limit=50')
    const { items } = await q.json<{ items: Array<{ id: string; source: string; raw: string }> }>()
    const ids = body.results.flatMap((r) => (r.status === 'rejected' ? [r.quarantineId] : []))
    for (const id of ids) expect(items.find((i) => i.id === id)?.source).toBe('usage')
    expect(items.find((i) => i.id === ids[3])?.raw).toContain('SUB-NEVER-CREATED')
  })

  it('parks usage for a closed period with its reason, never drops it, until an operator resolves it', async () => {
    const s = await subscribedAccount()
    // The previous month closed an hour after it ended (USAGE_PERIOD_GRACE_SECONDS).
    const late = usageRecord(s, monthStart() - 3_600_000, { quantity: 5 })
    const body = await postUsageOk([late])
    expect(body.results[0]).toMatchObject({ status: 'parked', code: 'period_closed' })
    expect((await postUsageOk([late])).results[0]?.status).toBe('duplicate')
    await drain(s.accountId)
    const res = await operatorFetch(`/v1/accounts/${s.accountId}/usage`)
    const usage = await res.json<{
      records: Record<string, number>
      parkedRecords: Array<{ id: string; reason: { code: string; message: string } }>
    }>()
    expect(usage.records).toEqual({ parked: 1 })
    expect(usage.parkedRecords[0]).toMatchObject({ id: late.id, reason: { code: 'period_closed' } })
    expect(usage.parkedRecords[0]?.reason.message).toMatch(/closed before this record arrived/)
    expect(await stripeMeterTotal(s.customerId)).toBe(0)

    const resolve = (reason: string) =>
      operatorFetch(`/v1/accounts/${s.accountId}/usage/records/${String(late.id)}/resolve`, {
        method: 'POST',
        body: JSON.stringify({ reason }),
      })
    expect((await resolve('billed by hand on invoice 1042')).status).toBe(200)
    const again = await resolve('twice')
    expect(again.status).toBe(409)
    expect((await expectSafeError(again)).message).toMatch(/resolved, not parked/)
    expect((await ledger(s.accountId).usage(10)).records).toEqual({ resolved: 1 })
  })

  it('refuses an unsigned request, and a batch of more than 10,000 records', async () => {
    const unsigned = await postUsage([], { secret: 'not-the-secret-0123456789abcdef0123456789' })
    expect(unsigned.status).toBe(401)
    await expectSafeError(unsigned)
    const many = Array.from({ length: 10_001 }, (_, i) => ({ id: String(i) }))
    const tooMany = await postUsage(many)
    expect(tooMany.status).toBe(413)
    expect((await expectSafeError(tooMany)).message).toMatch(/at most 10000 records/)
    const empty = await postUsage([])
    expect(empty.status).toBe(400)
  })
})
