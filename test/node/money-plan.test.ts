import { describe, expect, it } from 'vitest'
import type { Config } from '../../worker/config/types.ts'
import type { MoneyConnectors, RefundableCharge } from '../../worker/connectors/money.ts'
import { planMoney } from '../../worker/ledger/money-plan.ts'

// The refusals of a refund's dry run, on billing states the shared emulators cannot put a
// payment in without disturbing other tests (a failed or uncaptured charge).

const FACTS = { billingCustomerId: 'cus_1', erpCustomerId: '42', fallbackItemId: '7' }
const CONFIG = { catalog: { version: 'v1', prices: {} } } as unknown as Config

function billingWith(charge: Partial<RefundableCharge>): MoneyConnectors {
  const full: RefundableCharge = {
    id: 'ch_1',
    customerId: 'cus_1',
    currency: 'USD',
    status: 'succeeded',
    captured: true,
    amount: 5000,
    refunded: 0,
    refundable: 5000,
    ...charge,
  }
  const never = () => Promise.reject(new Error('not used'))
  return {
    billing: {
      creditableInvoice: never,
      previewCreditNote: never,
      creditNoteCall: () => ({ method: 'POST', path: '/v1/credit_notes', params: {} }),
      createCreditNote: never,
      refundableCharge: () => Promise.resolve(full),
      refundCall: (p, key) => ({
        method: 'POST',
        path: '/v1/refunds',
        idempotencyKey: key,
        params: { charge: p.chargeId, amount: String(p.amount) },
      }),
      createRefund: never,
    },
    erp: { record: never },
  }
}

const refund = (amount?: number) =>
  ({
    kind: 'refund',
    accountId: '001000000000001AAA',
    paymentId: 'ch_1',
    currency: 'USD',
    amount,
    reason: 'duplicate',
  }) as const

describe('planMoney (refund)', () => {
  it('refuses a failed payment, naming it', async () => {
    const plan = await planMoney(
      billingWith({ status: 'failed', captured: false, refundable: 0 }),
      CONFIG,
      refund(),
      'ar_1',
      FACTS,
    )
    expect(plan).toEqual({
      status: 'refused',
      message: 'Payment ch_1 failed; there is nothing to refund.',
    })
  })

  it('refuses an uncaptured payment and one already fully refunded', async () => {
    const uncaptured = await planMoney(
      billingWith({ captured: false, refundable: 0 }),
      CONFIG,
      refund(),
      'ar_1',
      FACTS,
    )
    expect(uncaptured).toMatchObject({
      status: 'refused',
      message: expect.stringMatching(/not been captured/),
    })
    const done = await planMoney(
      billingWith({ refunded: 5000, refundable: 0 }),
      CONFIG,
      refund(),
      'ar_1',
      FACTS,
    )
    expect(done).toMatchObject({
      status: 'refused',
      message: expect.stringMatching(/already fully refunded/),
    })
  })

  it('refuses another customer’s payment', async () => {
    const plan = await planMoney(
      billingWith({ customerId: 'cus_2' }),
      CONFIG,
      refund(100),
      'ar_1',
      FACTS,
    )
    expect(plan).toMatchObject({
      status: 'refused',
      message: expect.stringMatching(/does not belong to account/),
    })
  })

  it('plans what is left by default, keyed by the request id, with its ERP records', async () => {
    const plan = await planMoney(
      billingWith({ refunded: 1000, refundable: 4000 }),
      CONFIG,
      refund(),
      'ar_9',
      FACTS,
    )
    expect(plan.status).toBe('ok')
    if (plan.status !== 'ok') return
    expect(plan.diff.amount).toBe(4000)
    expect(plan.diff.calls[0]).toMatchObject({
      idempotencyKey: 'ar_9:billing',
      params: { amount: '4000' },
    })
    expect(plan.diff.erp).toMatchObject([
      {
        record: 'creditmemo',
        externalId: 'concord-ar-9-memo',
        amount: 40,
        itemId: '7',
        customerId: '42',
      },
      {
        record: 'customerRefund',
        externalId: 'concord-ar-9-refund',
        creditMemoExternalId: 'concord-ar-9-memo',
      },
    ])
    const again = await planMoney(
      billingWith({ refunded: 1000, refundable: 4000 }),
      CONFIG,
      refund(),
      'ar_9',
      FACTS,
    )
    expect(again.status === 'ok' && again.fingerprint).toBe(plan.fingerprint)
    const moved = await planMoney(
      billingWith({ refunded: 2000, refundable: 3000 }),
      CONFIG,
      refund(),
      'ar_9',
      FACTS,
    )
    expect(moved.status === 'ok' && moved.fingerprint).not.toBe(plan.fingerprint)
  })
})
