import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { Ids } from '../state.ts'
import type { Customer, Invoice, Price, ProrationBehavior, Subscription } from '../types.ts'
import { buildInvoice, pendingItems } from './invoices.ts'
import { checkPrices, planUpdate, type ItemChange } from './plan.ts'
import { creditLine, periodLine, type LineDraft } from './proration.ts'

/** Ids for preview objects come from their own generator, so previews leave no trace at all. */
const previewIds = new Ids(0x5eed)

export interface PreviewInput {
  customer: Customer
  subscription: Subscription | null
  changes: ItemChange[]
  behavior: ProrationBehavior
  prorationDate: number | undefined
  resetAnchor: boolean
  /** `subscription_details[cancel_now]`: the final invoice of an immediate cancel. */
  cancelNow?: boolean
  /** `automatic_tax[enabled]`; else the subscription's. */
  automaticTax?: boolean
}

/**
 * `POST /v1/invoices/create_preview` without side effects. For an existing subscription it is
 * the invoice the proposed change would produce now (`always_invoice`, or a billing-cycle
 * reset), else the next renewal invoice with the change's prorations swept in; without a
 * subscription it is the first invoice of a new one.
 * @throws StripeError 400 when there is nothing to preview.
 */
export function previewInvoice(ctx: Ctx, input: PreviewInput): Invoice {
  const { customer, subscription: sub } = input
  const now = ctx.now()
  let lines: LineDraft[]
  let reason: Invoice['billing_reason']
  let period: { start: number; end: number }
  let pending = sub
    ? pendingItems(ctx, customer.id, sub.id)
    : pendingItems(ctx, customer.id).filter((ii) => !ii.parent)
  let currency: string

  if (sub) {
    if (sub.status === 'canceled')
      throw invalidRequest(
        `No upcoming invoices for subscription ${sub.id}: it is canceled.`,
        'subscription',
        'invoice_upcoming_none',
      )
    const at = input.prorationDate ?? now
    if (input.cancelNow) {
      // As DELETE with prorate (unless `none`) and invoice_now: pending items plus the unused-time credit.
      const credits =
        input.behavior === 'none'
          ? []
          : sub.items.data.flatMap(
              (si) =>
                creditLine(ctx.store, si, sub.id, at, {
                  start: si.current_period_start,
                  end: si.current_period_end,
                }) ?? [],
            )
      const invoice = buildInvoice(
        ctx,
        previewIds,
        {
          customer,
          subscription: sub,
          pending,
          lines: credits,
          reason: 'subscription_update',
          period: { start: at, end: at },
          currency: sub.currency,
          automaticTax: input.automaticTax,
        },
        previewIds.next('upcoming_in_', 24),
      )
      return settle(invoice, customer, sub)
    }
    const plan = planUpdate(ctx, sub, input.changes, input.behavior, at, {
      resetAnchor: input.resetAnchor,
      newItemId: () => previewIds.next('si_tmp_', 14),
    })
    currency = sub.currency
    if (plan.resetAnchor || input.behavior === 'always_invoice') {
      lines = plan.lines
      reason = 'subscription_update'
      period = { start: at, end: at }
    } else {
      if (sub.cancel_at_period_end && input.changes.length === 0) {
        throw invalidRequest(
          `No upcoming invoices for subscription ${sub.id}: it cancels at period end.`,
          'subscription',
          'invoice_upcoming_none',
        )
      }
      const prorations = input.behavior === 'create_prorations' ? plan.lines : []
      lines = [
        ...prorations,
        ...plan.items.map((t) => periodLine(ctx.store, t, sub.id, plan.period.end)),
      ]
      reason = 'upcoming'
      period = { ...plan.period }
    }
  } else {
    const prices = input.changes.map((c, i) => {
      if (!c.price)
        throw invalidRequest(
          'Missing required param: subscription_details[items][price].',
          `subscription_details[items][${i}][price]`,
          'parameter_missing',
        )
      return c.price
    })
    if (prices.length === 0)
      throw invalidRequest(
        'Missing required param: subscription or subscription_details[items].',
        'subscription',
        'parameter_missing',
      )
    checkPrices(prices, 'subscription_details[items]')
    lines = input.changes.map((c) =>
      periodLine(
        ctx.store,
        { id: previewIds.next('si_tmp_', 14), price: c.price as Price, quantity: c.quantity ?? 1 },
        null,
        now,
      ),
    )
    reason = 'subscription_create'
    period = { start: now, end: now }
    currency = (prices[0] as Price).currency
    pending = []
  }

  const invoice = buildInvoice(
    ctx,
    previewIds,
    {
      customer,
      subscription: sub,
      pending,
      lines,
      reason,
      period,
      currency,
      automaticTax: input.automaticTax,
    },
    previewIds.next('upcoming_in_', 24),
  )
  return settle(invoice, customer, sub)
}

/** Applies the customer's balance as finalization would. */
function settle(invoice: Invoice, customer: Customer, sub: Subscription | null): Invoice {
  invoice.starting_balance = customer.balance
  invoice.amount_due = Math.max(0, invoice.total + customer.balance)
  invoice.amount_remaining = invoice.amount_due
  invoice.ending_balance = Math.min(0, invoice.total + customer.balance)
  if (sub) invoice.collection_method = sub.collection_method
  return invoice
}
