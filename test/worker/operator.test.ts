import { describe, expect, it, vi } from 'vitest'
import { useFreshDoubles } from './support/fresh-doubles.ts'
import { business, DoubleConnectors } from '../doubles/connectors.ts'
import {
  freezeClockAhead,
  amendmentChain,
  drain,
  expectSafeError,
  ledger,
  operatorFetch,
  postEvents,
} from './support/helpers.ts'
import { requestAndApprove } from './support/approvals.ts'
import { GAP_WINDOW_SECONDS, TEST_VIEWER_TOKEN } from './support/test-config.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})

/** Two amendments of one subscription with the first parked by a business error. */
async function parkedPair() {
  const [one, two] = amendmentChain(2, { Account_Id__c: account })
  doubles.failNext('billing.applyAmendment', business('card_declined', 'The card was declined'))
  await postEvents([one, two])
  await drain(account)
  return { one: one as Record<string, string>, two: two as Record<string, string> }
}

type Listed = {
  items: Array<{ amendmentId: string; accountId: string; code: string; category: string }>
}

describe('operator API', () => {
  it('lists parked amendments across accounts with their reason', async () => {
    const { one } = await parkedPair()
    const res = await operatorFetch(`/v1/exceptions?accountId=${account}`, {
      token: TEST_VIEWER_TOKEN,
    })
    expect(res.status).toBe(200)
    const { items } = await res.json<Listed>()
    expect(items).toEqual([
      expect.objectContaining({
        amendmentId: one.EventUuid,
        accountId: account,
        code: 'card_declined',
        category: 'needs_approval',
      }),
    ])
    // `state` still answers the amendments in that state (the doctor and the lookup read it).
    const legacy = await operatorFetch(`/v1/exceptions?accountId=${account}&state=parked`)
    expect((await legacy.json<{ items: Array<{ state: string }> }>()).items).toEqual([
      expect.objectContaining({ amendmentId: one.EventUuid, state: 'parked' }),
    ])
  })

  it('retries a parked amendment from the step it stopped at, audited with actor and correlation id', async () => {
    const { one, two } = await parkedPair()
    // A retry whose billing step is ahead moves money: it waits for appr-carol's approval.
    const approval = await requestAndApprove(`/v1/exceptions/${one.EventUuid}/retry`, {
      body: JSON.stringify({ reason: 'customer updated card' }),
    })
    expect(approval.status).toBe('executed')
    await drain(account)
    expect(doubles.effectsOf('billing.applyAmendment').map((e) => e.sequence)).toEqual([1, 2])
    const detail = await ledger(account).amendment(one.EventUuid as string)
    expect(detail?.state).toBe('applied')
    const retryLine = detail?.audit.find((a) => a.action === 'operator_retry')
    expect(retryLine).toMatchObject({
      actor: 'appr-carol',
      fromState: 'parked',
      toState: 'waiting',
      detail: {
        reason: 'requested by ops-alice, approved by appr-carol: customer updated card',
        requestId: approval.request.id,
      },
    })
    expect((await ledger(account).amendment(two.EventUuid as string))?.state).toBe('applied')
    const listed = await (await operatorFetch(`/v1/exceptions?accountId=${account}`)).json<Listed>()
    expect(listed.items).toEqual([])
    const http = await operatorFetch(`/v1/accounts/${account}/amendments/${one.EventUuid}`)
    expect((await http.json<{ correlationId: string }>()).correlationId).toBe(one.Correlation_Id__c)
  })

  it('skips a parked amendment with a reason; the subscription moves on and Salesforce sees superseded', async () => {
    const { one, two } = await parkedPair()
    // Skipping a billing step withholds money: it waits for appr-carol's approval.
    const approval = await requestAndApprove(`/v1/exceptions/${one.EventUuid}/skip`, {
      body: JSON.stringify({ reason: 'duplicate request from rep' }),
    })
    expect(approval.status).toBe('executed')
    await drain(account)
    expect((await ledger(account).amendment(one.EventUuid as string))?.audit.at(-1)).toMatchObject({
      actor: 'appr-carol',
      action: 'operator_skip',
      toState: 'skipped',
    })
    expect(doubles.statuses.get(one.EventUuid as string)).toMatchObject({
      status: 'superseded',
      errorMessage:
        'Skipped by appr-carol: requested by ops-alice, approved by appr-carol: duplicate request from rep',
    })
    // `two` runs next; the double has no subscription for the skipped create, so it parks with that reason.
    expect((await ledger(account).amendment(two.EventUuid as string))?.errorCode).toBe(
      'resource_missing',
    )
  })

  it('lets an operator release amendments parked behind a gap that will never fill', async () => {
    freezeClockAhead()
    const [one, , three, four] = amendmentChain(4, { Account_Id__c: account })
    await postEvents([one, three, four])
    await drain(account)
    vi.setSystemTime(Date.now() + (GAP_WINDOW_SECONDS + 1) * 1000)
    await drain(account)
    const blocked = await operatorFetch(`/v1/exceptions/${String(four?.EventUuid)}/retry`, {
      method: 'POST',
    })
    expect(blocked.status).toBe(409)
    expect((await expectSafeError(blocked)).message).toMatch(/Sequence 3 .* is still open/)
    const approval = await requestAndApprove(`/v1/exceptions/${String(three?.EventUuid)}/retry`)
    expect(approval.status).toBe('executed')
    await drain(account)
    expect(doubles.effectsOf('billing.applyAmendment').map((e) => e.sequence)).toEqual([1, 3, 4])
    const audit = (await ledger(account).amendment(three?.EventUuid as string))?.audit.map(
      (a) => a.action,
    )
    expect(audit).toEqual(
      expect.arrayContaining(['gap_parked', 'gap_accepted', 'operator_retry', 'applied']),
    )
  })

  it('refuses a viewer token for retry and skip', async () => {
    const { one } = await parkedPair()
    const res = await operatorFetch(`/v1/exceptions/${one.EventUuid}/retry`, {
      method: 'POST',
      token: TEST_VIEWER_TOKEN,
    })
    expect(res.status).toBe(403)
    expect((await expectSafeError(res)).message).toMatch(/operator role/)
    expect((await ledger(account).amendment(one.EventUuid as string))?.state).toBe('parked')
  })

  it('refuses a missing or unknown token', async () => {
    const { exports } = await import('cloudflare:workers')
    const none = await exports.default.fetch('https://concord.test/v1/exceptions')
    expect(none.status).toBe(401)
    await expectSafeError(none)
    const wrong = await operatorFetch('/v1/exceptions', { token: 'guess' })
    expect(wrong.status).toBe(401)
    await expectSafeError(wrong)
  })

  it('requires a reason to skip, naming the field', async () => {
    const { one } = await parkedPair()
    const res = await operatorFetch(`/v1/exceptions/${one.EventUuid}/skip`, {
      method: 'POST',
      body: '{}',
    })
    expect(res.status).toBe(400)
    const error = await expectSafeError(res)
    expect(error.details).toEqual([{ field: 'reason', message: expect.any(String) }])
  })

  it('answers 404 and 409 with safe bodies', async () => {
    const missing = await operatorFetch(`/v1/exceptions/${crypto.randomUUID()}/retry`, {
      method: 'POST',
    })
    expect(missing.status).toBe(404)
    await expectSafeError(missing)
    const { one } = await parkedPair()
    await requestAndApprove(`/v1/exceptions/${one.EventUuid}/skip`, {
      body: JSON.stringify({ reason: 'not needed' }),
    })
    const again = await operatorFetch(`/v1/exceptions/${one.EventUuid}/retry`, { method: 'POST' })
    expect(again.status).toBe(409)
    expect((await expectSafeError(again)).message).toBe('Amendment is skipped, not parked.')
  })

  it('shows an account summary with cross-references and open work', async () => {
    await parkedPair()
    const res = await operatorFetch(`/v1/accounts/${account}`, { token: TEST_VIEWER_TOKEN })
    const summary = await res.json<{
      xref: Record<string, string>
      counts: Record<string, number>
      open: unknown[]
    }>()
    expect(summary.xref.billingCustomerId).toMatch(/^cus_/)
    expect(summary.counts).toEqual({ parked: 1, waiting: 1 })
    expect(summary.open).toHaveLength(2)
  })
})
