import type { Api } from '../api.ts'
import { issueCreditNote, refundCharge, voidCreditNote } from '../billing/credits.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { hashes, int, mergeMetadata, str, type Params } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCharge, requireCreditNote, requireInvoice } from '../lookup.ts'
import { snapshot } from '../state.ts'
import type { CreditNote } from '../types.ts'

const REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory']

/** `amount`, or the sum of `lines[i][amount]` / `lines[i][unit_amount] × quantity`. */
function creditAmount(p: Params): number | undefined {
  const amount = int(p, 'amount')
  if (amount !== undefined) return amount
  const lines = hashes(p, 'lines')
  if (!lines) return undefined
  return lines.reduce(
    (sum, l) =>
      sum + (int(l, 'amount') ?? (int(l, 'unit_amount') ?? 0) * (int(l, 'quantity') ?? 1)),
    0,
  )
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
      const charge = requireCharge(ctx, str(r.params, 'charge', true) as string)
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

  api.on(
    'POST',
    '/v1/credit_notes',
    [
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
    ],
    async (r) => {
      const p = r.params
      const invoice = requireInvoice(ctx, str(p, 'invoice', true) as string, 'invoice')
      const amount = creditAmount(p)
      if (amount === undefined)
        throw invalidRequest(
          'Missing required param: amount or lines.',
          'amount',
          'parameter_missing',
        )
      const reason = str(p, 'reason')
      if (reason && !REASONS.includes(reason))
        throw invalidRequest(`Invalid reason: must be one of ${REASONS.join(', ')}`, 'reason')
      const input = {
        amount,
        reason: (reason ?? null) as CreditNote['reason'],
        memo: str(p, 'memo'),
        refundAmount: int(p, 'refund_amount'),
        outOfBandAmount: int(p, 'out_of_band_amount'),
        metadata: mergeMetadata({}, p),
      }
      await r.begin([invoice.id, invoice.customer])
      return snapshot(issueCreditNote(ctx, invoice, input))
    },
  )
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
