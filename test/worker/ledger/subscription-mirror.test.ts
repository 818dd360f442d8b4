import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import type { WriteRecord } from '../../../worker/writer/types.ts'
import {
  amendmentChain,
  drain,
  ledger,
  newAccountId,
  operatorFetch,
  postEvents,
  useRecordSink,
} from '../support/helpers.ts'
import { GAP_WINDOW_SECONDS } from '../support/test-config.ts'
import { useConnectorFactory } from '../support/wiring.ts'

let doubles: DoubleConnectors
let account: string
let handed: WriteRecord[]

beforeEach(() => {
  account = newAccountId()
  doubles = new DoubleConnectors()
  handed = []
  useConnectorFactory(() => doubles)
  useRecordSink({
    enqueue: (records) => {
      handed.push(...records)
      return doubles.writer.enqueue(records)
    },
  })
})
afterEach(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
  vi.useRealTimers()
})

const retry = async (eventUuid: unknown) =>
  (await operatorFetch(`/v1/exceptions/${String(eventUuid)}/retry`, { method: 'POST' })).status

describe('AccountLedger: the subscription mirror', () => {
  it('never moves Applied_Sequence__c back when an operator applies an amendment below the position', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const [one, two, three] = amendmentChain(3, { Account_Id__c: account })
    await postEvents([one, three])
    await drain(account)
    vi.setSystemTime(Date.now() + (GAP_WINDOW_SECONDS + 1) * 1000)
    await drain(account)
    expect(await retry(three?.EventUuid)).toBe(200)
    await drain(account)
    // Two arrives after three applied: parked as stale, then applied by an operator's decision.
    await postEvents([two])
    await drain(account)
    expect((await ledger(account).amendment(String(two?.EventUuid)))?.errorCode).toBe(
      'sequence_stale',
    )
    expect(await retry(two?.EventUuid)).toBe(200)
    await drain(account)
    expect(doubles.effectsOf('billing.applyAmendment').map((e) => e.sequence)).toEqual([1, 3, 2])

    const mirrors = handed.filter((r) => r.object === 'Billing_Subscription__c')
    const applied = mirrors.map((r) => r.fields.Applied_Sequence__c as number)
    expect(applied).toContain(1)
    expect(applied.at(-1)).toBe(3)
    expect(applied).toEqual([...applied].sort((a, b) => a - b))
    const versions = mirrors.map((r) => r.sourceUpdatedAt)
    expect(new Set(versions).size).toBe(versions.length)
    expect(versions).toEqual([...versions].sort((a, b) => a - b))
  })
})
