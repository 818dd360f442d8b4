import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import type { DriftReport } from '../../../worker/reconcile/drift/types.ts'
import { emulatorControl, salesforceRecords, vendors } from '../support/vendors.ts'
import { reconcileAccount, settle, subscribedAccount } from './drift-support.ts'

const rowOf = async (object: string, account: string) =>
  (await salesforceRecords(object)).find((r) => r.Account__c === account)

/** An account whose first invoice and its payment are in Salesforce (caught up once). */
async function invoicedAccount() {
  const subscribed = await subscribedAccount()
  // No webhook reaches the worker in these tests: the first run catches up on the saga's events.
  await reconcileAccount(subscribed.account)
  await settle(subscribed.account)
  const invoice = await rowOf('Billing_Invoice__c', subscribed.account)
  const payment = await rowOf('Billing_Payment__c', subscribed.account)
  expect(invoice?.External_Id__c).toMatch(/^in_/)
  expect(payment?.External_Id__c).toMatch(/^(ch|py)_/)
  return { ...subscribed, invoice: invoice!, payment: payment! }
}

/** Changes a record as a person would in Salesforce (not the integration user). */
const editByHand = (object: string, externalId: string, fields: Record<string, unknown>) =>
  emulatorControl(vendors().salesforceUrl, 'salesforce/put', {
    object,
    externalIdField: 'External_Id__c',
    records: [{ External_Id__c: externalId, ...fields }],
    asUser: 'rep@concord.example',
  })

const ofAccount = (report: DriftReport, account: string) =>
  report.findings.filter((f) => f.accountId === account)

describe('drift reconciler: invoices and payments', () => {
  it('rewrites a Billing_Invoice__c amount edited by hand, found by the scheduled sweep, once', async () => {
    const { account, invoice } = await invoicedAccount()
    const id = String(invoice.External_Id__c)
    const paid = Number(invoice.Amount_Paid__c)
    expect(paid).toBeGreaterThan(0)
    await editByHand('Billing_Invoice__c', id, { Amount_Paid__c: paid + 100 })
    const edited = await rowOf('Billing_Invoice__c', account)

    const reconciler = env.RECONCILER.getByName(`doc-edits-${crypto.randomUUID()}`)
    const sweep = async () => {
      const run = await reconciler.run({ trigger: 'schedule', repair: true, parts: ['edits'] })
      if (run.status !== 'done') throw new Error(`reconciler answered ${run.status}`)
      return run.report
    }
    const first = await sweep()
    expect(ofAccount(first, account)).toEqual([
      {
        accountId: account,
        object: 'invoice',
        id,
        cause: 'hand_edit',
        action: 'repair_requested',
        fields: [{ field: 'Amount_Paid__c', salesforce: paid + 100, billing: paid }],
      },
    ])
    // The userinfo call, then one query per mirror object; one Stripe read of the edited invoice.
    expect(first.calls.salesforce).toBe(4)
    expect(first.calls.stripe).toBeGreaterThanOrEqual(1)
    await settle(account)
    const repaired = await rowOf('Billing_Invoice__c', account)
    expect(repaired).toMatchObject({ Amount_Paid__c: paid, Status__c: invoice.Status__c })
    expect(Number(repaired?._writes)).toBe(Number(edited?._writes) + 1)
    expect(repaired?.LastModifiedById).not.toBe(edited?.LastModifiedById)

    // Concord's rewrite is by the integration user: the next sweep finds nothing, writes nothing.
    const second = await sweep()
    expect(ofAccount(second, account)).toEqual([])
    await settle(account)
    expect((await rowOf('Billing_Invoice__c', account))?._writes).toBe(repaired?._writes)
  }, 30_000)

  it('finds a payment edited by hand in the full compare of the account, repairs it once and reports its cost', async () => {
    const { account, payment, invoice } = await invoicedAccount()
    const id = String(payment.External_Id__c)
    await editByHand('Billing_Payment__c', id, { Amount_Refunded__c: 5, Status__c: 'refunded' })
    const edited = await rowOf('Billing_Payment__c', account)

    const dry = await reconcileAccount(account, false)
    const found = ofAccount(dry, account).filter((f) => f.object === 'payment')
    expect(found).toEqual([
      expect.objectContaining({
        id,
        cause: 'hand_edit',
        action: 'reported',
        fields: [
          { field: 'Status__c', salesforce: 'refunded', billing: payment.Status__c },
          { field: 'Amount_Refunded__c', salesforce: 5, billing: 0 },
        ],
      }),
    ])
    expect(dry.checked).toMatchObject({ accounts: 1, invoices: 1, payments: 1 })
    await settle(account)
    expect((await rowOf('Billing_Payment__c', account))?._writes).toBe(edited?._writes)

    const fix = await reconcileAccount(account)
    expect(ofAccount(fix, account).map((f) => [f.object, f.id, f.cause, f.action])).toEqual([
      ['payment', id, 'hand_edit', 'repair_requested'],
    ])
    // Events pages, the subscriptions, one page of invoices and one of charges.
    expect(fix.calls.stripe).toBeGreaterThanOrEqual(4)
    // The mirrors, the invoices and the payments of the account: one query each.
    expect(fix.calls.salesforce).toBe(3)
    await settle(account)
    const repaired = await rowOf('Billing_Payment__c', account)
    expect(repaired).toMatchObject({ Amount_Refunded__c: 0, Status__c: payment.Status__c })
    expect(Number(repaired?._writes)).toBe(Number(edited?._writes) + 1)

    const again = await reconcileAccount(account)
    expect(ofAccount(again, account)).toEqual([])
    await settle(account)
    expect((await rowOf('Billing_Payment__c', account))?._writes).toBe(repaired?._writes)
    expect((await rowOf('Billing_Invoice__c', account))?._writes).toBe(invoice._writes)
  }, 30_000)
})
