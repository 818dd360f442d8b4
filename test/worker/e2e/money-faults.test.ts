import { abortAllDurableObjects, runDurableObjectAlarm } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import type { MoneyDiff } from '../../../worker/ledger/money-plan.ts'
import type { ActionRequest } from '../../../worker/ops/action-requests.ts'
import { until } from '../../support/poll.ts'
import { approve } from '../support/approvals.ts'
import { billedAccount } from '../support/billed-account.ts'
import { drain, drainWriter, ledger, operatorFetch } from '../support/helpers.ts'
import {
  netsuiteEffects,
  salesforceRecords,
  setFaults,
  stripeEffects,
  vendors,
} from '../support/vendors.ts'
import { stripeApi } from '../webhooks/support.ts'

type Json = Record<string, unknown>

afterEach(async () => {
  await setFaults(vendors().stripeUrl, [])
  await setFaults(vendors().netsuiteUrl, [])
})

/** Runs the account's pump until its one money action is done. */
const finished = (account: string) =>
  until(
    'the money action to finish every step',
    async () => {
      await drain(account, 50)
      const [action] = await ledger(account).moneyActions()
      return action?.step === 'done' ? action : undefined
    },
    { timeoutMs: 60_000, intervalMs: 50, describe: () => ledger(account).moneyActions() },
  )

describe('money actions under faults', () => {
  it('refunds exactly once through a lost Stripe answer and a NetSuite outage, resuming at the step it reached', async () => {
    const { account, charge } = await billedAccount('SUB-MONEYF')
    const asked = await operatorFetch('/v1/refunds', {
      method: 'POST',
      body: JSON.stringify({
        accountId: account,
        paymentId: charge,
        currency: 'USD',
        amount: 700,
        reason: 'duplicate',
      }),
    })
    expect(asked.status).toBe(202)
    const { request } = await asked.json<{ request: ActionRequest & { diff: MoneyDiff } }>()

    // Stripe makes the refund but its answer is lost; NetSuite refuses its next two writes.
    await setFaults(vendors().stripeUrl, [
      { route: 'POST /v1/refunds', count: 1, status: 500, afterEffect: true },
    ])
    await setFaults(vendors().netsuiteUrl, [{ route: '/creditmemo/', count: 2, status: 503 }])
    expect((await approve(request.id)).status).toBe(200)

    await runDurableObjectAlarm(ledger(account))
    const [midway] = await ledger(account).moneyActions()
    expect(midway?.step).not.toBe('done')
    const done = await until(
      'the refund to finish every step',
      async () => {
        await drain(account, 50)
        const [action] = await ledger(account).moneyActions()
        return action?.step === 'done' ? action : undefined
      },
      { timeoutMs: 60_000, intervalMs: 50, describe: () => ledger(account).moneyActions() },
    )
    expect(done.attempts).toBeGreaterThan(0)

    const refunds = (await stripeEffects()).filter(
      (e) => e.kind === 'charge.refund' && e.target === charge,
    )
    expect(refunds.map((e) => e.detail?.amount)).toEqual([700])
    expect((await stripeApi('GET', `/v1/charges/${charge}`)).amount_refunded).toBe(700)
    const key = request.id.replace(/_/g, '-')
    const erp = (await netsuiteEffects()).filter((e) => e.target.includes(key))
    expect(
      erp
        .filter((e) => !e.kind.endsWith('.noop'))
        .map((e) => e.kind)
        .sort(),
    ).toEqual(['creditmemo.upsert.create', 'customerRefund.upsert.create'])
  }, 90_000)

  it('credits exactly once across Durable Object crashes (memory lost, storage kept): one after Stripe made the note but its answer was lost, one between Stripe and NetSuite', async () => {
    const { account, invoiceId: invoice } = await billedAccount('SUB-MONEYF')
    const asked = await operatorFetch('/v1/credits', {
      method: 'POST',
      body: JSON.stringify({
        accountId: account,
        invoiceId: invoice,
        currency: 'USD',
        amount: 1200,
        reason: 'order_change',
      }),
    })
    expect(asked.status).toBe(202)
    const { request } = await asked.json<{ request: ActionRequest & { diff: MoneyDiff } }>()
    await setFaults(vendors().stripeUrl, [
      { route: 'POST /v1/credit_notes', count: 1, status: 500, afterEffect: true },
    ])
    await setFaults(vendors().netsuiteUrl, [{ route: '/creditmemo/', count: 1, status: 503 }])
    expect((await approve(request.id)).status).toBe(200)

    // Stripe issued the note, its answer was lost: the action is still at its billing step.
    await runDurableObjectAlarm(ledger(account))
    expect((await ledger(account).moneyActions())[0]).toMatchObject({ step: 'billing' })
    await abortAllDurableObjects()
    // The replay (same idempotency key) answers the note made; NetSuite then refuses once.
    await until(
      'the credit to reach its NetSuite step',
      async () => {
        await drain(account, 1)
        const [action] = await ledger(account).moneyActions()
        return action?.step === 'erp_memo' ? action : undefined
      },
      { timeoutMs: 30_000, intervalMs: 50, describe: () => ledger(account).moneyActions() },
    )
    await abortAllDurableObjects()
    const done = await finished(account)

    const notes = (await stripeEffects()).filter(
      (e) => e.kind === 'credit_note.create' && e.detail?.invoice === invoice,
    )
    expect(notes.map((e) => e.detail?.amount)).toEqual([1200])
    const listed = await stripeApi<{ data: Json[] }>('GET', '/v1/credit_notes', { invoice })
    expect(listed.data.map((n) => n.id)).toEqual([done.billingRef])
    const key = request.id.replace(/_/g, '-')
    const memos = (await netsuiteEffects()).filter(
      (e) => e.target.includes(key) && !e.kind.endsWith('.noop'),
    )
    expect(memos.map((e) => e.kind)).toEqual(['creditmemo.upsert.create'])

    // Salesforce converges to the one note, carrying the memo NetSuite holds.
    await drain(account, 50)
    await drainWriter()
    const records = (await salesforceRecords('Billing_Credit_Note__c')).filter(
      (r) => r.Account__c === account,
    )
    expect(records).toEqual([
      expect.objectContaining({
        External_Id__c: done.billingRef,
        Amount__c: 12,
        Erp_Credit_Memo_Id__c: done.erpMemoRef,
      }),
    ])
  }, 90_000)
})
