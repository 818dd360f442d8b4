import { env, runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { useFreshDoubles } from './support/fresh-doubles.ts'
import type { ActionRequest } from '../../worker/ops/action-requests.ts'
import { business, DoubleConnectors } from '../doubles/connectors.ts'
import { approve, type Approval } from './support/approvals.ts'
import {
  amendmentChain,
  drain,
  expectSafeError,
  ledger,
  operatorFetch,
  postEvents,
} from './support/helpers.ts'
import {
  TEST_ADMIN_TOKEN,
  TEST_APPROVER_TOKEN,
  TEST_OPERATOR_TOKEN,
  TEST_VIEWER_TOKEN,
} from './support/test-config.ts'

let doubles: DoubleConnectors
let account: string

useFreshDoubles((fresh, id) => {
  doubles = fresh
  account = id
})

type Asked = { status: string; request: ActionRequest }
type Shown = { request: ActionRequest; audit: Array<{ action: string; actor: string }> }

/** A create applied, then a seat change (10 → 11) parked at its billing step by a declined card. */
async function parkedSeatChange(): Promise<{ id: string; correlationId: string }> {
  const [one, two] = amendmentChain(2, { Account_Id__c: account })
  await postEvents([one])
  await drain(account)
  doubles.failNext('billing.applyAmendment', business('card_declined', 'The card was declined'))
  await postEvents([two])
  await drain(account)
  const id = String(two?.EventUuid)
  expect((await ledger(account).amendment(id))?.state).toBe('parked')
  return { id, correlationId: String(two?.Correlation_Id__c) }
}

function ask(body: Record<string, unknown>, token?: string) {
  return operatorFetch('/v1/actions', { method: 'POST', body: JSON.stringify(body), token })
}

async function askRetry(id: string, token?: string): Promise<ActionRequest> {
  const res = await ask({ kind: 'retry', amendmentId: id, reason: 'card updated' }, token)
  expect(res.status).toBe(202)
  return (await res.json<Asked>()).request
}

async function show(id: string): Promise<Shown> {
  return (await operatorFetch(`/v1/actions/${id}`, { token: TEST_VIEWER_TOKEN })).json<Shown>()
}

const billedSequences = () => doubles.effectsOf('billing.applyAmendment').map((e) => e.sequence)

describe('POST /v1/actions (governed actions)', () => {
  it('refuses a viewer, and has an operator’s money retry wait with a dry-run diff', async () => {
    const { id, correlationId } = await parkedSeatChange()
    const refused = await ask({ kind: 'retry', amendmentId: id }, TEST_VIEWER_TOKEN)
    expect(refused.status).toBe(403)
    await expectSafeError(refused)
    const request = await askRetry(id)
    expect(request).toMatchObject({
      kind: 'retry',
      target: id,
      accountId: account,
      correlationId,
      requestedBy: 'ops-alice',
      state: 'pending',
    })
    expect(request.diff?.billing?.calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: expect.stringMatching(/^\/v1\/subscriptions\/sub_/),
        idempotencyKey: `${id}:billing`,
        params: expect.objectContaining({ 'items[0][quantity]': '11' }),
      }),
    ])
    expect(request.diff?.billing?.preview).toMatchObject({ currency: 'USD', total: 1000 })
    expect(request.diff?.erp).toMatchObject({ operation: 'upsert', quantity: 11 })
    expect(request.fingerprint).toMatch(/^[0-9a-f]{64}$/)
    expect((await ledger(account).amendment(id))?.state).toBe('parked')
    expect(billedSequences()).toEqual([1])
  })

  it('answers the open request again instead of asking twice', async () => {
    const { id } = await parkedSeatChange()
    const first = await askRetry(id)
    const second = await askRetry(id)
    expect(second.id).toBe(first.id)
  })

  it('runs a retry past billing (ERP only) at once for an operator, recorded as executed', async () => {
    const [one] = amendmentChain(1, { Account_Id__c: account })
    doubles.failNext('erp.recordAmendment', business('erp_item_unknown', 'No such item'))
    await postEvents([one])
    await drain(account)
    const id = String(one?.EventUuid)
    const res = await ask({ kind: 'retry', amendmentId: id })
    expect(res.status).toBe(200)
    const { status, request } = await res.json<Asked>()
    expect(status).toBe('executed')
    expect(request).toMatchObject({ state: 'executed', requestedBy: 'ops-alice' })
    expect(request.diff).toBeUndefined()
    await drain(account)
    expect((await ledger(account).amendment(id))?.state).toBe('applied')
    const { audit } = await show(request.id)
    expect(audit.map((a) => a.action)).toEqual(['requested', 'executed'])
  })
})

describe('POST /v1/actions/:id/approve', () => {
  it('refuses an operator, then executes on an approver’s approval', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id)
    const operator = await approve(request.id, TEST_OPERATOR_TOKEN)
    expect(operator.status).toBe(403)
    expect((await expectSafeError(operator)).message).toMatch(/approver role/)
    const res = await approve(request.id)
    expect(res.status).toBe(200)
    const approval = await res.json<Approval>()
    expect(approval).toMatchObject({
      status: 'executed',
      request: { state: 'executed', decidedBy: 'appr-carol' },
    })
    await drain(account)
    expect(billedSequences()).toEqual([1, 2])
    expect((await ledger(account).amendment(id))?.state).toBe('applied')
    const { audit } = await show(request.id)
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['requested', 'ops-alice'],
      ['approved', 'appr-carol'],
      ['executed', 'appr-carol'],
    ])
  })

  it('never lets the requester approve their own request, whatever their role', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id, TEST_APPROVER_TOKEN)
    const self = await approve(request.id, TEST_APPROVER_TOKEN)
    expect(self.status).toBe(403)
    expect((await expectSafeError(self)).message).toMatch(/another approver/)
    expect((await show(request.id)).request.state).toBe('pending')
    expect((await ledger(account).amendment(id))?.state).toBe('parked')
    const other = await approve(request.id, TEST_ADMIN_TOKEN)
    expect((await other.json<Approval>()).status).toBe('executed')
    const { audit } = await show(request.id)
    expect(audit.map((a) => [a.action, a.actor])).toEqual([
      ['requested', 'appr-carol'],
      ['self_approval_refused', 'appr-carol'],
      ['approved', 'admin-dan'],
      ['executed', 'admin-dan'],
    ])
  })

  it('refuses a request past its expiry, marking it expired', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id)
    expect(Date.parse(request.expiresAt) - Date.parse(request.createdAt)).toBe(86_400_000)
    await runInDurableObject(env.APPROVAL_DESK.getByName('global'), (_, state) => {
      state.storage.sql.exec(
        'UPDATE action_request SET expires_at = ? WHERE id = ?',
        Date.now() - 1,
        request.id,
      )
    })
    const res = await approve(request.id)
    expect(res.status).toBe(409)
    expect((await expectSafeError(res)).message).toMatch(/expired/)
    const { request: after, audit } = await show(request.id)
    expect(after.state).toBe('expired')
    expect(audit.map((a) => a.action)).toEqual(['requested', 'expired'])
    expect((await ledger(account).amendment(id))?.state).toBe('parked')
    expect(billedSequences()).toEqual([1])
  })

  it('sends a request back for approval when the vendor state changed its diff', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id)
    // Someone changed the subscription in Stripe meanwhile: the retry now adds 6 seats, not 1.
    const [subscriptionId] = [...doubles.subscriptions.keys()]
    const held = doubles.subscriptions.get(String(subscriptionId))
    doubles.subscriptions.set(String(subscriptionId), { status: 'active', ...held, quantity: 5 })
    const res = await approve(request.id)
    expect(res.status).toBe(200)
    const reasked = await res.json<Approval>()
    expect(reasked.status).toBe('needs_reapproval')
    expect(reasked.request).toMatchObject({ state: 'pending' })
    expect(reasked.request.fingerprint).not.toBe(request.fingerprint)
    expect(reasked.request.diff?.billing?.preview.total).toBe(6000)
    await drain(account)
    expect(billedSequences()).toEqual([1])
    expect((await ledger(account).amendment(id))?.state).toBe('parked')
    const again = await approve(request.id, TEST_ADMIN_TOKEN)
    expect((await again.json<Approval>()).status).toBe('executed')
    const { audit } = await show(request.id)
    expect(audit.map((a) => a.action)).toEqual([
      'requested',
      'approved',
      're_asked',
      'approved',
      'executed',
    ])
  })

  it('executes exactly once when two approvers approve at the same moment', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id)
    const answers = await Promise.all([
      approve(request.id, TEST_APPROVER_TOKEN),
      approve(request.id, TEST_ADMIN_TOKEN),
    ])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409])
    await drain(account)
    expect(billedSequences()).toEqual([1, 2])
    const detail = await ledger(account).amendment(id)
    expect(detail?.audit.filter((a) => a.action === 'operator_retry')).toHaveLength(1)
    // The ledger acts once per request id, even when asked again (a run taken over after a crash).
    const repeat = await ledger(account).retry(id, { actor: 'admin-dan', requestId: request.id })
    expect(repeat.status).toBe('ok')
    const after = await ledger(account).amendment(id)
    expect(after?.audit.filter((a) => a.action === 'operator_retry')).toHaveLength(1)
  })
})

describe('POST /v1/actions/:id/reject', () => {
  it('lets an approver reject with a reason, after which nothing can approve it', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id)
    const byOperator = await operatorFetch(`/v1/actions/${request.id}/reject`, {
      method: 'POST',
      body: JSON.stringify({ reason: 'no' }),
    })
    expect(byOperator.status).toBe(403)
    const res = await operatorFetch(`/v1/actions/${request.id}/reject`, {
      method: 'POST',
      token: TEST_APPROVER_TOKEN,
      body: JSON.stringify({ reason: 'customer disputes the seats' }),
    })
    expect(res.status).toBe(200)
    expect((await res.json<Asked>()).request).toMatchObject({
      state: 'rejected',
      decidedBy: 'appr-carol',
      outcome: 'customer disputes the seats',
    })
    const late = await approve(request.id, TEST_ADMIN_TOKEN)
    expect(late.status).toBe(409)
    expect((await ledger(account).amendment(id))?.state).toBe('parked')
  })
})

describe('GET /v1/actions/audit.csv', () => {
  it('exports every request, approval, rejection and execution with actor and correlation id', async () => {
    const { id, correlationId } = await parkedSeatChange()
    const request = await askRetry(id)
    await approve(request.id)
    const res = await operatorFetch('/v1/actions/audit.csv', { token: TEST_VIEWER_TOKEN })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const csv = await res.text()
    expect(csv.split('\r\n')[0]).toBe(
      'at,request_id,kind,target,action,actor,correlation_id,reason,detail',
    )
    const mine = csv.split('\r\n').filter((l) => l.includes(request.id))
    expect(mine.map((l) => l.split(',')[4])).toEqual(['requested', 'approved', 'executed'])
    expect(mine.every((l) => l.includes(`,${correlationId},`))).toBe(true)
    expect(mine[0]).toContain(',retry,')
    expect(mine[0]).toContain(',card updated,')
  })

  it('guards a reason that a spreadsheet would run as a formula', async () => {
    const { id } = await parkedSeatChange()
    const request = await askRetry(id)
    await operatorFetch(`/v1/actions/${request.id}/reject`, {
      method: 'POST',
      token: TEST_APPROVER_TOKEN,
      body: JSON.stringify({ reason: '=HYPERLINK("http://evil.example","click")' }),
    })
    const csv = await (await operatorFetch('/v1/actions/audit.csv')).text()
    const line = csv.split('\r\n').find((l) => l.includes(request.id) && l.includes(',rejected,'))
    expect(line).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",`)
  })
})
