import { exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { useFreshDoubles } from '../support/fresh-doubles.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import { signRequest } from '../../../worker/lib/signature.ts'
import { amendmentChain, drain, ledger, postEvents } from '../support/helpers.ts'
import { TEST_EVENTS_SECRET } from '../support/test-config.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})

/** The fields the rep previews and then commits: a seat change on `key`. */
const change = (key: string, quantity: number) => ({
  Account_Id__c: account,
  Subscription_Key__c: key,
  Action__c: 'change_quantity',
  Price_Key__c: null,
  Quantity__c: quantity,
  Effective_Date__c: null,
  Proration__c: 'create_prorations',
  Cancel_Mode__c: null,
})

async function preview(
  fields: Record<string, unknown>,
): Promise<{ prorationDate: number; previewToken: string }> {
  const body = JSON.stringify(fields)
  const res = await exports.default.fetch('https://concord.test/v1/amendments/preview', {
    method: 'POST',
    headers: {
      ...(await signRequest(TEST_EVENTS_SECRET, {
        method: 'POST',
        target: '/v1/amendments/preview',
        body,
      })),
      'content-type': 'application/json',
    },
    body,
  })
  expect(res.status).toBe(200)
  return res.json()
}

const billedSequences = (key: string) =>
  doubles
    .effectsOf('billing.applyAmendment')
    .filter((e) => e.subscriptionKey === key)
    .map((e) => e.sequence)

describe('AccountLedger: a previewed amendment is billed only as previewed', () => {
  it('bills the committed change at the previewed proration date', async () => {
    const [create, next] = amendmentChain(2, { Account_Id__c: account })
    const key = create?.Subscription_Key__c as string
    await postEvents([create])
    await drain(account)
    const previewed = await preview(change(key, 7))

    await postEvents([
      {
        ...next,
        ...change(key, 7),
        Proration_Date__c: previewed.prorationDate,
        Preview_Token__c: previewed.previewToken,
      },
    ])
    await drain(account)

    const id = next?.EventUuid as string
    expect(billedSequences(key)).toEqual([1, 2])
    expect(doubles.prorationDates.get(id)).toBe(previewed.prorationDate)
    expect(doubles.statuses.get(id)?.status).toBe('applied')
    const detail = await ledger(account).amendment(id)
    expect(detail?.audit.map((line) => line.action)).toContain('preview_checked')
  })

  it('rejects a commit when another change was billed after its preview, and moves on', async () => {
    const [create, other, mine, later] = amendmentChain(4, { Account_Id__c: account })
    const key = create?.Subscription_Key__c as string
    await postEvents([create])
    await drain(account)
    const previewed = await preview(change(key, 7))
    await postEvents([other])
    await drain(account)

    await postEvents([
      {
        ...mine,
        ...change(key, 7),
        Proration_Date__c: previewed.prorationDate,
        Preview_Token__c: previewed.previewToken,
      },
    ])
    await drain(account)

    const status = doubles.statuses.get(mine?.EventUuid as string)
    expect(status).toMatchObject({ status: 'rejected', errorCode: 'preview_stale' })
    expect(status?.errorMessage).toContain(`Another change to ${key} was billed after the preview`)
    expect(billedSequences(key)).toEqual([1, 2])
    await postEvents([later])
    await drain(account)
    expect(billedSequences(key)).toEqual([1, 2, 4])
    expect(doubles.statuses.get(later?.EventUuid as string)?.status).toBe('applied')
  })

  it('rejects a commit that is not the change that was previewed', async () => {
    const [create, next] = amendmentChain(2, { Account_Id__c: account })
    const key = create?.Subscription_Key__c as string
    await postEvents([create])
    await drain(account)
    const previewed = await preview(change(key, 7))

    await postEvents([
      {
        ...next,
        ...change(key, 70),
        Proration_Date__c: previewed.prorationDate,
        Preview_Token__c: previewed.previewToken,
      },
    ])
    await drain(account)

    expect(doubles.statuses.get(next?.EventUuid as string)).toMatchObject({
      status: 'rejected',
      errorCode: 'preview_mismatch',
    })
    expect(billedSequences(key)).toEqual([1])
  })

  it('rejects a change whose proration date is older than the bound', async () => {
    const [create, next] = amendmentChain(2, { Account_Id__c: account })
    const key = create?.Subscription_Key__c as string
    const twoHoursAgo = Math.floor(Date.now() / 1000) - 7200
    await postEvents([create, { ...next, Proration_Date__c: twoHoursAgo }])
    await drain(account)

    expect(doubles.statuses.get(next?.EventUuid as string)).toMatchObject({
      status: 'rejected',
      errorCode: 'preview_expired',
    })
    expect(billedSequences(key)).toEqual([1])
  })
})
