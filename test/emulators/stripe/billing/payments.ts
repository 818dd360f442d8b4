import { autoPayOf, type Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { snapshot } from '../state.ts'
import type { Charge, ChargeBlanks, Invoice, InvoicePayment, Subscription } from '../types.ts'
import { finalizeInvoice } from './invoices.ts'

function subscriptionOf(ctx: Ctx, invoice: Invoice): Subscription | undefined {
  return invoice.parent
    ? ctx.store.subscriptions.get(invoice.parent.subscription_details.subscription)
    : undefined
}

function setSubscriptionStatus(
  ctx: Ctx,
  sub: Subscription | undefined,
  status: Subscription['status'],
): void {
  if (!sub || sub.status === status || sub.status === 'canceled') return
  const before = snapshot(sub)
  sub.status = status
  ctx.effect('subscription.status', sub.id, sub.metadata, { from: before.status, to: status })
  ctx.emit('customer.subscription.updated', sub, before)
}

/** Charge fields the emulator never fills (no Connect, Radar, shipping or receipts). */
function chargeBlanks(): ChargeBlanks {
  return {
    application: null,
    application_fee: null,
    application_fee_amount: null,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'CONCORD',
    disputed: false,
    failure_balance_transaction: null,
    fraud_details: {},
    on_behalf_of: null,
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    transfer_data: null,
    transfer_group: null,
  }
}

/** The test card every automatic payment uses (`4242`, or `0002` when it declines). */
function visaCard(
  last4: string,
  authorized: number | null,
): Charge['payment_method_details']['card'] {
  return {
    amount_authorized: authorized,
    authorization_code: authorized === null ? null : '123456',
    brand: 'visa',
    checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
    country: 'US',
    electronic_commerce_indicator: null,
    exp_month: 12,
    exp_year: 2034,
    funding: 'credit',
    installments: null,
    last4,
    mandate: null,
    network: 'visa',
    network_transaction_id: authorized === null ? null : '1234567890123',
    regulated_status: 'unregulated',
    three_d_secure: null,
    transaction_link_id: null,
    wallet: null,
  }
}

function newCharge(
  ctx: Ctx,
  invoice: Invoice,
  amount: number,
  ok: boolean,
  failureCode?: string,
): Charge {
  const charge: Charge = {
    id: ctx.ids.next('ch_', 24),
    object: 'charge',
    ...chargeBlanks(),
    amount,
    amount_captured: ok ? amount : 0,
    amount_refunded: 0,
    balance_transaction: ok ? ctx.ids.next('txn_', 24) : null,
    captured: ok,
    created: ctx.now(),
    currency: invoice.currency,
    customer: invoice.customer,
    description: invoice.number ? `Payment for Invoice ${invoice.number}` : null,
    failure_code: ok ? null : (failureCode ?? 'card_declined'),
    failure_message: ok ? null : 'Your card was declined.',
    livemode: false,
    metadata: {},
    outcome: ok
      ? {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: null,
          network_status: 'approved_by_network',
          reason: null,
          risk_level: 'normal',
          seller_message: 'Payment complete.',
          type: 'authorized',
        }
      : {
          advice_code: null,
          network_advice_code: null,
          network_decline_code: '05',
          network_status: 'declined_by_network',
          reason: 'generic_decline',
          risk_level: 'normal',
          seller_message: 'The bank did not return any further details with this decline.',
          type: 'issuer_declined',
        },
    paid: ok,
    payment_intent: null,
    payment_method: 'pm_card_visa',
    payment_method_details: {
      type: 'card',
      card: visaCard(ok ? '4242' : '0002', ok ? amount : null),
    },
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: '' },
    status: ok ? 'succeeded' : 'failed',
  }
  charge.refunds.url = `/v1/charges/${charge.id}/refunds`
  return ctx.store.add(ctx.store.charges, charge)
}

/**
 * Pays an open (or uncollectible) invoice in full: a succeeded charge, an `invoice_payment`,
 * status `paid`. A draft is finalized first, as `POST /v1/invoices/{id}/pay` does.
 * @throws StripeError 400 when the invoice is void or already paid.
 */
export function payInvoice(ctx: Ctx, invoice: Invoice, opts: { outOfBand?: boolean } = {}): void {
  if (invoice.status === 'draft') finalizeInvoice(ctx, invoice)
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
    throw invalidRequest(
      `Invoice is already ${invoice.status === 'paid' ? 'paid' : invoice.status}.`,
      undefined,
      'invoice_not_editable',
    )
  }
  const before = snapshot(invoice)
  const now = ctx.now()
  const amount = invoice.amount_remaining
  const sub = subscriptionOf(ctx, invoice)
  let charge: Charge | undefined
  if (amount > 0 && !opts.outOfBand) {
    charge = newCharge(ctx, invoice, amount, true)
    ctx.store.invoiceCharge.set(invoice.id, charge.id)
    ctx.emit('charge.succeeded', charge)
  }
  invoice.status = 'paid'
  invoice.amount_paid += amount
  invoice.amount_remaining = 0
  invoice.attempted = true
  if (charge) invoice.attempt_count += 1
  invoice.next_payment_attempt = null
  invoice.status_transitions.paid_at = now
  ctx.effect('invoice.pay', invoice.id, sub?.metadata, {
    amount,
    charge: charge?.id ?? null,
    out_of_band: opts.outOfBand ?? false,
  })
  if (charge) {
    const payment: InvoicePayment = {
      id: ctx.ids.next('inpay_', 24),
      object: 'invoice_payment',
      amount_paid: amount,
      amount_requested: amount,
      created: now,
      currency: invoice.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'charge', charge: charge.id },
      status: 'paid',
      status_transitions: { canceled_at: null, paid_at: now },
    }
    ctx.store.add(ctx.store.invoicePayments, payment)
    ctx.emit('invoice_payment.paid', payment)
  }
  ctx.emit('invoice.paid', invoice)
  if (charge) ctx.emit('invoice.payment_succeeded', invoice)
  ctx.emit('invoice.updated', invoice, before)
  if (sub && (sub.status === 'incomplete' || sub.status === 'past_due' || sub.status === 'unpaid'))
    setSubscriptionStatus(ctx, sub, 'active')
}

/**
 * A declined attempt: a failed charge, `attempt_count` up, the next retry in 3 days; the
 * subscription turns `past_due` unless this was its first invoice (it stays `incomplete`).
 * @throws StripeError 400 unless the invoice is open.
 */
export function failPayment(ctx: Ctx, invoice: Invoice, failureCode?: string): Charge {
  if (invoice.status === 'draft') finalizeInvoice(ctx, invoice)
  if (invoice.status !== 'open')
    throw invalidRequest(
      `Only open invoices can be charged; this one is ${invoice.status}.`,
      'invoice',
    )
  const before = snapshot(invoice)
  const charge = newCharge(ctx, invoice, invoice.amount_remaining, false, failureCode)
  invoice.attempted = true
  invoice.attempt_count += 1
  invoice.next_payment_attempt =
    invoice.collection_method === 'charge_automatically' ? ctx.now() + 3 * 86_400 : null
  const sub = subscriptionOf(ctx, invoice)
  ctx.effect('invoice.payment_failed', invoice.id, sub?.metadata, {
    charge: charge.id,
    failure_code: charge.failure_code,
  })
  ctx.emit('charge.failed', charge)
  ctx.emit('invoice.payment_failed', invoice)
  ctx.emit('invoice.updated', invoice, before)
  if (sub && sub.status === 'active' && invoice.billing_reason !== 'subscription_create')
    setSubscriptionStatus(ctx, sub, 'past_due')
  return charge
}

/**
 * open|uncollectible → void.
 * @throws StripeError 400 from any other status.
 */
export function voidInvoice(ctx: Ctx, invoice: Invoice): void {
  if (invoice.status !== 'open' && invoice.status !== 'uncollectible') {
    throw invalidRequest(
      `You can only void an open or uncollectible invoice; this one is ${invoice.status}.`,
      undefined,
      'invoice_not_editable',
    )
  }
  const before = snapshot(invoice)
  invoice.status = 'void'
  invoice.status_transitions.voided_at = ctx.now()
  invoice.next_payment_attempt = null
  ctx.effect('invoice.void', invoice.id, subscriptionOf(ctx, invoice)?.metadata)
  ctx.emit('invoice.voided', invoice)
  ctx.emit('invoice.updated', invoice, before)
}

/**
 * open → uncollectible.
 * @throws StripeError 400 from any other status.
 */
export function markUncollectible(ctx: Ctx, invoice: Invoice): void {
  if (invoice.status !== 'open') {
    throw invalidRequest(
      `You can only mark an open invoice uncollectible; this one is ${invoice.status}.`,
      undefined,
      'invoice_not_editable',
    )
  }
  const before = snapshot(invoice)
  invoice.status = 'uncollectible'
  invoice.status_transitions.marked_uncollectible_at = ctx.now()
  invoice.next_payment_attempt = null
  ctx.effect('invoice.mark_uncollectible', invoice.id, subscriptionOf(ctx, invoice)?.metadata)
  ctx.emit('invoice.marked_uncollectible', invoice)
  ctx.emit('invoice.updated', invoice, before)
}

/**
 * What happens right after finalization: nothing due → paid at once; automatic collection →
 * charged per the emulator's `autoPay` setting; `send_invoice` → waits for the customer.
 */
export function collect(ctx: Ctx, invoice: Invoice, opts: { attempt?: boolean } = {}): void {
  if (invoice.status !== 'open') return
  if (invoice.amount_remaining === 0) return payInvoice(ctx, invoice)
  if (invoice.collection_method !== 'charge_automatically' || opts.attempt === false) return
  const mode = autoPayOf(ctx.settings, invoice.customer)
  if (mode === 'succeed') payInvoice(ctx, invoice)
  else if (mode === 'fail') failPayment(ctx, invoice)
}
