import { describe, expect, it } from 'vitest'
import type { MoneyDiff } from '../../../worker/ledger/money-plan.ts'
import type { ActionRequest } from '../../../worker/ops/action-requests.ts'
import { approve, type Approval } from '../support/approvals.ts'
import { billedAccount } from '../support/billed-account.ts'
import {
  amendmentEvent,
  drain,
  drainWriter,
  expectSafeError,
  ledger,
  operatorFetch,
  postEvents,
} from '../support/helpers.ts'
import { TEST_ADMIN_TOKEN, TEST_APPROVER_TOKEN } from '../support/test-config.ts'
import {
  createAccount,
  netsuiteEffects,
  salesforceRecords,
  stripeEffects,
} from '../support/vendors.ts'
import { stripeApi, stripeControl } from '../webhooks/support.ts'

type Json = Record<string, unknown>
type Asked = { status: string; request: ActionRequest & { diff: MoneyDiff } }

const ask = (path: string, body: Json, token?: string) =>
  operatorFetch(path, { method: 'POST', body: JSON.stringify(body), token })

async function asked(path: string, body: Json, token?: string): Promise<Asked> {
  const res = await ask(path, body, token)
  expect(res.status, await res.clone().text()).toBe(202)
  return res.json<Asked>()
}

async function approved(id: string): Promise<Approval> {
  const res = await approve(id)
  expect(res.status, await res.clone().text()).toBe(200)
  return res.json<Approval>()
}

const kinds = (effects: Array<{ kind: string; detail?: Json }>, prefix: string) =>
  effects.filter((e) => e.kind.startsWith(prefix))

describe('POST /v1/credits and /v1/refunds: money under two-person approval', () => {
  it('refuses refunding a payment that failed, and nothing reaches Stripe or NetSuite', async () => {
    const account = await createAccount()
    // The customer exists before the create (find-before-create links it) and its card declines.
    const customer = await stripeApi('POST', '/v1/customers', {
      name: 'Declines',
      'metadata[sf_account_id]': account,
    })
    await stripeControl('auto_pay', { mode: 'fail', customer: String(customer.id) })
    await postEvents([
      amendmentEvent({
        Account_Id__c: account,
        Subscription_Key__c: `SUB-DECLINED-${crypto.randomUUID().slice(0, 6)}`,
        Price_Key__c: 'pro-monthly-usd',
        Quantity__c: 5,
      }),
    ])
    await drain(account, 500)
    const charges = await stripeApi<{ data: Json[] }>('GET', '/v1/charges', {
      customer: String(customer.id),
    })
    const failed = charges.data.find((c) => c.status === 'failed')
    expect(failed, JSON.stringify(charges.data)).toBeDefined()

    const refused = await ask('/v1/refunds', {
      accountId: account,
      paymentId: String(failed?.id),
      currency: 'USD',
      amount: 100,
      reason: 'requested_by_customer',
    })
    expect(refused.status).toBe(422)
    expect((await expectSafeError(refused)).message).toBe(
      `Payment ${String(failed?.id)} failed; there is nothing to refund.`,
    )
    const refunds = await stripeApi<{ data: Json[] }>('GET', '/v1/refunds', {
      charge: String(failed?.id),
    })
    expect(refunds.data).toEqual([])
    expect(await ledger(account).moneyActions()).toEqual([])
  })

  it('credits an invoice by amount once, after a second person approves the dry run', async () => {
    const { account, invoice } = await billedAccount('SUB-MONEY')
    const total = Number(invoice.total)
    // Asked by an admin, who may approve others' requests but never their own.
    const { request } = await asked(
      '/v1/credits',
      {
        accountId: account,
        invoiceId: invoice.id,
        currency: 'USD',
        amount: 1500,
        reason: 'order_change',
        memo: 'goodwill',
      },
      TEST_ADMIN_TOKEN,
    )
    expect(request).toMatchObject({ kind: 'credit', state: 'pending', target: invoice.id })
    expect(request.diff).toMatchObject({
      amount: 1500,
      currency: 'USD',
      source: { document: invoice.id, status: 'paid', available: total },
    })
    expect(request.diff.calls).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/credit_notes',
        idempotencyKey: `${request.id}:billing`,
        params: expect.objectContaining({ amount: '1500', reason: 'order_change' }),
      }),
    ])
    expect(request.diff.erp).toMatchObject([{ record: 'creditmemo', amount: 15 }])
    const before = kinds(await stripeEffects(), 'credit_note.create').length

    const self = await approve(request.id, TEST_ADMIN_TOKEN)
    expect(self.status).toBe(403)
    expect((await expectSafeError(self)).message).toMatch(/another approver must approve it/)
    const done = await approved(request.id)
    expect(done).toMatchObject({ status: 'executed', request: { state: 'executed' } })
    // Approving again changes nothing: the request is no longer pending.
    expect((await approve(request.id, TEST_APPROVER_TOKEN)).status).toBe(409)
    await drain(account, 500)
    await drain(account, 500)

    const notes = kinds(await stripeEffects(), 'credit_note.create')
    expect(notes.length - before).toBe(1)
    expect(notes.at(-1)?.detail).toMatchObject({ invoice: invoice.id, amount: 1500 })
    const memos = (await netsuiteEffects()).filter((e) =>
      e.target.includes(`concord-${request.id.replace(/_/g, '-')}-memo`),
    )
    expect(memos.map((e) => e.kind)).toEqual(['creditmemo.upsert.create'])
    const [action] = await ledger(account).moneyActions()
    expect(action).toMatchObject({
      requestId: request.id,
      step: 'done',
      billingRef: expect.stringMatching(/^cn_/),
      erpMemoRef: expect.any(String),
    })

    // Salesforce gets the credit note whole: Stripe's document and the NetSuite memo Concord made.
    await drainWriter()
    const invoiceRecord = (await salesforceRecords('Billing_Invoice__c')).find(
      (r) => r.External_Id__c === invoice.id,
    )
    const note = (await salesforceRecords('Billing_Credit_Note__c')).find(
      (r) => r.External_Id__c === action?.billingRef,
    )
    expect(note).toMatchObject({
      Account__c: account,
      Invoice__c: invoiceRecord?.Id,
      Amount__c: 15,
      Currency_Iso__c: 'USD',
      Reason__c: 'order_change',
      Status__c: 'issued',
      Erp_Credit_Memo_Id__c: action?.erpMemoRef,
      Created_At__c: expect.any(String),
    })
  })

  it('credits by invoice lines and refuses more than is creditable, naming the amounts', async () => {
    const { account, invoice } = await billedAccount('SUB-MONEY')
    const line = (invoice.lines as { data: Json[] }).data[0] as Json
    const { request } = await asked('/v1/credits', {
      accountId: account,
      invoiceId: invoice.id,
      currency: 'USD',
      lines: [{ lineId: line.id, quantity: 2 }],
      reason: 'product_unsatisfactory',
    })
    const perSeat = Number(line.amount) / Number(line.quantity)
    expect(request.diff.amount).toBe(2 * perSeat)
    expect(request.diff.calls[0]?.params).toMatchObject({
      'lines[0][type]': 'invoice_line_item',
      'lines[0][invoice_line_item]': String(line.id),
      'lines[0][quantity]': '2',
    })

    const over = await ask('/v1/credits', {
      accountId: account,
      invoiceId: invoice.id,
      currency: 'USD',
      amount: Number(invoice.total) + 1,
      reason: 'order_change',
    })
    expect(over.status).toBe(422)
    const err = await expectSafeError(over)
    expect(err.code).toBe('refused')
    expect(err.message).toMatch(/exceeds what is creditable on invoice .* \(\d+ USD\)/)
  })

  it('refuses a currency that does not match the invoice', async () => {
    const { account, invoice } = await billedAccount('SUB-MONEY')
    const res = await ask('/v1/credits', {
      accountId: account,
      invoiceId: invoice.id,
      currency: 'EUR',
      amount: 100,
      reason: 'order_change',
    })
    expect(res.status).toBe(422)
    expect((await expectSafeError(res)).message).toMatch(/currency EUR does not match .* USD/)
  })

  it('refunds a payment once, and refuses refunding more than is left', async () => {
    const { account, charge } = await billedAccount('SUB-MONEY')
    const { request } = await asked('/v1/refunds', {
      accountId: account,
      paymentId: charge,
      currency: 'USD',
      amount: 1000,
      reason: 'requested_by_customer',
    })
    expect(request.diff.calls[0]).toMatchObject({
      path: '/v1/refunds',
      params: { amount: '1000', charge },
    })
    expect(request.diff.erp.map((e) => e.record)).toEqual(['creditmemo', 'customerRefund'])
    await approved(request.id)
    await drain(account, 500)
    const ch = await stripeApi('GET', `/v1/charges/${charge}`)
    expect(ch.amount_refunded).toBe(1000)
    const erp = (await netsuiteEffects()).filter((e) =>
      e.target.includes(request.id.replace(/_/g, '-')),
    )
    expect(erp.map((e) => e.kind).sort()).toEqual([
      'creditmemo.upsert.create',
      'customerRefund.upsert.create',
    ])
    // The payment's refunded state reaches Salesforce through the OrgWriter.
    await drain(account, 500)
    await drainWriter()
    const payment = (await salesforceRecords('Billing_Payment__c')).find(
      (r) => r.External_Id__c === charge,
    )
    expect(payment).toMatchObject({ Status__c: 'partially_refunded', Amount_Refunded__c: 10 })

    const over = await ask('/v1/refunds', {
      accountId: account,
      paymentId: charge,
      currency: 'USD',
      amount: Number(ch.amount) - 1000 + 1,
      reason: 'requested_by_customer',
    })
    expect(over.status).toBe(422)
    expect((await expectSafeError(over)).message).toMatch(
      /exceeds what is refundable on payment .* \(\d+ USD\)/,
    )
  })

  it('sends the request back for approval when the invoice changed after it was asked', async () => {
    const { account, invoice } = await billedAccount('SUB-MONEY')
    const { request } = await asked('/v1/credits', {
      accountId: account,
      invoiceId: invoice.id,
      currency: 'USD',
      amount: 1000,
      reason: 'order_change',
    })
    // Finance credits the same invoice in Stripe meanwhile: less is creditable now.
    await stripeApi('POST', '/v1/credit_notes', { invoice: String(invoice.id), amount: '500' })
    const res = await approved(request.id)
    expect(res.status).toBe('needs_reapproval')
    expect(res.request.state).toBe('pending')
    expect(res.request.fingerprint).not.toBe(request.fingerprint)
    await drain(account, 500)
    expect(await ledger(account).moneyActions()).toEqual([])
  })
})
