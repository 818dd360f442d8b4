import type {
  CreditableInvoice,
  CreditNoteParams,
  CreditNotePreview,
  MoneyBilling,
  RefundableCharge,
  RefundParams,
} from '../money.ts'
import type { PlannedCall } from '../types.ts'
import type { StripeClient } from './client.ts'
import { formEntries, type FormParams } from './form.ts'

/**
 * Credit notes and refunds on Stripe. Credit notes: `GET /v1/credit_notes/preview` prices one
 * without issuing it, `POST /v1/credit_notes` issues it, by `amount` or by `lines[]` of type
 * `invoice_line_item` (https://docs.stripe.com/api/credit_notes/create). On a paid invoice the
 * post-payment part is credited to the customer's balance (Stripe's default when no refund or
 * out-of-band amount is named); a refund of money is its own action (`POST /v1/refunds`,
 * https://docs.stripe.com/api/refunds/create), so one approval moves money one way.
 */

interface Invoice {
  id: string
  customer: string
  currency: string
  status: string
  total: number
  pre_payment_credit_notes_amount: number
  post_payment_credit_notes_amount: number
  lines: {
    data: Array<{
      id: string
      amount: number
      quantity: number
      description: string
      pricing?: { price_details?: { price: string } } | null
    }>
  }
}

interface Charge {
  id: string
  customer: string
  currency: string
  status: 'succeeded' | 'pending' | 'failed'
  captured: boolean
  amount: number
  amount_captured: number
  amount_refunded: number
}

const seg = (id: string) => encodeURIComponent(id)

function creditNoteForm(p: CreditNoteParams): FormParams {
  return {
    invoice: p.invoiceId,
    amount: p.amount,
    lines: p.lines?.map((l) => ({
      type: 'invoice_line_item',
      invoice_line_item: l.lineId,
      quantity: l.quantity,
      amount: l.amount,
    })),
    reason: p.reason,
    memo: p.memo,
    metadata: p.metadata,
  }
}

function refundForm(p: RefundParams): FormParams {
  return { charge: p.chargeId, amount: p.amount, reason: p.reason, metadata: p.metadata }
}

const planned = (path: string, form: FormParams, key: string): PlannedCall => ({
  method: 'POST',
  path,
  idempotencyKey: key,
  params: Object.fromEntries(formEntries(form)),
})

/** `MoneyBilling` on Stripe. Every method may throw `ConnectorError`. */
export class StripeMoney implements MoneyBilling {
  private readonly client: StripeClient

  constructor(client: StripeClient) {
    this.client = client
  }

  async creditableInvoice(invoiceId: string): Promise<CreditableInvoice> {
    const inv = await this.client.get<Invoice>(`/v1/invoices/${seg(invoiceId)}`)
    return {
      id: inv.id,
      customerId: inv.customer,
      currency: inv.currency.toUpperCase(),
      status: inv.status,
      total: inv.total,
      creditable:
        inv.total - inv.pre_payment_credit_notes_amount - inv.post_payment_credit_notes_amount,
      lines: inv.lines.data.map((l) => ({
        id: l.id,
        amount: l.amount,
        quantity: l.quantity,
        description: l.description,
        priceId: l.pricing?.price_details?.price,
      })),
    }
  }

  async previewCreditNote(params: CreditNoteParams): Promise<CreditNotePreview> {
    const note = await this.client.get<{
      amount: number
      currency: string
      pre_payment_amount: number
      post_payment_amount: number
    }>('/v1/credit_notes/preview', creditNoteForm(params))
    return {
      amount: note.amount,
      currency: note.currency.toUpperCase(),
      prePaymentAmount: note.pre_payment_amount,
      postPaymentAmount: note.post_payment_amount,
    }
  }

  creditNoteCall(params: CreditNoteParams, idempotencyKey: string): PlannedCall {
    return planned('/v1/credit_notes', creditNoteForm(params), idempotencyKey)
  }

  createCreditNote(params: CreditNoteParams, key: string): Promise<{ id: string; amount: number }> {
    return this.client.post('/v1/credit_notes', creditNoteForm(params), key)
  }

  async refundableCharge(chargeId: string): Promise<RefundableCharge> {
    const ch = await this.client.get<Charge>(`/v1/charges/${seg(chargeId)}`)
    return {
      id: ch.id,
      customerId: ch.customer,
      currency: ch.currency.toUpperCase(),
      status: ch.status,
      captured: ch.captured,
      amount: ch.amount,
      refunded: ch.amount_refunded,
      refundable: ch.amount_captured - ch.amount_refunded,
    }
  }

  refundCall(params: RefundParams, idempotencyKey: string): PlannedCall {
    return planned('/v1/refunds', refundForm(params), idempotencyKey)
  }

  createRefund(params: RefundParams, key: string): Promise<{ id: string; amount: number }> {
    return this.client.post('/v1/refunds', refundForm(params), key)
  }
}
