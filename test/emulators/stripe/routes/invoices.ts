import type { Api } from '../api.ts'
import { requireTaxLocation } from '../billing/tax.ts'
import { finalizeInvoice } from '../billing/invoices.ts'
import { failPayment, markUncollectible, payInvoice, voidInvoice } from '../billing/payments.ts'
import { prorationBehavior, readItemChanges } from '../billing/plan.ts'
import { previewInvoice } from '../billing/preview.ts'
import { autoPayOf, type Ctx } from '../context.ts'
import { invalidRequest, resourceMissing, StripeError } from '../errors.ts'
import { bool, hash, int, str } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCustomer, requireInvoice, requireSubscription } from '../lookup.ts'
import { snapshot } from '../state.ts'

const PREVIEW = [
  'customer',
  'subscription',
  'subscription_details',
  'preview_mode',
  'automatic_tax',
  'currency',
  'customer_details',
  'discounts',
  'issuer',
  'on_behalf_of',
  'invoice_items',
  'schedule',
  'schedule_details',
]

/** Invoices: retrieve, list, lines, create_preview, and the finalize/pay/void/uncollectible actions. */
export function invoiceRoutes(api: Api, ctx: Ctx): void {
  api.on('POST', '/v1/invoices/create_preview', PREVIEW, (r) => {
    const p = r.params
    for (const unsupported of ['invoice_items', 'schedule', 'schedule_details']) {
      if (p[unsupported] !== undefined)
        throw invalidRequest(
          `The emulator does not model ${unsupported} on create_preview.`,
          unsupported,
        )
    }
    const subId = str(p, 'subscription')
    const sub = subId ? requireSubscription(ctx, subId, 'subscription') : null
    const customerId = str(p, 'customer') ?? sub?.customer
    if (!customerId)
      throw invalidRequest('Missing required param: customer.', 'customer', 'parameter_missing')
    const customer = requireCustomer(ctx, customerId, 'customer')
    if (sub && sub.customer !== customer.id)
      throw invalidRequest(
        `Subscription ${sub.id} does not belong to customer ${customer.id}.`,
        'subscription',
      )
    const details = hash(p, 'subscription_details') ?? {}
    const tax = hash(p, 'automatic_tax')
    const automaticTax = tax ? bool(tax, 'enabled') : undefined
    if (automaticTax ?? sub?.automatic_tax.enabled) requireTaxLocation(customer, 'customer')
    const anchor = str(details, 'billing_cycle_anchor')
    // Read-only by design: no begin(), no lock, nothing stored, no event, no effect.
    return previewInvoice(ctx, {
      customer,
      subscription: sub,
      changes: readItemChanges(ctx, details, 'items'),
      behavior: prorationBehavior(details, 'proration_behavior') ?? 'create_prorations',
      prorationDate: int(details, 'proration_date'),
      resetAnchor: anchor === 'now',
      cancelNow: bool(details, 'cancel_now') ?? false,
      automaticTax,
    })
  })

  api.on('GET', '/v1/invoices/:id', [], (r) => snapshot(requireInvoice(ctx, r.path['id'] ?? '')))

  api.on('GET', '/v1/invoices/:id/lines', ['limit', 'starting_after', 'ending_before'], (r) => {
    const inv = requireInvoice(ctx, r.path['id'] ?? '')
    const lines = inv.lines.data.map((l, i) => ({ ...l, created: inv.lines.data.length - i }))
    const page = paginate(lines, r.params, `/v1/invoices/${inv.id}/lines`, ctx.store)
    return { ...page, data: page.data.map(({ created: _created, ...l }) => l) }
  })

  api.on(
    'GET',
    '/v1/invoices',
    [
      'customer',
      'subscription',
      'status',
      'collection_method',
      'created',
      'due_date',
      'limit',
      'starting_after',
      'ending_before',
    ],
    (r) => {
      const p = r.params
      const customer = str(p, 'customer')
      const subscription = str(p, 'subscription')
      const status = str(p, 'status')
      const method = str(p, 'collection_method')
      const all = filterCreated([...ctx.store.invoices.values()], p).filter(
        (i) =>
          (!customer || i.customer === customer) &&
          (!subscription || i.parent?.subscription_details.subscription === subscription) &&
          (!status || i.status === status) &&
          (!method || i.collection_method === method),
      )
      return paginate(all, p, '/v1/invoices', ctx.store)
    },
  )

  api.on('POST', '/v1/invoices/:id/finalize', ['auto_advance'], async (r) => {
    const inv = requireInvoice(ctx, r.path['id'] ?? '')
    if (inv.status !== 'draft')
      throw invalidRequest(
        `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
        undefined,
        'invoice_not_editable',
      )
    await r.begin([inv.id])
    finalizeInvoice(ctx, inv)
    return snapshot(inv)
  })

  api.on(
    'POST',
    '/v1/invoices/:id/pay',
    ['paid_out_of_band', 'payment_method', 'source', 'off_session', 'forgive', 'mandate'],
    async (r) => {
      const inv = requireInvoice(ctx, r.path['id'] ?? '')
      if (inv.status === 'paid')
        throw invalidRequest('Invoice is already paid', undefined, 'invoice_already_paid')
      if (inv.status === 'void')
        throw invalidRequest('You cannot pay a void invoice.', undefined, 'invoice_not_editable')
      const outOfBand = bool(r.params, 'paid_out_of_band') ?? false
      await r.begin([inv.id, inv.customer])
      if (!outOfBand && autoPayOf(ctx.settings, inv.customer) === 'fail') {
        const charge = failPayment(ctx, inv)
        throw new StripeError(402, {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'generic_decline',
          message: 'Your card was declined.',
          doc_url: 'https://stripe.com/docs/error-codes/card-declined',
          charge: charge.id,
        })
      }
      payInvoice(ctx, inv, { outOfBand })
      return snapshot(inv)
    },
  )

  api.on('POST', '/v1/invoices/:id/void', [], async (r) => {
    const inv = requireInvoice(ctx, r.path['id'] ?? '')
    await r.begin([inv.id])
    voidInvoice(ctx, inv)
    return snapshot(inv)
  })

  api.on('POST', '/v1/invoices/:id/mark_uncollectible', [], async (r) => {
    const inv = requireInvoice(ctx, r.path['id'] ?? '')
    await r.begin([inv.id])
    markUncollectible(ctx, inv)
    return snapshot(inv)
  })

  api.on(
    'GET',
    '/v1/invoiceitems',
    ['customer', 'invoice', 'pending', 'limit', 'starting_after', 'ending_before', 'created'],
    (r) => {
      const customer = str(r.params, 'customer')
      const invoice = str(r.params, 'invoice')
      const pending = bool(r.params, 'pending')
      const all = [...ctx.store.invoiceItems.values()]
        .filter(
          (ii) =>
            (!customer || ii.customer === customer) &&
            (!invoice || ii.invoice === invoice) &&
            (pending === undefined || (ii.invoice === null) === pending),
        )
        .map((ii) => ({ ...ii, created: ii.date }))
      const page = paginate(all, r.params, '/v1/invoiceitems', ctx.store)
      return { ...page, data: page.data.map(({ created: _created, ...ii }) => ii) }
    },
  )

  api.on(
    'GET',
    '/v1/invoice_payments',
    ['invoice', 'payment', 'status', 'limit', 'starting_after', 'ending_before'],
    (r) => {
      const invoice = str(r.params, 'invoice')
      const status = str(r.params, 'status')
      const all = [...ctx.store.invoicePayments.values()].filter(
        (x) => (!invoice || x.invoice === invoice) && (!status || x.status === status),
      )
      return paginate(all, r.params, '/v1/invoice_payments', ctx.store)
    },
  )

  api.on('GET', '/v1/invoice_payments/:id', [], (r) => {
    const found = ctx.store.invoicePayments.get(r.path['id'] ?? '')
    if (!found) throw resourceMissing('invoice_payment', r.path['id'] ?? '')
    return snapshot(found)
  })
}
