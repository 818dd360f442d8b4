import { describe, expect, it } from 'vitest'
import type { DriftReport } from '../../../worker/reconcile/drift/types.ts'
import { amendmentEvent, ledger, operatorFetch, postEvents } from '../support/helpers.ts'
import {
  createAccount,
  emulatorControl,
  netsuiteEffects,
  salesforceRecords,
  vendors,
} from '../support/vendors.ts'
import { reconcileAccount, settle } from './drift-support.ts'

type Json = Record<string, unknown>

/** An account with one subscription Concord made (seats 5), its sales order in NetSuite. */
async function orderedAccount() {
  const account = await createAccount()
  const eventUuid = crypto.randomUUID()
  await postEvents([
    amendmentEvent({
      EventUuid: eventUuid,
      Account_Id__c: account,
      Subscription_Key__c: `SUB-ERP-${crypto.randomUUID().slice(0, 6)}`,
      Sequence__c: 1,
      Price_Key__c: 'pro-monthly-usd',
      Quantity__c: 5,
    }),
  ])
  await settle(account)
  // The first run catches up on the saga's billing events (no webhook reaches these tests).
  await reconcileAccount(account)
  await settle(account)
  const externalId = `concord-amd-${eventUuid}`
  const order = await salesOrder(externalId)
  expect(order).toBeDefined()
  return { account, externalId, order: order! }
}

/** The sales order as NetSuite shows it (expanded), or undefined when there is none. */
async function salesOrder(externalId: string): Promise<Json | undefined> {
  const res = await fetch(`${vendors().netsuiteUrl}/__control/netsuite/record`, {
    method: 'POST',
    body: JSON.stringify({ type: 'salesOrder', ref: `eid:${externalId}` }),
  })
  if (res.status === 404) return undefined
  expect(res.status).toBe(200)
  return await res.json()
}

const netsuite = (action: string, body: unknown) =>
  emulatorControl(vendors().netsuiteUrl, `netsuite/${action}`, body)

const upsertsOf = async (externalId: string) =>
  (await netsuiteEffects()).filter((e) => e.target === `salesOrder:${externalId}`)

const ofAccount = (report: DriftReport, account: string) =>
  report.findings.filter((f) => f.accountId === account)

const lineOf = (order: Json): Json => (order.item as { items: Json[] }).items[0] ?? {}

describe('drift reconciler: NetSuite sales orders', () => {
  it('re-creates a sales order deleted in NetSuite once, through the account’s ledger', async () => {
    const { account, externalId, order } = await orderedAccount()
    await netsuite('delete', { type: 'salesOrder', ref: `eid:${externalId}` })
    expect(await salesOrder(externalId)).toBeUndefined()
    const before = (await upsertsOf(externalId)).length

    const first = await reconcileAccount(account)
    expect(ofAccount(first, account)).toEqual([
      expect.objectContaining({
        object: 'sales_order',
        id: externalId,
        cause: 'lost_erp_step',
        action: 'repair_requested',
        detail: expect.stringContaining(String(order.id)) as unknown,
      }),
    ])
    expect(first.calls.netsuite).toBeGreaterThanOrEqual(1)
    // Asked again at once: whether the ledger's alarm has re-made the order by now (nothing to
    // find) or not yet (its re-run is already queued), nothing is asked of the ledger twice.
    const again = await reconcileAccount(account)
    expect(ofAccount(again, account).filter((f) => f.action !== 'reported')).toEqual([])
    await settle(account)

    const remade = await salesOrder(externalId)
    expect(remade).toBeDefined()
    expect(lineOf(remade!)).toMatchObject({
      quantity: lineOf(order).quantity,
      rate: lineOf(order).rate,
    })
    expect(remade?.otherRefNum).toBe(order.otherRefNum)
    expect((await upsertsOf(externalId)).length).toBe(before + 1)

    const third = await reconcileAccount(account)
    expect(ofAccount(third, account)).toEqual([])
    // A pass that read NetSuite before the re-run finished asks in vain: it is not run again.
    const amendmentId = externalId.replace('concord-amd-', '')
    expect(await ledger(account).rerunErpOrder(amendmentId, Date.now() - 60_000)).toBe('already')
    await settle(account)
    expect((await upsertsOf(externalId)).length).toBe(before + 1)
  }, 30_000)

  it('raises a sales order changed in NetSuite as a drift item naming the order and the field, once, and leaves it as NetSuite has it', async () => {
    const { account, externalId, order } = await orderedAccount()
    const line = lineOf(order)
    await netsuite('edit', {
      type: 'salesOrder',
      ref: `eid:${externalId}`,
      body: { item: { items: [{ line: line.line, quantity: 7 }] } },
    })
    const edited = await salesOrder(externalId)
    expect(lineOf(edited!).quantity).toBe(7)
    const upserts = (await upsertsOf(externalId)).length

    const report = await reconcileAccount(account)
    const rate = Number(line.rate)
    expect(ofAccount(report, account)).toEqual([
      expect.objectContaining({
        object: 'sales_order',
        id: externalId,
        cause: 'erp_edit',
        action: 'exception',
        fields: [{ field: 'foreigntotal', concord: 5 * rate, netsuite: 7 * rate }],
      }),
    ])
    const raised = async () => {
      const res = await operatorFetch(`/v1/exceptions?accountId=${account}`)
      const body = await res.json<{ items: Array<Json & { ids: { netsuite: string[] } }> }>()
      return body.items.filter((e) => e.kind === 'drift')
    }
    const items = await raised()
    expect(items).toEqual([
      expect.objectContaining({
        id: `drift:erp_edit:${externalId}`,
        code: 'drift_erp_edit',
        system: 'netsuite',
        category: 'needs_data_fix',
        message: expect.stringContaining('foreigntotal') as unknown,
      }),
    ])
    expect(items[0]?.ids.netsuite).toEqual([externalId])
    expect(String(items[0]?.message)).toContain(String(order.id))

    await reconcileAccount(account)
    await settle(account)
    expect(await raised()).toHaveLength(1)
    // Concord never overwrites the ERP's edit.
    expect((await upsertsOf(externalId)).length).toBe(upserts)
    expect(lineOf((await salesOrder(externalId))!).quantity).toBe(7)
  }, 30_000)

  it('raises a NetSuite invoice that disagrees with the billing invoice whose id it carries, naming both and the fields, once', async () => {
    const { account } = await orderedAccount()
    const invoice = (await salesforceRecords('Billing_Invoice__c')).find(
      (r) => r.Account__c === account,
    )
    const invoiceId = String(invoice?.External_Id__c)
    const due = Number(invoice?.Amount_Due__c)
    expect(invoice?.Status__c).toBe('paid')
    const erpCustomerId = (await ledger(account).summary())?.xref.erpCustomerId
    // Posted by something other than Concord (Concord makes no invoices in NetSuite), 10 too much.
    const posted = await netsuite('add-invoice', {
      customer: Number(erpCustomerId),
      amount: due + 10,
      externalId: invoiceId,
    })

    const report = await reconcileAccount(account)
    expect(report.checked).toMatchObject({ erpOrders: 1, erpInvoices: 1 })
    expect(ofAccount(report, account)).toEqual([
      expect.objectContaining({
        object: 'invoice',
        id: invoiceId,
        cause: 'erp_mismatch',
        action: 'exception',
        fields: [
          { field: 'foreigntotal', billing: due, netsuite: due + 10 },
          { field: 'foreignamountunpaid', billing: 0, netsuite: due + 10 },
        ],
        detail: expect.stringContaining(`NetSuite invoice ${String(posted.id)}`) as unknown,
      }),
    ])
    await reconcileAccount(account)
    const res = await operatorFetch(`/v1/exceptions?accountId=${account}`)
    const items = (await res.json<{ items: Json[] }>()).items.filter((e) => e.kind === 'drift')
    expect(items).toEqual([
      expect.objectContaining({
        id: `drift:erp_mismatch:${invoiceId}`,
        system: 'netsuite',
        code: 'drift_erp_mismatch',
      }),
    ])
  }, 30_000)
})
