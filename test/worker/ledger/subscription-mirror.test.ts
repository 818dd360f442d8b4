import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import type { BillingSubscription } from '../../../worker/connectors/types.ts'
import type { WriteRecord } from '../../../worker/writer/types.ts'
import {
  freezeClockAhead,
  amendmentChain,
  drain,
  ledger,
  newAccountId,
  postEvents,
  useRecordSink,
} from '../support/helpers.ts'
import { requestAndApprove } from '../support/approvals.ts'
import { GAP_WINDOW_SECONDS } from '../support/test-config.ts'
import { useConnectorFactory } from '../support/wiring.ts'
import { until } from '../../support/poll.ts'

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

/** An operator's retry of an amendment whose billing step is ahead, approved by an approver. */
const retry = async (eventUuid: unknown) =>
  (await requestAndApprove(`/v1/exceptions/${String(eventUuid)}/retry`)).status

describe('AccountLedger: the subscription mirror', () => {
  it('never moves Applied_Sequence__c back when an operator applies an amendment below the position', async () => {
    freezeClockAhead()
    const [one, two, three] = amendmentChain(3, { Account_Id__c: account })
    await postEvents([one, three])
    await drain(account)
    vi.setSystemTime(Date.now() + (GAP_WINDOW_SECONDS + 1) * 1000)
    await drain(account)
    expect(await retry(three?.EventUuid)).toBe('executed')
    await drain(account)
    // Two arrives after three applied: parked as stale, then applied by an operator's decision.
    await postEvents([two])
    await drain(account)
    expect((await ledger(account).amendment(String(two?.EventUuid)))?.errorCode).toBe(
      'sequence_stale',
    )
    expect(await retry(two?.EventUuid)).toBe('executed')
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

  it('reads a subscription again when its event arrives while an earlier read of it is under way', async () => {
    let quantity = 1
    const reads: number[] = []
    let release = () => {}
    const held = new Promise<void>((resolve) => (release = resolve))
    doubles.billingReader.subscription = async (id): Promise<BillingSubscription> => {
      // Billing answers with what it holds now; the answer is still on its way back when the
      // next change and its event happen.
      const answer: BillingSubscription = {
        id,
        subscriptionKey: 'SUB-RACE',
        status: 'active',
        live: true,
        created: 1,
        quantity,
        priceId: 'price_pro_monthly_usd',
        currency: 'USD',
      }
      reads.push(quantity)
      if (reads.length === 1) await held
      return answer
    }
    const event = (n: number) => ({
      id: `evt_race_${n}_${account}`,
      type: 'customer.subscription.updated',
      created: 1_790_000_000,
      refresh: [{ kind: 'subscription' as const, id: 'sub_race' }],
    })
    await ledger(account).recordBillingEvents(account, [event(1)])
    const run = drain(account)
    await until('the first read to start', () => reads.length > 0)
    expect(reads).toEqual([1])
    quantity = 2
    await ledger(account).recordBillingEvents(account, [event(2)])
    release()
    await run
    await drain(account)
    expect(reads).toEqual([1, 2])
    const mirrors = handed.filter((r) => r.object === 'Billing_Subscription__c')
    expect(mirrors.at(-1)?.fields).toMatchObject({ Quantity__c: 2, External_Id__c: 'sub_race' })
  })
})
