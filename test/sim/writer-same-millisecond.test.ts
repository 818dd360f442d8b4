import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { migrate } from '../../worker/lib/storage.ts'
import { WRITER_MIGRATIONS } from '../../worker/writer/migrations.ts'
import { WriterQueue } from '../../worker/writer/org-writer.ts'
import type { WriteRecord, WriterClient } from '../../worker/writer/types.ts'
import { sqlStorage } from './sql.ts'
import { SIM_CONFIG } from './world.ts'

const status = (value: string, at: number): WriteRecord => ({
  object: 'Subscription_Sync__c',
  externalIdField: 'External_Id__c',
  externalId: 'a1b2c3d4-0000-4000-8000-000000000001',
  fields: { Status__c: value },
  sourceUpdatedAt: at,
})

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.UTC(2026, 10, 2, 9))
})
afterEach(() => vi.useRealTimers())

describe('OrgWriter (found by the simulation, seed 2256)', () => {
  it('sends an update made in the same millisecond as the one in flight instead of dropping it', async () => {
    const written: string[] = []
    let release = () => {}
    let sending = 0
    const client: WriterClient = {
      async writeBatch(input) {
        sending++
        for (const g of input.groups)
          for (const r of g.records) written.push(String((r as { Status__c?: string }).Status__c))
        if (sending === 1) await new Promise<void>((resolve) => (release = resolve))
        return { groups: input.groups.map((g) => g.records.map(() => ({ ok: true as const }))) }
      },
    }
    let alarmAt: number | null = null
    const sql = sqlStorage()
    migrate(sql, WRITER_MIGRATIONS)
    const queue = new WriterQueue(
      {
        sql,
        alarm: {
          get: () => Promise.resolve(alarmAt),
          set: (at) => Promise.resolve(void (alarmAt = at)),
        },
      },
      { config: SIM_CONFIG, client: () => client },
    )
    const at = Date.now()
    await queue.enqueue([status('received', at)])
    vi.setSystemTime(at + SIM_CONFIG.writerFlushMs)
    const flush = queue.alarm()
    await vi.waitFor(() => expect(sending).toBe(1))
    // The ledger hands over the newer status while the first call is in flight: same source ms.
    await queue.enqueue([status('applied', at)])
    release()
    await flush
    // The flush goes on while something is due: the newer status is the next call's.
    expect(written).toEqual(['received', 'applied'])
    expect(queue.status().pending).toBe(0)
  })
})
