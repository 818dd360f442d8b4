import type { ProrationPreview } from '../types.ts'
import { deltaOf, futureStart, requirePrice, type ApplyInput } from './plan-core.ts'
import type { StripeClient } from './client.ts'
import type { FormParams } from './form.ts'
import type {
  StripeInvoice,
  StripeLineItem,
  StripeSchedule,
  StripeSubscription,
} from './stripe-types.ts'
import { isEnded, primaryItem, resolveTarget } from './subscriptions.ts'
import { isoDate, nowSeconds } from './time.ts'

const PREVIEW = '/v1/invoices/create_preview'

/**
 * Prices an amendment with `POST /v1/invoices/create_preview` and changes nothing. For a change
 * now it pins `proration_date` (the caller's, else the current second) and returns it, so the
 * apply can send the same one and bill exactly what the rep saw.
 * https://docs.stripe.com/billing/subscriptions/prorations#preview-proration
 *
 * What each action previews: create — the first invoice; a change now — the invoice it produces
 * (at once for `always_invoice` or an interval change, else the next renewal with the
 * prorations in it); a change at a future date inside the current period — prorations priced at
 * that date; beyond it — the renewal under the new terms, without prorations; cancel now with
 * prorations — the final credit (`cancel_now`); other cancels bill nothing more (an empty
 * preview); renew — the next renewal invoice under the renewed terms.
 * @throws ConnectorError
 */
export async function previewAmendment(
  client: StripeClient,
  input: ApplyInput,
): Promise<ProrationPreview> {
  const a = input.amendment
  const customer = input.customerId
  if (a.action === 'create') {
    const price = requirePrice(input)
    return toPreview(
      await client.query<StripeInvoice>(PREVIEW, {
        customer,
        subscription_details: { items: [{ price: price.billingPriceId, quantity: a.quantity }] },
        // A customer not made yet has no location to tax: its preview is untaxed.
        ...(input.automaticTax && customer ? { automatic_tax: { enabled: true } } : {}),
      }),
    )
  }
  const target = await resolveTarget(client, input)
  const sub = target.subscription
  if (!sub) return previewUnstarted(client, target.schedule as StripeSchedule, input)
  if (a.action === 'cancel') return previewCancel(client, input, sub)
  const item = primaryItem(sub)
  const delta = deltaOf(input, sub.currency)
  if (a.action === 'renew') {
    const items = [{ id: item.id, price: delta.price, quantity: delta.quantity ?? item.quantity }]
    const details = { items, proration_behavior: 'none', cancel_at_period_end: false }
    return toPreview(
      await client.query<StripeInvoice>(PREVIEW, {
        customer,
        subscription: sub.id,
        subscription_details: details,
      }),
    )
  }
  const items = [{ id: item.id, price: delta.price, quantity: delta.quantity }]
  const start = futureStart(a, nowSeconds())
  const now = input.prorationDate ?? nowSeconds()
  let details: FormParams
  if (start === undefined) details = { items, proration_behavior: a.proration, proration_date: now }
  else if (start < item.current_period_end)
    details = { items, proration_behavior: a.proration, proration_date: start }
  else details = { items, proration_behavior: 'none' }
  const at = typeof details['proration_date'] === 'number' ? details['proration_date'] : undefined
  return toPreview(
    await client.query<StripeInvoice>(PREVIEW, {
      customer,
      subscription: sub.id,
      subscription_details: details,
    }),
    at,
  )
}

/** Only a cancel now with prorations bills anything more: the final credit (`cancel_now`). */
async function previewCancel(
  client: StripeClient,
  input: ApplyInput,
  sub: StripeSubscription,
): Promise<ProrationPreview> {
  const a = input.amendment
  if (
    isEnded(sub) ||
    a.cancelMode !== 'immediately' ||
    futureStart(a, nowSeconds()) !== undefined ||
    a.proration === 'none'
  )
    return emptyPreview(sub.currency)
  const now = input.prorationDate ?? nowSeconds()
  const details = { cancel_now: true, proration_behavior: a.proration, proration_date: now }
  return toPreview(
    await client.query<StripeInvoice>(PREVIEW, {
      customer: input.customerId,
      subscription: sub.id,
      subscription_details: details,
    }),
    now,
  )
}

/** A future-dated create not started yet: its first invoice under the amended terms. */
async function previewUnstarted(
  client: StripeClient,
  schedule: StripeSchedule,
  input: ApplyInput,
): Promise<ProrationPreview> {
  const first = schedule.phases[0]
  const currency = first?.currency ?? input.price?.currency ?? 'usd'
  if (input.amendment.action === 'cancel' || !first) return emptyPreview(currency)
  const delta = deltaOf(input, currency)
  const current = first.items[0]
  const price =
    delta.price ?? (typeof current?.price === 'string' ? current.price : current?.price.id)
  const items = [{ price, quantity: delta.quantity ?? current?.quantity }]
  return toPreview(
    await client.query<StripeInvoice>(PREVIEW, {
      customer: input.customerId,
      subscription_details: { items },
    }),
  )
}

/**
 * Whether a line is a proration, read where the pinned API version puts it: under `parent`
 * (`subscription_item_details` or `invoice_item_details`). The top-level `proration` was removed
 * in the `basil` versions and is not read.
 * https://docs.stripe.com/api/invoice-line-item/object#invoice_line_item_object-parent
 */
export function isProration(line: StripeLineItem): boolean {
  return (
    line.parent?.subscription_item_details?.proration ??
    line.parent?.invoice_item_details?.proration ??
    false
  )
}

/** Stripe's preview invoice in Concord's terms (minor units, currency upper-cased). */
export function toPreview(invoice: StripeInvoice, prorationDate?: number): ProrationPreview {
  return {
    currency: invoice.currency.toUpperCase(),
    lines: invoice.lines.data.map((l) => ({
      description: l.description ?? '',
      amount: l.amount,
      proration: isProration(l),
      periodStart: isoDate(l.period.start),
      periodEnd: isoDate(l.period.end),
    })),
    subtotal: invoice.subtotal,
    total: invoice.total,
    amountDue: invoice.amount_due,
    ...(invoice.total_taxes?.length
      ? {
          tax: invoice.total_taxes.reduce((sum, t) => sum + t.amount, 0),
          taxReasons: [...new Set(invoice.total_taxes.map((t) => t.taxability_reason))],
        }
      : {}),
    prorationDate,
  }
}

function emptyPreview(currency: string): ProrationPreview {
  return { currency: currency.toUpperCase(), lines: [], subtotal: 0, total: 0, amountDue: 0 }
}
