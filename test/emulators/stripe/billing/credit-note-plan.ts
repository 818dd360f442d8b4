import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import type { Charge, CreditNote, CreditNoteLine, Invoice, Metadata } from '../types.ts'

/** One requested line: part of an invoice line, or a custom amount. */
export interface CreditNoteLineInput {
  type: 'invoice_line_item' | 'custom_line_item'
  invoiceLineItem?: string
  quantity?: number
  amount?: number
  unitAmount?: number
  description?: string
}

/** What `POST /v1/credit_notes` and `GET /v1/credit_notes/preview` take (one of amount, lines). */
export interface CreditNoteInput {
  amount?: number
  lines?: CreditNoteLineInput[]
  reason?: CreditNote['reason']
  memo?: string
  refundAmount?: number
  creditAmount?: number
  outOfBandAmount?: number
  metadata?: Metadata
}

/** A validated credit note, before anything changes. */
export interface CreditNotePlan {
  amount: number
  prePayment: number
  postPayment: number
  refundAmount: number
  creditAmount: number
  outOfBandAmount: number
  charge: Charge | undefined
  lines: CreditNoteLine[]
}

/** What is still creditable on an invoice: its total less every issued credit note. */
export function creditableAmount(invoice: Invoice): number {
  return (
    invoice.total -
    invoice.pre_payment_credit_notes_amount -
    invoice.post_payment_credit_notes_amount
  )
}

/** How much of one invoice line earlier, unvoided credit notes already credited. */
function creditedOnLine(ctx: Ctx, invoice: Invoice, lineId: string): number {
  let sum = 0
  for (const note of ctx.store.creditNotes.values()) {
    if (note.invoice !== invoice.id || note.status === 'void') continue
    for (const l of note.lines.data) if (l.invoice_line_item === lineId) sum += l.amount
  }
  return sum
}

function blankLine(ctx: Ctx): Omit<CreditNoteLine, 'amount' | 'type' | 'description'> {
  return {
    id: ctx.ids.next('cnli_', 24),
    object: 'credit_note_line_item',
    discount_amount: 0,
    discount_amounts: [],
    livemode: false,
    metadata: {},
    pretax_credit_amounts: [],
    quantity: 1,
    tax_rates: [],
    taxes: [],
    unit_amount: null,
    unit_amount_decimal: null,
  }
}

function invoiceLine(ctx: Ctx, invoice: Invoice, input: CreditNoteLineInput): CreditNoteLine {
  const line = invoice.lines.data.find((l) => l.id === input.invoiceLineItem)
  if (!line)
    throw invalidRequest(
      `No such invoice line item: '${input.invoiceLineItem ?? ''}' on invoice ${invoice.id}`,
      'lines',
    )
  const quantity = input.quantity ?? line.quantity
  if (quantity <= 0 || quantity > line.quantity)
    throw invalidRequest(`The quantity must be between 1 and ${line.quantity}.`, 'lines')
  const amount =
    input.amount ?? (line.quantity ? Math.round((line.amount * quantity) / line.quantity) : 0)
  const left = line.amount - creditedOnLine(ctx, invoice, line.id)
  if (amount <= 0 || amount > left)
    throw invalidRequest(
      `The credit amount for line item ${line.id} (${amount}) exceeds what remains creditable on it (${left}).`,
      'lines',
    )
  return {
    ...blankLine(ctx),
    amount,
    description: line.description,
    invoice_line_item: line.id,
    quantity,
    type: 'invoice_line_item',
  }
}

function customLine(ctx: Ctx, input: CreditNoteLineInput, amount: number): CreditNoteLine {
  return {
    ...blankLine(ctx),
    amount,
    description: input.description ?? 'Credit',
    quantity: input.quantity ?? 1,
    type: 'custom_line_item',
    unit_amount: input.unitAmount ?? amount,
    unit_amount_decimal: String(input.unitAmount ?? amount),
  }
}

function planLines(ctx: Ctx, invoice: Invoice, input: CreditNoteInput): CreditNoteLine[] {
  if (input.lines && input.lines.length > 0) {
    return input.lines.map((l) => {
      if (l.type === 'invoice_line_item') return invoiceLine(ctx, invoice, l)
      const amount = (l.unitAmount ?? 0) * (l.quantity ?? 1)
      if (!Number.isInteger(amount) || amount <= 0)
        throw invalidRequest('A custom line item needs a positive unit_amount.', 'lines')
      return customLine(ctx, l, amount)
    })
  }
  if (input.amount === undefined)
    throw invalidRequest(
      'Must provide one of `amount`, `lines`, or `shipping_cost`.',
      'amount',
      'parameter_missing',
    )
  if (!Number.isInteger(input.amount) || input.amount <= 0)
    throw invalidRequest('The credit note amount must be a positive integer.', 'amount')
  return [customLine(ctx, { type: 'custom_line_item', description: input.memo }, input.amount)]
}

/**
 * The post-payment part must be fully accounted for by refund, customer balance credit and
 * out-of-band amounts ("the sum ... must equal the post_payment_amount"); when none is given,
 * all of it goes to the customer's balance.
 */
function splitPostPayment(
  input: CreditNoteInput,
  post: number,
): Pick<CreditNotePlan, 'refundAmount' | 'creditAmount' | 'outOfBandAmount'> {
  const given = [input.refundAmount, input.creditAmount, input.outOfBandAmount]
  if (given.every((v) => v === undefined))
    return { refundAmount: 0, creditAmount: post, outOfBandAmount: 0 }
  const [refundAmount = 0, creditAmount = 0, outOfBandAmount = 0] = given
  if (refundAmount + creditAmount + outOfBandAmount !== post)
    throw invalidRequest(
      `The sum of refund_amount, credit_amount and out_of_band_amount (${refundAmount + creditAmount + outOfBandAmount}) must equal the credit note's post_payment_amount (${post}).`,
      'refund_amount',
    )
  return { refundAmount, creditAmount, outOfBandAmount }
}

/**
 * Validates a credit note against the invoice's current state, changing nothing: a credit
 * first lowers what is still due (pre-payment), the rest (post-payment) is refunded, credited to
 * the customer's balance or settled out of band.
 * @throws StripeError 400 for a draft or void invoice, or amounts above what can be credited.
 */
export function planCreditNote(ctx: Ctx, invoice: Invoice, input: CreditNoteInput): CreditNotePlan {
  if (invoice.status !== 'open' && invoice.status !== 'paid')
    throw invalidRequest(
      `Credit notes can only be issued on open or paid invoices; this one is ${invoice.status}.`,
      'invoice',
    )
  const lines = planLines(ctx, invoice, input)
  const amount = lines.reduce((s, l) => s + l.amount, 0)
  if (input.amount !== undefined && input.lines?.length && input.amount !== amount)
    throw invalidRequest(`amount (${input.amount}) must equal the sum of the lines (${amount}).`)
  const max = creditableAmount(invoice)
  if (amount > max)
    throw invalidRequest(
      `The credit note amount (${amount}) exceeds the invoice's remaining creditable amount (${max}).`,
      'amount',
    )
  const prePayment = invoice.status === 'open' ? Math.min(amount, invoice.amount_remaining) : 0
  const postPayment = amount - prePayment
  const split = splitPostPayment(input, postPayment)
  const chargeId = ctx.store.invoiceCharge.get(invoice.id)
  const charge = chargeId ? ctx.store.charges.get(chargeId) : undefined
  if (split.refundAmount > 0) {
    const refundable = charge ? charge.amount_captured - charge.amount_refunded : 0
    if (split.refundAmount > refundable)
      throw invalidRequest(
        `refund_amount (${split.refundAmount}) exceeds what is refundable on the invoice's payment (${refundable}).`,
        'refund_amount',
        'amount_too_large',
      )
  }
  return { amount, prePayment, postPayment, ...split, charge, lines }
}
