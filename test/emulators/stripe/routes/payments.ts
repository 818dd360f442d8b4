import type { Api } from '../api.ts'
import {
  planCreditNote,
  type CreditNoteInput,
  type CreditNoteLineInput,
} from '../billing/credit-note-plan.ts'
import {
  buildCreditNote,
  issueCreditNote,
  refundCharge,
  voidCreditNote,
} from '../billing/credits.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { hashes, int, mergeMetadata, str, type Params } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCharge, requireCreditNote, requireInvoice } from '../lookup.ts'
import { snapshot } from '../state.ts'
import type { Charge, CreditNote } from '../types.ts'

const REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory']

const CREDIT_NOTE_PARAMS = [
  'invoice',
  'amount',
  'lines',
  'reason',
  'memo',
  'metadata',
  'refund_amount',
  'credit_amount',
  'out_of_band_amount',
  'effective_at',
  'email_type',
  'refunds',
  'shipping_cost',
]

function creditNoteLine(l: Params): CreditNoteLineInput {
  const type = str(l, 'type')
  if (type !== 'invoice_line_item' && type !== 'custom_line_item')
    throw invalidRequest(
      'Invalid lines[type]: must be one of invoice_line_item or custom_line_item',
      'lines',
    )
  return {
    type,
    invoiceLineItem: str(l, 'invoice_line_item'),
    quantity: int(l, 'quantity'),
    amount: int(l, 'amount'),
    unitAmount: int(l, 'unit_amount'),
    description: str(l, 'description'),
  }
}

/** The parameters of `POST /v1/credit_notes`, shared with its preview. */
function creditNoteInput(p: Params): CreditNoteInput {
  const reason = str(p, 'reason')
  if (reason && !REASONS.includes(reason))
    throw invalidRequest(`Invalid reason: must be one of ${REASONS.join(', ')}`, 'reason')
  return {
    amount: int(p, 'amount'),
    lines: hashes(p, 'lines')?.map(creditNoteLine),
    reason: (reason ?? null) as CreditNote['reason'],
    memo: str(p, 'memo'),
    refundAmount: int(p, 'refund_amount'),
    creditAmount: int(p, 'credit_amount'),
    outOfBandAmount: int(p, 'out_of_band_amount'),
    metadata: mergeMetadata({}, p),
  }
}

/** The charge a refund names, by `charge` or by `payment_intent`. */
function refundTarget(ctx: Ctx, p: Params): Charge {
  const chargeId = str(p, 'charge')
  if (chargeId) return requireCharge(ctx, chargeId)
  const intent = str(p, 'payment_intent')
  if (!intent)
    throw invalidRequest(
      'One of `charge` or `payment_intent` is required.',
      'charge',
      'parameter_missing',
    )
  const charge = [...ctx.store.charges.values()].find((c) => c.payment_intent === intent)
  if (!charge) throw resourceMissing('payment_intent', intent, 'payment_intent')
  return charge
}

/** Charges (read), refunds, credit notes. */
export function paymentRoutes(api: Api, ctx: Ctx): void {
  api.on('GET', '/v1/charges/:id', [], (r) =>
    snapshot(requireCharge(ctx, r.path['id'] ?? '', 'id')),
  )
  api.on(
    'GET',
    '/v1/charges',
    ['customer', 'limit', 'starting_after', 'ending_before', 'created', 'payment_intent'],
    (r) => {
      const customer = str(r.params, 'customer')
      const all = filterCreated([...ctx.store.charges.values()], r.params).filter(
        (c) => !customer || c.customer === customer,
      )
      return paginate(all, r.params, '/v1/charges', ctx.store)
    },
  )

  api.on(
    'POST',
    '/v1/refunds',
    [
      'charge',
      'amount',
      'reason',
      'metadata',
      'payment_intent',
      'refund_application_fee',
      'reverse_transfer',
      'instructions_email',
    ],
    async (r) => {
      const charge = refundTarget(ctx, r.params)
      const amount = int(r.params, 'amount')
      const reason = str(r.params, 'reason')
      if (reason && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason))
        throw invalidRequest('Invalid reason', 'reason')
      const metadata = mergeMetadata({}, r.params)
      await r.begin([charge.id])
      return snapshot(refundCharge(ctx, charge, amount, reason, metadata))
    },
  )
  api.on('GET', '/v1/refunds/:id', [], (r) => {
    const found = ctx.store.refunds.get(r.path['id'] ?? '')
    if (!found) throw resourceMissing('refund', r.path['id'] ?? '')
    return snapshot(found)
  })
  api.on(
    'GET',
    '/v1/refunds',
    ['charge', 'limit', 'starting_after', 'ending_before', 'created', 'payment_intent'],
    (r) => {
      const charge = str(r.params, 'charge')
      const all = filterCreated([...ctx.store.refunds.values()], r.params).filter(
        (x) => !charge || x.charge === charge,
      )
      return paginate(all, r.params, '/v1/refunds', ctx.store)
    },
  )

  api.on('POST', '/v1/credit_notes', CREDIT_NOTE_PARAMS, async (r) => {
    const invoice = requireInvoice(ctx, str(r.params, 'invoice', true) as string, 'invoice')
    const input = creditNoteInput(r.params)
    await r.begin([invoice.id, invoice.customer])
    return snapshot(issueCreditNote(ctx, invoice, input))
  })
  // Registered before `/v1/credit_notes/:id` so `preview` is not read as an id.
  api.on('GET', '/v1/credit_notes/preview', CREDIT_NOTE_PARAMS, (r) => {
    const invoice = requireInvoice(ctx, str(r.params, 'invoice', true) as string, 'invoice')
    const input = creditNoteInput(r.params)
    return buildCreditNote(ctx, invoice, input, planCreditNote(ctx, invoice, input))
  })
  api.on('GET', '/v1/credit_notes/:id', [], (r) =>
    snapshot(requireCreditNote(ctx, r.path['id'] ?? '')),
  )
  api.on('POST', '/v1/credit_notes/:id/void', [], async (r) => {
    const note = requireCreditNote(ctx, r.path['id'] ?? '')
    await r.begin([note.id, note.invoice])
    voidCreditNote(ctx, note)
    return snapshot(note)
  })
  api.on(
    'GET',
    '/v1/credit_notes',
    ['invoice', 'customer', 'limit', 'starting_after', 'ending_before', 'created'],
    (r) => {
      const invoice = str(r.params, 'invoice')
      const customer = str(r.params, 'customer')
      const all = filterCreated([...ctx.store.creditNotes.values()], r.params).filter(
        (c) => (!invoice || c.invoice === invoice) && (!customer || c.customer === customer),
      )
      return paginate(all, r.params, '/v1/credit_notes', ctx.store)
    },
  )
}
