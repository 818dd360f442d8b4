import { stripeClientOf, stripeReaderOf } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import {
  StripeBilling,
  creditNoteFromStripe,
  invoiceFromStripe,
  paymentFromCharge,
  paymentFromInvoicePayment,
  type StripeCharge,
  type StripeClient,
  type StripeCreditNote,
  type StripeInvoice,
  type StripeReader,
  type StripeSubscription,
} from '../../../worker/connectors/stripe/index.ts'
import { encodeForm, type FormParams } from '../../../worker/connectors/stripe/form.ts'
import { newAccountId } from '../support/helpers.ts'

const STRIPE = env.STRIPE_API_BASE as string
const auth = { authorization: `Bearer ${env.STRIPE_SECRET_KEY}` }
const reader = stripeReaderOf(env) as StripeReader
const iso = (unix: number) => new Date(unix * 1000).toISOString()
const day = (unix: number) => iso(unix).slice(0, 10)

async function control<T>(action: string, body: unknown): Promise<T> {
  const res = await fetch(`${STRIPE}/__control/stripe/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  expect(res.status, action).toBe(200)
  return await res.json()
}
async function stripePost<T>(path: string, params: FormParams): Promise<T> {
  const res = await fetch(`${STRIPE}${path}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm(params),
  })
  expect(res.status, path).toBe(200)
  return await res.json()
}

/** A customer with a paid monthly subscription (made through the connector) and its first invoice. */
async function paidCustomer() {
  const stripe = new StripeBilling(stripeClientOf(env) as StripeClient)
  const accountId = newAccountId()
  const { customerId } = await stripe.ensureCustomer(
    { accountId, name: 'Ledger Corp' },
    { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
  )
  const create = Amendment.parse({
    id: crypto.randomUUID(),
    accountId,
    subscriptionKey: `SUB-${crypto.randomUUID().slice(0, 8)}`,
    sequence: 1,
    action: 'create',
    priceKey: 'pro-monthly-usd',
    quantity: 5,
    correlationId: crypto.randomUUID(),
    createdAt: new Date().toISOString(),
  })
  const { subscriptionId } = await stripe.applyAmendment(
    { amendment: create, customerId, price: DEMO_CATALOG.prices['pro-monthly-usd'] },
    { idempotencyKey: `${create.id}:billing`, correlationId: create.correlationId },
  )
  const sub = await (
    await fetch(`${STRIPE}/v1/subscriptions/${subscriptionId}`, { headers: auth })
  ).json<StripeSubscription>()
  return {
    accountId,
    customerId,
    subscriptionId,
    invoiceId: sub.latest_invoice as string,
    correlationId: create.correlationId,
  }
}

/** An invoice sent for payment in 30 days (so it stays open), on a customer of its own. */
async function openInvoice() {
  const { accountId, customerId } = await paidCustomer()
  const sub = await stripePost<StripeSubscription>('/v1/subscriptions', {
    customer: customerId,
    items: [{ price: 'price_team_monthly_usd', quantity: 3 }],
    collection_method: 'send_invoice',
    days_until_due: 30,
    metadata: { correlation_id: 'corr-open' },
  })
  return { accountId, customerId, invoice: await reader.getInvoice(sub.latest_invoice as string) }
}

describe('StripeReader and the canonical mapping', () => {
  it('maps a paid subscription invoice and its payment', async () => {
    const { accountId, invoiceId, correlationId } = await paidCustomer()
    const stripeInvoice = await reader.getInvoice(invoiceId)
    const t = stripeInvoice.status_transitions
    expect(invoiceFromStripe(stripeInvoice, accountId)).toEqual({
      id: invoiceId,
      accountId,
      number: stripeInvoice.number,
      status: 'paid',
      currency: 'USD',
      amountDue: 25_000,
      amountPaid: 25_000,
      amountRemaining: 0,
      issuedDate: day(t.finalized_at as number),
      hostedUrl: stripeInvoice.hosted_invoice_url,
      correlationId,
      sourceUpdatedAt: iso(t.paid_at as number),
      subscriptionId: stripeInvoice.parent?.subscription_details?.subscription,
      billingReason: 'subscription_create',
    })
    const [payment, ...rest] = await reader.paymentsForInvoice(invoiceId, accountId)
    expect(rest).toEqual([])
    expect(payment).toMatchObject({
      accountId,
      invoiceId,
      status: 'succeeded',
      currency: 'USD',
      amount: 25_000,
      amountRefunded: 0,
      method: 'card visa 4242',
    })
    expect(payment?.id).toMatch(/^ch_/)
    const [ip] = await reader.listInvoicePayments(invoiceId)
    expect(paymentFromInvoicePayment(ip as NonNullable<typeof ip>, accountId)).toMatchObject({
      id: payment?.id,
      invoiceId,
      status: 'succeeded',
      amount: 25_000,
    })
  })

  it('follows refunds: partially refunded, then refunded, each newer than the last', async () => {
    const { accountId, invoiceId } = await paidCustomer()
    const [paid] = await reader.paymentsForInvoice(invoiceId, accountId)
    const chargeId = paid?.id as string
    await control('refund', { charge: chargeId, amount: 1_000 })
    const partial = paymentFromCharge(await reader.getCharge(chargeId), { accountId, invoiceId })
    expect(partial).toMatchObject({
      status: 'partially_refunded',
      amount: 25_000,
      amountRefunded: 1_000,
    })
    await control('refund', { charge: chargeId })
    const full = paymentFromCharge(await reader.getCharge(chargeId), { accountId })
    expect(full).toMatchObject({ status: 'refunded', amountRefunded: 25_000 })
    expect(Date.parse(full?.sourceUpdatedAt ?? '')).toBeGreaterThanOrEqual(
      Date.parse(partial?.sourceUpdatedAt ?? ''),
    )
  })

  it('maps an open invoice with its due date, a declined payment, and a void', async () => {
    const { accountId, invoice } = await openInvoice()
    expect(invoiceFromStripe(invoice, accountId)).toMatchObject({
      status: 'open',
      amountDue: 6_000,
      amountRemaining: 6_000,
      dueDate: day(invoice.due_date as number),
      correlationId: 'corr-open',
    })
    const { charge } = await control<{ charge: StripeCharge }>('fail_payment', {
      invoice: invoice.id,
    })
    expect(paymentFromCharge(charge, { accountId, invoiceId: invoice.id })).toMatchObject({
      status: 'failed',
      failureReason: 'Your card was declined.',
      amount: 6_000,
      paidAt: undefined,
    })
    await control('void_invoice', { invoice: invoice.id })
    const voided = await reader.getInvoice(invoice.id)
    expect(invoiceFromStripe(voided, accountId)).toMatchObject({
      status: 'void',
      sourceUpdatedAt: iso(voided.status_transitions.voided_at as number),
    })
  })

  it('maps credit notes, issued and void', async () => {
    const { accountId, customerId, invoice } = await openInvoice()
    const note = await control<StripeCreditNote>('credit_note', {
      invoice: invoice.id,
      amount: 500,
    })
    expect(creditNoteFromStripe(await reader.getCreditNote(note.id), accountId)).toEqual({
      id: note.id,
      accountId,
      invoiceId: invoice.id,
      status: 'issued',
      currency: 'USD',
      amount: 500,
      amountRefunded: 0,
      number: note.number,
      createdAt: iso(note.created),
      sourceUpdatedAt: iso(note.created),
    })
    await control('void_credit_note', { credit_note: note.id })
    expect(creditNoteFromStripe(await reader.getCreditNote(note.id), accountId)).toMatchObject({
      status: 'void',
    })
    expect((await reader.listCreditNotes({ customerId })).data.map((n) => n.id)).toEqual([note.id])
  })

  it('pages through invoices and charges, and lists customers with their account', async () => {
    const { accountId, customerId, invoice } = await openInvoice()
    const first = await reader.listInvoices({ customerId, limit: 1 })
    expect(first).toMatchObject({ hasMore: true, nextCursor: first.data[0]?.id })
    const second = await reader.listInvoices({
      customerId,
      limit: 1,
      startingAfter: first.nextCursor,
    })
    expect([...first.data, ...second.data].map((i) => i.id).sort()).toContain(invoice.id)
    expect(second.data[0]?.id).not.toBe(first.data[0]?.id)
    const charges = await reader.listCharges({ customerId })
    expect(charges.data.map((c) => paymentFromCharge(c, { accountId })?.status)).toEqual([
      'succeeded',
    ])
    expect(await reader.accountIdOf(customerId)).toBe(accountId)
    const customers = await reader.listCustomersWithAccount()
    expect(customers.customers).toContainEqual({ customerId, accountId })
  })

  it('maps a draft, a preview without status, and leaves a pending charge out', () => {
    const accountId = newAccountId()
    const draft: StripeInvoice = {
      id: 'in_draft',
      object: 'invoice',
      customer: 'cus_1',
      number: null,
      status: null,
      currency: 'eur',
      amount_due: 100,
      amount_paid: 0,
      amount_remaining: 100,
      subtotal: 100,
      total: 100,
      created: 1_700_000_000,
      due_date: null,
      hosted_invoice_url: null,
      status_transitions: {
        finalized_at: null,
        paid_at: null,
        voided_at: null,
        marked_uncollectible_at: null,
      },
      lines: { object: 'list', data: [], has_more: false },
    }
    expect(invoiceFromStripe(draft, accountId)).toEqual({
      id: 'in_draft',
      accountId,
      status: 'draft',
      currency: 'EUR',
      amountDue: 100,
      amountPaid: 0,
      amountRemaining: 100,
      sourceUpdatedAt: iso(1_700_000_000),
    })
    const pending = {
      id: 'ch_1',
      object: 'charge',
      amount: 100,
      amount_refunded: 0,
      currency: 'eur',
      created: 1,
      customer: 'cus_1',
      status: 'pending',
      failure_code: null,
      failure_message: null,
      refunded: false,
    } as const
    expect(paymentFromCharge(pending, { accountId })).toBeUndefined()
    expect(() => invoiceFromStripe(draft, 'not-an-account')).toThrow()
  })
})
