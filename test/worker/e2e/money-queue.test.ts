import { runInDurableObject } from 'cloudflare:test'
import { afterEach, describe, expect, it } from 'vitest'
import type { ActionRequest } from '../../../worker/ops/action-requests.ts'
import type { WorkItem } from '../../../worker/ops/work-queue.ts'
import { until } from '../../support/poll.ts'
import { approve } from '../support/approvals.ts'
import { billedAccount } from '../support/billed-account.ts'
import { drain, expectSafeError, ledger, operatorFetch } from '../support/helpers.ts'
import { netsuiteEffects, setFaults, stripeEffects, vendors } from '../support/vendors.ts'

afterEach(async () => {
  await setFaults(vendors().stripeUrl, [])
  await setFaults(vendors().netsuiteUrl, [])
})

/** An account with a paid invoice, and an approved credit of 800 cents on it. */
async function approvedCredit(): Promise<{ account: string; invoice: string; id: string }> {
  const { account, invoiceId: invoice } = await billedAccount('SUB-MONEYQ')
  const asked = await operatorFetch('/v1/credits', {
    method: 'POST',
    body: JSON.stringify({
      accountId: account,
      invoiceId: invoice,
      currency: 'USD',
      amount: 800,
      reason: 'order_change',
    }),
  })
  expect(asked.status).toBe(202)
  const { request } = await asked.json<{ request: ActionRequest }>()
  return { account, invoice, id: request.id }
}

/** Runs the pump, making every scheduled retry due at once, until `done` holds. */
async function pumpUntil<T>(account: string, what: string, done: () => Promise<T | undefined>) {
  return until(
    what,
    async () => {
      await runInDurableObject(ledger(account), async (_, state) => {
        state.storage.sql.exec('UPDATE money_action SET not_before = 0')
        await state.storage.setAlarm(Date.now())
      })
      await drain(account, 5)
      return done()
    },
    { timeoutMs: 60_000, intervalMs: 20, describe: () => ledger(account).moneyActions() },
  )
}

async function queued(id: string): Promise<WorkItem[]> {
  const res = await operatorFetch(`/v1/exceptions?q=${encodeURIComponent(id)}`)
  expect(res.status).toBe(200)
  return (await res.json<{ items: WorkItem[] }>()).items
}

const act = (item: string, action: 'retry' | 'skip', reason: string) =>
  operatorFetch(`/v1/exceptions/${encodeURIComponent(item)}/${action}`, {
    method: 'POST',
    body: JSON.stringify({ reason }),
  })

describe('money actions in the exception work queue', () => {
  it('lists a credit parked at NetSuite after its retry budget as a data fix, and a retry finishes it once', async () => {
    const { account, invoice, id } = await approvedCredit()
    await setFaults(vendors().netsuiteUrl, [{ route: '/creditmemo/', count: 1000, status: 503 }])
    expect((await approve(id)).status).toBe(200)

    await drain(account, 5)
    const [retrying] = await queued(id)
    expect(retrying).toMatchObject({ kind: 'money_action', category: 'retrying' })
    const parked = await pumpUntil(account, 'the credit to park', async () => {
      const [a] = await ledger(account).moneyActions()
      return a?.step === 'parked' ? a : undefined
    })
    expect(parked.attempts).toBe(10)
    expect(parked.billingRef).toMatch(/^cn_/)
    const [item] = await queued(id)
    expect(item).toMatchObject({
      id: `money:${id}`,
      kind: 'money_action',
      category: 'needs_data_fix',
      system: 'netsuite',
      accountId: account,
      correlationId: id,
      ids: { stripe: [invoice, parked.billingRef] },
    })
    expect(item?.message).toMatch(/^credit of in_/)
    expect((await queued(invoice)).map((i) => i.id)).toEqual([`money:${id}`])

    await setFaults(vendors().netsuiteUrl, [])
    const res = await act(`money:${id}`, 'retry', 'NetSuite is back')
    expect(res.status, await res.clone().text()).toBe(200)
    await drain(account, 50)
    expect((await ledger(account).moneyActions())[0]).toMatchObject({ step: 'done' })
    expect(await queued(id)).toEqual([])

    const notes = (await stripeEffects()).filter(
      (e) => e.kind === 'credit_note.create' && e.detail?.invoice === invoice,
    )
    expect(notes).toHaveLength(1)
    const memos = (await netsuiteEffects()).filter(
      (e) => e.target.includes(id.replace(/_/g, '-')) && !e.kind.endsWith('.noop'),
    )
    expect(memos.map((e) => e.kind)).toEqual(['creditmemo.upsert.create'])
    // Retrying it again is refused: it is no longer parked.
    const again = await act(`money:${id}`, 'retry', 'again')
    expect(again.status).toBe(409)
    expect((await expectSafeError(again)).message).toMatch(/not parked/)
  }, 90_000)

  it('lists a credit Stripe refused as needing finance approval, and a skip ends it with no credit note', async () => {
    const { account, invoice, id } = await approvedCredit()
    await setFaults(vendors().stripeUrl, [{ route: 'POST /v1/credit_notes', status: 402 }])
    expect((await approve(id)).status).toBe(200)
    await pumpUntil(account, 'the credit to park', async () => {
      const [a] = await ledger(account).moneyActions()
      return a?.step === 'parked' ? a : undefined
    })
    const [item] = await queued(id)
    expect(item).toMatchObject({ category: 'needs_approval', system: 'stripe' })

    const res = await act(`money:${id}`, 'skip', 'customer withdrew the complaint')
    expect(res.status, await res.clone().text()).toBe(200)
    await drain(account, 50)
    expect((await ledger(account).moneyActions())[0]).toMatchObject({ step: 'skipped' })
    expect(await queued(id)).toEqual([])
    const notes = (await stripeEffects()).filter(
      (e) => e.kind === 'credit_note.create' && e.detail?.invoice === invoice,
    )
    expect(notes).toEqual([])
  }, 90_000)
})
