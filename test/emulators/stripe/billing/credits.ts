import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { snapshot } from '../state.ts'
import type { Charge, CreditNote, Invoice, Metadata, Refund } from '../types.ts'
import { planCreditNote, type CreditNoteInput, type CreditNotePlan } from './credit-note-plan.ts'

export type { CreditNoteInput } from './credit-note-plan.ts'

/**
 * Refunds part or all of a succeeded charge. The invoice it paid stays `paid`, as on Stripe.
 * @throws StripeError 400 when the amount exceeds what is left to refund.
 */
export function refundCharge(
  ctx: Ctx,
  charge: Charge,
  amount?: number,
  reason?: string,
  metadata: Metadata = {},
): Refund {
  const left = charge.amount_captured - charge.amount_refunded
  const value = amount ?? left
  if (charge.status !== 'succeeded' || !charge.captured)
    throw invalidRequest(
      `Charge ${charge.id} has ${charge.status === 'failed' ? 'failed' : 'not been captured'} and cannot be refunded.`,
      'charge',
      'charge_not_refundable',
    )
  if (charge.refunded || left === 0)
    throw invalidRequest(
      `Charge ${charge.id} has already been refunded.`,
      'charge',
      'charge_already_refunded',
    )
  if (value <= 0 || value > left) {
    throw invalidRequest(
      `Refund amount (${value}) is greater than unrefunded amount on charge (${left})`,
      'amount',
      'amount_too_large',
    )
  }
  const before = snapshot(charge)
  const refund: Refund = {
    id: ctx.ids.next('re_', 24),
    object: 'refund',
    amount: value,
    balance_transaction: ctx.ids.next('txn_', 24),
    charge: charge.id,
    created: ctx.now(),
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    metadata,
    payment_intent: null,
    payment_method: charge.payment_method,
    reason: reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    transfer_reversal: null,
    status: 'succeeded',
  }
  ctx.store.add(ctx.store.refunds, refund)
  charge.amount_refunded += value
  charge.refunded = charge.amount_refunded === charge.amount_captured
  charge.refunds.data.unshift(snapshot(refund))
  ctx.effect('charge.refund', charge.id, metadata, { refund: refund.id, amount: value })
  ctx.emit('refund.created', refund)
  ctx.emit('charge.refunded', charge, before)
  return refund
}

/** The credit note a plan makes: `preview` gives it without storing it. */
export function buildCreditNote(
  ctx: Ctx,
  invoice: Invoice,
  input: CreditNoteInput,
  plan: CreditNotePlan,
): CreditNote {
  const seq = [...ctx.store.creditNotes.values()].filter((c) => c.invoice === invoice.id).length + 1
  const id = ctx.ids.next('cn_', 24)
  const type =
    plan.prePayment > 0 && plan.postPayment > 0
      ? 'mixed'
      : plan.postPayment > 0
        ? 'post_payment'
        : 'pre_payment'
  return {
    id,
    object: 'credit_note',
    amount: plan.amount,
    amount_shipping: 0,
    created: ctx.now(),
    currency: invoice.currency,
    customer: invoice.customer,
    customer_account: null,
    customer_balance_transaction: null,
    discount_amount: 0,
    discount_amounts: [],
    effective_at: ctx.now(),
    invoice: invoice.id,
    lines: {
      object: 'list',
      data: plan.lines,
      has_more: false,
      url: `/v1/credit_notes/${id}/lines`,
    },
    livemode: false,
    memo: input.memo ?? null,
    metadata: input.metadata ?? {},
    number: `${invoice.number ?? 'DRAFT'}-CN-${String(seq).padStart(2, '0')}`,
    out_of_band_amount: plan.outOfBandAmount || null,
    pdf: `https://pay.stripe.com/credit_notes/acct_1Concord00000000/test_${id.slice(3)}/pdf`,
    post_payment_amount: plan.postPayment,
    pre_payment_amount: plan.prePayment,
    pretax_credit_amounts: [],
    reason: input.reason ?? null,
    refunds: [],
    shipping_cost: null,
    status: 'issued',
    subtotal: plan.amount,
    subtotal_excluding_tax: plan.amount,
    total: plan.amount,
    total_excluding_tax: plan.amount,
    total_taxes: [],
    type,
    voided_at: null,
  }
}

function applyPostPayment(
  ctx: Ctx,
  invoice: Invoice,
  note: CreditNote,
  plan: CreditNotePlan,
): void {
  invoice.post_payment_credit_notes_amount += plan.postPayment
  if (plan.refundAmount > 0 && plan.charge) {
    const refund = refundCharge(ctx, plan.charge, plan.refundAmount, undefined, {})
    note.refunds.push({
      amount_refunded: plan.refundAmount,
      payment_record_refund: null,
      refund: refund.id,
      type: 'refund',
    })
  }
  const customer = ctx.store.customers.get(invoice.customer)
  if (plan.creditAmount > 0 && customer) {
    customer.balance -= plan.creditAmount
    note.customer_balance_transaction = ctx.ids.next('cbtxn_', 24)
  }
}

/**
 * Issues a credit note. On an open invoice it first lowers what is due (`pre_payment`; fully
 * credited means paid); the rest (`post_payment`) is refunded, settled out of band, or credited
 * to the customer's balance.
 * @throws StripeError 400 for other statuses or amounts above what can be credited.
 */
export function issueCreditNote(ctx: Ctx, invoice: Invoice, input: CreditNoteInput): CreditNote {
  const plan = planCreditNote(ctx, invoice, input)
  const beforeInvoice = snapshot(invoice)
  const note = buildCreditNote(ctx, invoice, input, plan)
  ctx.store.add(ctx.store.creditNotes, note)
  if (plan.prePayment > 0) {
    invoice.pre_payment_credit_notes_amount += plan.prePayment
    invoice.amount_due -= plan.prePayment
    invoice.amount_remaining -= plan.prePayment
  }
  if (plan.postPayment > 0) applyPostPayment(ctx, invoice, note, plan)
  ctx.effect('credit_note.create', note.id, note.metadata, {
    invoice: invoice.id,
    amount: note.amount,
    type: note.type,
  })
  ctx.emit('credit_note.created', note)
  ctx.emit('invoice.updated', invoice, beforeInvoice)
  if (invoice.status === 'open' && invoice.amount_remaining === 0) {
    const beforePaid = snapshot(invoice)
    invoice.status = 'paid'
    invoice.status_transitions.paid_at = ctx.now()
    ctx.emit('invoice.paid', invoice)
    ctx.emit('invoice.updated', invoice, beforePaid)
  }
  return note
}

/**
 * Voids a credit note and undoes its credit (refunds, being money already sent, stay).
 * @throws StripeError 400 when it is already void or was refunded.
 */
export function voidCreditNote(ctx: Ctx, note: CreditNote): void {
  if (note.status === 'void') throw invalidRequest('This credit note is already void.', 'id')
  if (note.refunds.length > 0)
    throw invalidRequest('A credit note with refunds cannot be voided.', 'id')
  const invoice = ctx.store.invoices.get(note.invoice)
  if (invoice && note.pre_payment_amount > 0 && invoice.status === 'open') {
    const before = snapshot(invoice)
    invoice.pre_payment_credit_notes_amount -= note.pre_payment_amount
    invoice.amount_due += note.pre_payment_amount
    invoice.amount_remaining += note.pre_payment_amount
    ctx.emit('invoice.updated', invoice, before)
  }
  if (note.post_payment_amount > 0) {
    const customer = ctx.store.customers.get(note.customer)
    if (customer && note.customer_balance_transaction)
      customer.balance += note.post_payment_amount - (note.out_of_band_amount ?? 0)
    if (invoice) invoice.post_payment_credit_notes_amount -= note.post_payment_amount
  }
  note.status = 'void'
  note.voided_at = ctx.now()
  ctx.effect('credit_note.void', note.id, note.metadata)
  ctx.emit('credit_note.voided', note)
}
