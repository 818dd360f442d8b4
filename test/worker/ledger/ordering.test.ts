import { describe, expect, it, vi } from 'vitest'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import { freezeClockAhead, amendmentChain, drain, ledger, postEvents } from '../support/helpers.ts'
import { GAP_WINDOW_SECONDS } from '../support/test-config.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})

const sequencesApplied = (key: string) =>
  doubles
    .effectsOf('billing.applyAmendment')
    .filter((e) => e.subscriptionKey === key)
    .map((e) => e.sequence)

describe('AccountLedger ordering', () => {
  it('applies amendments that arrive 3-1-2 in the order 1-2-3, each once', async () => {
    const [one, two, three] = amendmentChain(3, { Account_Id__c: account })
    const key = one?.Subscription_Key__c as string
    await postEvents([three])
    await drain(account)
    expect(sequencesApplied(key)).toEqual([])
    await postEvents([one])
    await postEvents([two])
    await drain(account)
    expect(sequencesApplied(key)).toEqual([1, 2, 3])
    expect(
      doubles
        .effectsOf('erp.recordAmendment')
        .filter((e) => e.subscriptionKey === key)
        .map((e) => e.sequence),
    ).toEqual([1, 2, 3])
    // Each order after the first starts from the line the ledger kept, not from an ERP read.
    expect(
      doubles
        .effectsOf('erp.recordAmendment')
        .filter((e) => e.subscriptionKey === key)
        .map((e) => e.previous?.quantity),
    ).toEqual([undefined, 10, 11])
    expect(doubles.statuses.get(three?.EventUuid as string)?.status).toBe('applied')
    const summary = await ledger(account).summary()
    expect(summary?.subscriptions.find((s) => s.key === key)).toMatchObject({
      appliedSequence: 3,
      resolvedSequence: 3,
    })
  })

  it('hands billing the proration date the rep previewed', async () => {
    const [create, change] = amendmentChain(2, { Account_Id__c: account })
    const previewed = Math.floor(Date.now() / 1000) - 120
    await postEvents([create, { ...change, Proration_Date__c: previewed }])
    await drain(account)
    expect(doubles.prorationDates.get(change?.EventUuid as string)).toBe(previewed)
    expect(doubles.prorationDates.get(create?.EventUuid as string)).toBeUndefined()
  })

  it('has exactly one side effect for an event delivered many times', async () => {
    const [create] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([create, create])
    await postEvents([create])
    await drain(account)
    await postEvents([create])
    await drain(account)
    const mine = doubles
      .effectsOf('billing.applyAmendment')
      .filter((e) => e.amendmentId === create?.EventUuid)
    expect(mine).toHaveLength(1)
    expect(
      doubles.effectsOf('erp.recordAmendment').filter((e) => e.amendmentId === create?.EventUuid),
    ).toHaveLength(1)
  })

  it('holds a later amendment while a gap is open, then parks it with sequence_gap after the window', async () => {
    freezeClockAhead()
    const [one, two, three] = amendmentChain(3, { Account_Id__c: account })
    const key = one?.Subscription_Key__c as string
    await postEvents([one, three])
    await drain(account)
    expect(sequencesApplied(key)).toEqual([1])
    vi.setSystemTime(Date.now() + (GAP_WINDOW_SECONDS - 1) * 1000)
    await drain(account)
    expect((await ledger(account).amendment(three?.EventUuid as string))?.state).toBe('waiting')
    vi.setSystemTime(Date.now() + 2000)
    await drain(account)
    const parked = await ledger(account).amendment(three?.EventUuid as string)
    expect(parked).toMatchObject({ state: 'parked', errorCode: 'sequence_gap' })
    expect(parked?.errorMessage).toContain(`Sequence 2 of ${key}`)
    expect(doubles.statuses.get(three?.EventUuid as string)).toMatchObject({
      status: 'parked',
      errorCode: 'sequence_gap',
    })

    // The missing number arrives late: both go through in order with no hand work.
    await postEvents([two])
    await drain(account)
    expect(sequencesApplied(key)).toEqual([1, 2, 3])
    const resumed = await ledger(account).amendment(three?.EventUuid as string)
    expect(resumed?.state).toBe('applied')
    expect(resumed?.audit.map((a) => a.action)).toContain('gap_filled')
  })

  it('keeps other subscriptions of the account moving while one waits on a gap', async () => {
    const [, two] = amendmentChain(2, { Account_Id__c: account })
    const [other] = amendmentChain(1, { Account_Id__c: account })
    await postEvents([two, other])
    await drain(account)
    expect(doubles.effectsOf('billing.applyAmendment').map((e) => e.amendmentId)).toContain(
      other?.EventUuid,
    )
    expect((await ledger(account).amendment(two?.EventUuid as string))?.state).toBe('waiting')
  })

  it('parks an amendment whose sequence is already behind the subscription', async () => {
    const [one, two] = amendmentChain(2, { Account_Id__c: account })
    await postEvents([one, two])
    await drain(account)
    const late = {
      ...two,
      EventUuid: crypto.randomUUID(),
      Sequence__c: 1,
      Action__c: 'change_quantity',
      Quantity__c: 3,
    }
    const res = await (await postEvents([late])).json<{ results: Array<{ status: string }> }>()
    expect(res.results[0]?.status).toBe('rejected')
    const stale = { ...late, Sequence__c: 2 }
    await postEvents([{ ...stale, EventUuid: crypto.randomUUID() }])
    const summary = await ledger(account).summary()
    expect(
      summary?.open.some(
        (a) => a.errorCode === 'sequence_conflict' || a.errorCode === 'sequence_stale',
      ),
    ).toBe(false)
  })
})
