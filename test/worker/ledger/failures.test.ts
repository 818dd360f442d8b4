import { evictDurableObject } from 'cloudflare:test'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import { business, DoubleConnectors, transient } from '../../doubles/connectors.ts'
import { freezeClockAhead, amendmentChain, drain, ledger, postEvents } from '../support/helpers.ts'
import { MAX_ATTEMPTS } from '../support/test-config.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})
beforeEach(() => {
  freezeClockAhead()
})

/** Moves the shared clock (the ledger reads the same `Date`) and runs whatever became due. */
async function after(ms: number): Promise<void> {
  vi.setSystemTime(Date.now() + ms)
  await drain(account)
}

describe('AccountLedger failures', () => {
  it('retries a 429 no sooner than its Retry-After, then applies it once', async () => {
    doubles.failNext('billing.applyAmendment', transient('rate_limited', 30_000))
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    await drain(account)
    const waiting = await ledger(account).amendment(create?.EventUuid as string)
    expect(waiting).toMatchObject({
      state: 'waiting',
      step: 'billing',
      attempts: 1,
      errorCode: 'rate_limited',
    })
    expect(Date.parse(waiting?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(Date.now() + 30_000)
    await after(29_000)
    expect(doubles.callsOf('billing.applyAmendment')).toBe(1)
    await after(1_001)
    expect(doubles.callsOf('billing.applyAmendment')).toBe(2)
    expect(doubles.effectsOf('billing.applyAmendment')).toHaveLength(1)
    expect((await ledger(account).amendment(create?.EventUuid as string))?.state).toBe('applied')
  })

  it('retries 503s and a timeout whose effect landed, and applies exactly once', async () => {
    doubles.failNext(
      'erp.recordAmendment',
      transient('service_unavailable'),
      transient('service_unavailable'),
    )
    doubles.failNext('billing.applyAmendment', { error: transient('timeout'), afterEffect: true })
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    for (let i = 0; i < 6; i++) await after(60_000)
    expect(doubles.callsOf('billing.applyAmendment')).toBe(2)
    expect(doubles.callsOf('erp.recordAmendment')).toBe(3)
    expect(doubles.effectsOf('billing.applyAmendment')).toHaveLength(1)
    expect(doubles.effectsOf('erp.recordAmendment')).toHaveLength(1)
    const done = await ledger(account).amendment(create?.EventUuid as string)
    expect(done?.state).toBe('applied')
    expect(done?.audit.filter((a) => a.action === 'retry_scheduled')).toHaveLength(3)
  })

  it('parks after the attempt cap instead of retrying forever', async () => {
    doubles.failNext(
      'billing.applyAmendment',
      ...Array.from({ length: MAX_ATTEMPTS }, () => transient('service_unavailable')),
    )
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) await after(60_000)
    const parked = await ledger(account).amendment(create?.EventUuid as string)
    expect(parked).toMatchObject({
      state: 'parked',
      errorCode: 'retries_exhausted',
      attempts: MAX_ATTEMPTS,
    })
    expect(doubles.callsOf('billing.applyAmendment')).toBe(MAX_ATTEMPTS)
  })

  it('parks a business failure and holds that subscription, not another one', async () => {
    const [one, two, three] = amendmentChain(3, { Account_Id__c: account })
    const [other1, other2] = amendmentChain(2, { Account_Id__c: account })
    await postEvents([one])
    await drain(account)
    doubles.failNext(
      'billing.applyAmendment',
      business('invalid_quantity', 'Quantity exceeds the plan maximum'),
    )
    await postEvents([two, three])
    await drain(account)
    await postEvents([other1, other2])
    await drain(account)
    const parked = await ledger(account).amendment(two?.EventUuid as string)
    expect(parked).toMatchObject({
      state: 'parked',
      step: 'billing',
      errorCode: 'invalid_quantity',
      errorMessage: 'double: Quantity exceeds the plan maximum',
    })
    expect((await ledger(account).amendment(three?.EventUuid as string))?.state).toBe('waiting')
    const key = one?.Subscription_Key__c
    expect(
      doubles
        .effectsOf('billing.applyAmendment')
        .filter((e) => e.subscriptionKey === key)
        .map((e) => e.sequence),
    ).toEqual([1])
    expect(
      doubles
        .effectsOf('billing.applyAmendment')
        .filter((e) => e.subscriptionKey === other1?.Subscription_Key__c)
        .map((e) => e.sequence),
    ).toEqual([1, 2])
    expect(doubles.statuses.get(two?.EventUuid as string)).toMatchObject({
      status: 'parked',
      errorCode: 'invalid_quantity',
    })
  })

  it('resumes at the ERP step after a restart between billing and ERP, without a second billing call', async () => {
    doubles.failNext('erp.recordAmendment', transient('connection_reset'))
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    await drain(account)
    expect((await ledger(account).amendment(create?.EventUuid as string))?.step).toBe('erp')
    await evictDurableObject(ledger(account))
    await after(60_000)
    expect(doubles.callsOf('billing.applyAmendment')).toBe(1)
    expect(doubles.callsOf('erp.recordAmendment')).toBe(2)
    const done = await ledger(account).amendment(create?.EventUuid as string)
    expect(done?.state).toBe('applied')
    expect(done?.billingRef).toBeDefined()
    expect(done?.erpRef).toBeDefined()
  })

  it('keeps statuses the OrgWriter could not take, and delivers them once it can', async () => {
    doubles.failNext(
      'writer.enqueue',
      transient('server_unavailable'),
      transient('server_unavailable'),
    )
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create])
    await drain(account)
    expect(doubles.statuses.size).toBe(0)
    expect((await ledger(account).summary())?.statusOutbox.pending).toBe(1)
    for (let i = 0; i < 4; i++) await after(60_000)
    expect(doubles.statuses.get(create?.EventUuid as string)).toMatchObject({
      status: 'applied',
      correlationId: create?.Correlation_Id__c,
    })
    expect((await ledger(account).summary())?.statusOutbox.pending).toBe(0)
  })
})
