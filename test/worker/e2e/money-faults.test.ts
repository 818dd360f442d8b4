import { runDurableObjectAlarm } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import type { MoneyDiff } from '../../../worker/ledger/money-plan.ts'
import type { ActionRequest } from '../../../worker/ops/action-requests.ts'
import { until } from '../../support/poll.ts'
import { approve } from '../support/approvals.ts'
import { amendmentEvent, drain, ledger, operatorFetch, postEvents } from '../support/helpers.ts'
import {
  createAccount,
  netsuiteEffects,
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

async function billedAccount(): Promise<{ account: string; charge: string }> {
  const account = await createAccount()
  await postEvents([
    amendmentEvent({
      Account_Id__c: account,
      Subscription_Key__c: `SUB-MONEYF-${crypto.randomUUID().slice(0, 6)}`,
      Sequence__c: 1,
      Action__c: 'create',
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
    }),
  ])
  await drain(account, 500)
  const customer = (await ledger(account).summary())?.xref.billingCustomerId ?? ''
  const charges = await stripeApi<{ data: Json[] }>('GET', '/v1/charges', { customer })
  return { account, charge: String(charges.data[0]?.id) }
}

describe('money actions under faults', () => {
  it('refunds exactly once through a lost Stripe answer and a NetSuite outage, resuming at the step it reached', async () => {
    const { account, charge } = await billedAccount()
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
})
