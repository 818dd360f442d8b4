import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { snapshot } from '../state.ts'
import type { Charge, CreditNote, Invoice, Metadata, Refund } from '../types.ts'

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
  if (charge.status !== 'succeeded')
    throw invalidRequest(`Charge ${charge.id} has not succeeded and cannot be refunded.`, 'charge')
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

export interface CreditNoteInput {
  amount: number
  reason?: CreditNote['reason']
  memo?: string
  refundAmount?: number
  outOfBandAmount?: number
  metadata?: Metadata
}

/** The one line of a credit note: Concord credits an amount, not particular invoice lines. */
function creditNoteLines(
  ctx: Ctx,
  noteId: string,
  amount: number,
  memo: string | null | undefined,
): CreditNote['lines'] {
  return {
    object: 'list',
    data: [
      {
        id: ctx.ids.next('cnli_', 24),
        object: 'credit_note_line_item',
        amount,
        description: memo ?? 'Credit',
        discount_amount: 0,
        discount_amounts: [],
        livemode: false,
        metadata: {},
        pretax_credit_amounts: [],
        quantity: 1,
        tax_rates: [],
        taxes: [],
        type: 'custom_line_item',
        unit_amount: amount,
        unit_amount_decimal: String(amount),
      },
    ],
    has_more: false,
    url: `/v1/credit_notes/${noteId}/lines`,
  }
}

/**
 * Issues a credit note. On an open invoice it lowers what is due (`pre_payment`; fully credited
 * means paid); on a paid one (`post_payment`) it is refunded, settled out of band, or — the
 * rest — credited to the customer's balance.
 * @throws StripeError 400 for other statuses or amounts above what can be credited.
 */
export function issueCreditNote(ctx: Ctx, invoice: Invoice, input: CreditNoteInput): CreditNote {
  if (invoice.status !== 'open' && invoice.status !== 'paid') {
    throw invalidRequest(
      `Credit notes can only be issued on open or paid invoices; this one is ${invoice.status}.`,
      'invoice',
    )
  }
  const pre = invoice.status === 'open'
  const max = pre
    ? invoice.amount_remaining
    : invoice.amount_paid - invoice.post_payment_credit_notes_amount
  if (!Number.isInteger(input.amount) || input.amount <= 0 || input.amount > max) {
    throw invalidRequest(`The credit note amount must be between 1 and ${max}.`, 'amount')
  }
  const refundAmount = pre ? 0 : (input.refundAmount ?? 0)
  const outOfBand = input.outOfBandAmount ?? 0
  if (refundAmount + outOfBand > input.amount)
    throw invalidRequest(
      'refund_amount and out_of_band_amount exceed the credit note amount.',
      'refund_amount',
    )
  const beforeInvoice = snapshot(invoice)
  const seq = [...ctx.store.creditNotes.values()].filter((c) => c.invoice === invoice.id).length + 1
  const note: CreditNote = {
    id: ctx.ids.next('cn_', 24),
    object: 'credit_note',
    amount: input.amount,
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
    lines: { object: 'list', data: [], has_more: false, url: '' },
    livemode: false,
    memo: input.memo ?? null,
    metadata: input.metadata ?? {},
    number: `${invoice.number ?? 'DRAFT'}-CN-${String(seq).padStart(2, '0')}`,
    out_of_band_amount: outOfBand || null,
    pdf: '',
    post_payment_amount: pre ? 0 : input.amount,
    pre_payment_amount: pre ? input.amount : 0,
    pretax_credit_amounts: [],
    reason: input.reason ?? null,
    refunds: [],
    shipping_cost: null,
    status: 'issued',
    subtotal: input.amount,
    subtotal_excluding_tax: input.amount,
    total: input.amount,
    total_excluding_tax: input.amount,
    total_taxes: [],
    type: pre ? 'pre_payment' : 'post_payment',
    voided_at: null,
  }
  note.lines = creditNoteLines(ctx, note.id, input.amount, input.memo)
  note.pdf = `https://pay.stripe.com/credit_notes/acct_1Concord00000000/test_${note.id.slice(3)}/pdf`
  ctx.store.add(ctx.store.creditNotes, note)
  if (pre) {
    invoice.pre_payment_credit_notes_amount += input.amount
    invoice.amount_due -= input.amount
    invoice.amount_remaining -= input.amount
  } else {
    invoice.post_payment_credit_notes_amount += input.amount
    const chargeId = ctx.store.invoiceCharge.get(invoice.id)
    const charge = chargeId ? ctx.store.charges.get(chargeId) : undefined
    if (refundAmount > 0) {
      if (!charge) throw invalidRequest('This invoice has no charge to refund.', 'refund_amount')
      const refund = refundCharge(ctx, charge, refundAmount, undefined, {})
      note.refunds.push({ amount_refunded: refundAmount, refund: refund.id })
    }
    const credit = input.amount - refundAmount - outOfBand
    const customer = ctx.store.customers.get(invoice.customer)
    if (credit > 0 && customer) {
      customer.balance -= credit
      note.customer_balance_transaction = ctx.ids.next('cbtxn_', 24)
    }
  }
  ctx.effect('credit_note.create', note.id, note.metadata, {
    invoice: invoice.id,
    amount: note.amount,
    type: note.type,
  })
  ctx.emit('credit_note.created', note)
  ctx.emit('invoice.updated', invoice, beforeInvoice)
  if (pre && invoice.amount_remaining === 0) {
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
  if (invoice && note.type === 'pre_payment' && invoice.status === 'open') {
    const before = snapshot(invoice)
    invoice.pre_payment_credit_notes_amount -= note.amount
    invoice.amount_due += note.amount
    invoice.amount_remaining += note.amount
    ctx.emit('invoice.updated', invoice, before)
  } else if (note.type === 'post_payment') {
    const customer = ctx.store.customers.get(note.customer)
    if (customer && note.customer_balance_transaction)
      customer.balance += note.amount - (note.out_of_band_amount ?? 0)
    if (invoice) invoice.post_payment_credit_notes_amount -= note.amount
  }
  note.status = 'void'
  note.voided_at = ctx.now()
  ctx.effect('credit_note.void', note.id, note.metadata)
  ctx.emit('credit_note.voided', note)
}
