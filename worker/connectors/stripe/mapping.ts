import { CreditNote, Invoice, Payment } from '../../../shared/index.ts'
import type {
  StripeCharge,
  StripeCreditNote,
  StripeInvoice,
  StripeInvoicePayment,
} from './stripe-types.ts'
import { isoDate, isoDateTime } from './time.ts'

/**
 * Stripe objects → the canonical model. The canonical `accountId` is the Salesforce Account,
 * which Stripe keeps on the customer (`metadata.sf_account_id`), not on these objects: callers
 * pass it. Every result is validated against the shared schema (ids normalised to 18 chars).
 * @throws ZodError when the result breaks the shared schema (for example a bad account id).
 */

const latest = (...times: Array<number | null | undefined>): number =>
  Math.max(...times.filter((t): t is number => typeof t === 'number'))

const cap = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text

/**
 * An invoice document. `sourceUpdatedAt` is its latest status transition (finalized, paid,
 * voided, marked uncollectible), else its creation.
 */
export function invoiceFromStripe(inv: StripeInvoice, accountId: string): Invoice {
  const t = inv.status_transitions
  const correlationId =
    inv.parent?.subscription_details?.metadata?.['correlation_id'] ??
    inv.metadata?.['correlation_id']
  return Invoice.parse({
    id: inv.id,
    accountId,
    number: inv.number ?? undefined,
    status: inv.status ?? 'draft',
    currency: inv.currency.toUpperCase(),
    amountDue: inv.amount_due,
    amountPaid: inv.amount_paid,
    amountRemaining: inv.amount_remaining,
    issuedDate: t.finalized_at ? isoDate(t.finalized_at) : undefined,
    dueDate: inv.due_date ? isoDate(inv.due_date) : undefined,
    hostedUrl: inv.hosted_invoice_url ?? undefined,
    correlationId: correlationId ? cap(correlationId, 64) : undefined,
    subscriptionId: inv.parent?.subscription_details?.subscription ?? undefined,
    billingReason: inv.billing_reason ?? undefined,
    sourceUpdatedAt: isoDateTime(
      latest(inv.created, t.finalized_at, t.paid_at, t.voided_at, t.marked_uncollectible_at),
    ),
  })
}

/** `card visa 4242`: short enough for `Method__c`. */
function methodOf(charge: StripeCharge): string | undefined {
  const d = charge.payment_method_details
  if (!d) return undefined
  const card = d.card ? [d.card.brand, d.card.last4].filter(Boolean).join(' ') : ''
  return cap([d.type, card].filter(Boolean).join(' '), 40)
}

/**
 * A payment from its charge: `succeeded`, `failed` (with Stripe's failure message),
 * `refunded` or `partially_refunded`. `sourceUpdatedAt` counts refunds, so read the charge with
 * `expand[]=refunds` (the reader does). The id is the charge id, which the invoice-payment
 * mapping uses too, so both views of one payment land on one record.
 * @returns undefined for a charge still `pending` (no outcome yet).
 */
export function paymentFromCharge(
  charge: StripeCharge,
  opts: { accountId: string; invoiceId?: string },
): Payment | undefined {
  if (charge.status === 'pending') return undefined
  const refundedAt = (charge.refunds?.data ?? [])
    .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
    .map((r) => r.created)
  let status: Payment['status']
  if (charge.status === 'failed') status = 'failed'
  else if (charge.amount_refunded > 0 && charge.amount_refunded >= charge.amount)
    status = 'refunded'
  else if (charge.amount_refunded > 0) status = 'partially_refunded'
  else status = 'succeeded'
  return Payment.parse({
    id: charge.id,
    accountId: opts.accountId,
    invoiceId: opts.invoiceId,
    status,
    currency: charge.currency.toUpperCase(),
    amount: charge.amount,
    amountRefunded: charge.amount_refunded,
    paidAt: charge.status === 'succeeded' ? isoDateTime(charge.created) : undefined,
    method: methodOf(charge),
    failureReason:
      status === 'failed'
        ? cap(charge.failure_message ?? charge.failure_code ?? 'The payment failed.', 255)
        : undefined,
    sourceUpdatedAt: isoDateTime(latest(charge.created, ...refundedAt)),
  })
}

/**
 * A payment as an invoice sees it (`invoice_payment.paid`). Keyed by the underlying charge so it
 * merges with `paymentFromCharge`, which carries refunds and failures.
 * @returns undefined unless it is `paid` (an `open` one is still owed, a `canceled` one never paid).
 */
export function paymentFromInvoicePayment(
  ip: StripeInvoicePayment,
  accountId: string,
): Payment | undefined {
  if (ip.status !== 'paid') return undefined
  const paidAt = ip.status_transitions.paid_at ?? ip.created
  return Payment.parse({
    id: ip.payment.charge ?? ip.payment.payment_intent ?? ip.id,
    accountId,
    invoiceId: ip.invoice,
    status: 'succeeded',
    currency: ip.currency.toUpperCase(),
    amount: ip.amount_paid ?? 0,
    paidAt: isoDateTime(paidAt),
    sourceUpdatedAt: isoDateTime(paidAt),
  })
}

/** A credit note: `issued` or `void`; `sourceUpdatedAt` is its voiding, else its creation. */
export function creditNoteFromStripe(note: StripeCreditNote, accountId: string): CreditNote {
  return CreditNote.parse({
    id: note.id,
    accountId,
    invoiceId: note.invoice,
    status: note.status,
    currency: note.currency.toUpperCase(),
    amount: note.amount,
    number: note.number || undefined,
    reason: note.reason ?? undefined,
    amountRefunded: (note.refunds ?? []).reduce((sum, r) => sum + r.amount_refunded, 0),
    createdAt: isoDateTime(note.created),
    sourceUpdatedAt: isoDateTime(latest(note.created, note.voided_at)),
  })
}
