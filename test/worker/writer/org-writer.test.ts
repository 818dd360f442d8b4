import { env } from 'cloudflare:workers'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { useWriterClient } from '../support/wiring.ts'
import { refreshBucket } from '../../../shared/refresh-bucket.ts'
import type { WriteRecord } from '../../../worker/writer/types.ts'
import { DoubleWriterClient } from '../../doubles/writer-client.ts'
import { until } from '../../support/poll.ts'

/** The exception work queue's items found by `id` (a record's external id). */
const writerQueue = async (id: string) =>
  (await env.OPS_REGISTRY.getByName('global').workQueue({ q: id, limit: 10 })).items

let client: DoubleWriterClient
let writer: DurableObjectStub<import('../../../worker/objects/org-writer.ts').OrgWriter>

beforeEach(() => {
  client = new DoubleWriterClient()
  useWriterClient(() => client)
  writer = env.ORG_WRITER.getByName(`org-${crypto.randomUUID()}`)
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  useWriterClient()
  vi.useRealTimers()
})

/** Runs the writer's alarm while a flush is due now (bounded). */
async function drainWriter(maxRuns = 100): Promise<void> {
  let runs = 0
  await until('no flush to be due', async () => {
    const state = await writer.flushState()
    if (state.flushing) return false
    if (runs >= maxRuns) return true
    if (!state.dueNow && (state.alarmAt === null || state.alarmAt > Date.now())) return true
    await runDurableObjectAlarm(writer)
    runs++
    return false
  })
}

const invoice = (
  id: string,
  amount: number,
  at: number,
  accountId = '001Hs00000Xk9ZpIAJ',
): WriteRecord => ({
  object: 'Billing_Invoice__c',
  externalIdField: 'External_Id__c',
  externalId: id,
  fields: { Amount_Due__c: amount, Status__c: 'open' },
  sourceUpdatedAt: at,
  accountId,
})

describe('OrgWriter', () => {
  it('flushes a lone update within the flush interval, with one refresh hint in the same call', async () => {
    await writer.enqueue([invoice('in_1', 100, 1)])
    await drainWriter()
    expect(client.calls).toBe(0)
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect(client.calls).toBe(1)
    expect(client.records.get('Billing_Invoice__c:in_1')).toMatchObject({
      Amount_Due__c: 100,
      External_Id__c: 'in_1',
    })
    expect(client.published).toEqual([
      { Buckets__c: refreshBucket('001Hs00000Xk9ZpIAJ'), Reason__c: 'financial_update' },
    ])
    expect(client.published[0]?.Buckets__c).toMatch(/^[0-9a-f]{2}$/)
  })

  it('coalesces by external id: the newest source time wins, an older update is ignored', async () => {
    await writer.enqueue([
      invoice('in_1', 100, 10),
      invoice('in_1', 300, 30),
      invoice('in_1', 200, 20),
    ])
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect(client.records.get('Billing_Invoice__c:in_1')?.Amount_Due__c).toBe(300)
    expect(client.writesOf.get('Billing_Invoice__c:in_1')).toBe(1)
    const late = await writer.enqueue([invoice('in_1', 250, 25)])
    expect(late).toEqual({ accepted: 0, stale: 1 })
  })

  it('writes 10,000 updates across 200 accounts, hints included, in at most 15 calls', async () => {
    const accounts = Array.from(
      { length: 200 },
      (_, i) => `001Hs0000${String(i).padStart(6, '0')}AAA`,
    )
    const records = Array.from({ length: 10_000 }, (_, i) => ({
      ...invoice(`in_${i}`, i, 1, accounts[i % 200]),
      object: i % 2 ? 'Billing_Invoice__c' : 'Billing_Payment__c',
    }))
    for (let i = 0; i < records.length; i += 1000) await writer.enqueue(records.slice(i, i + 1000))
    await drainWriter()
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect(client.records.size).toBe(10_000)
    expect(client.calls).toBeLessThanOrEqual(15)
    const hinted = new Set(client.published.flatMap((p) => p.Buckets__c?.split(',') ?? []))
    expect(hinted).toEqual(new Set(accounts.map(refreshBucket)))
    // The hint reaches every subscriber: it carries buckets many accounts share, never an id.
    expect(hinted.size).toBeLessThan(200)
    const sent = JSON.stringify(client.published)
    for (const id of accounts) expect(sent).not.toContain(id.slice(0, 15))
    expect((await writer.status()).pending).toBe(0)
  })

  it('retries only the records that failed transiently, and parks a permanent refusal with its reason', async () => {
    client.fail('in_2', 'transient', 2).fail('in_3', 'business')
    await writer.enqueue([invoice('in_1', 1, 1), invoice('in_2', 2, 1), invoice('in_3', 3, 1)])
    for (let i = 0; i < 6; i++) {
      vi.setSystemTime(Date.now() + 61_000)
      await drainWriter()
    }
    expect(client.writesOf.get('Billing_Invoice__c:in_1')).toBe(1)
    expect(client.writesOf.get('Billing_Invoice__c:in_2')).toBe(1)
    expect(client.records.has('Billing_Invoice__c:in_3')).toBe(false)
    const status = await writer.status()
    expect(status.pending).toBe(0)
    expect(status.parked).toEqual([
      expect.objectContaining({
        externalId: 'in_3',
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        message: 'Amount must be positive',
      }),
    ])
    expect(await writerQueue('in_3')).toEqual([
      expect.objectContaining({
        id: 'writer_record:Billing_Invoice__c/in_3',
        category: 'needs_data_fix',
        system: 'salesforce',
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      }),
    ])
    const callsBefore = client.calls
    vi.setSystemTime(Date.now() + 3_600_000)
    await drainWriter()
    expect(client.calls).toBe(callsBefore)
  })

  it('retries a whole failed call as one call, not a call per record', async () => {
    client.failCalls(1)
    await writer.enqueue(Array.from({ length: 50 }, (_, i) => invoice(`in_w${i}`, i, 1)))
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect(client.calls).toBe(1)
    // Step through the backoff a second at a time: records on their own jitter would come due
    // at different seconds and go in several calls.
    for (let s = 0; s < 61; s++) {
      vi.setSystemTime(Date.now() + 1_000)
      await drainWriter()
    }
    expect(client.calls).toBe(2)
    expect(client.records.size).toBe(50)
  })

  it('waits at least one flush interval before retrying a failed call, even when jitter draws 0', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0)
    try {
      client.failCalls(1)
      await writer.enqueue([invoice('in_z', 1, 1)])
      vi.setSystemTime(Date.now() + 2_000)
      await drainWriter()
      expect(client.calls).toBe(1)
      vi.setSystemTime(Date.now() + 1_000)
      await drainWriter()
      expect(client.calls).toBe(2)
      expect(client.records.has('Billing_Invoice__c:in_z')).toBe(true)
    } finally {
      vi.restoreAllMocks()
    }
  })

  it('lets a newer update of a parked record through', async () => {
    client.fail('in_9', 'business', 1)
    await writer.enqueue([invoice('in_9', -1, 1)])
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect((await writer.status()).parked).toHaveLength(1)
    expect(await writerQueue('in_9')).toHaveLength(1)
    await writer.enqueue([invoice('in_9', 5, 2)])
    vi.setSystemTime(Date.now() + 2_000)
    await drainWriter()
    expect(client.records.get('Billing_Invoice__c:in_9')?.Amount_Due__c).toBe(5)
    expect((await writer.status()).parked).toEqual([])
    expect(await writerQueue('in_9')).toEqual([])
  })
})
