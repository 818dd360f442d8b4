import type { Ctx } from '../context.ts'
import type { Ids } from '../state.ts'
import type {
  Customer,
  Invoice,
  InvoiceBlanks,
  InvoiceItem,
  LineItem,
  Subscription,
} from '../types.ts'
import type { LineDraft } from './proration.ts'
import { taxLine, totalTaxes } from './tax.ts'

/** Where hosted invoice pages and PDFs would live; invoices only get them once finalized. */
const HOSTED = 'https://invoice.stripe.com/i/acct_1Concord00000000'

function lineFromDraft(
  ids: Ids,
  d: LineDraft,
  invoice: string | null,
  invoiceItem: string | null,
): LineItem {
  return {
    id: ids.next('il_', 24),
    object: 'line_item',
    amount: d.amount,
    currency: d.price.currency,
    description: d.description,
    discount_amounts: [],
    discountable: !d.proration,
    discounts: [],
    invoice,
    livemode: false,
    metadata: {},
    parent: {
      type: 'subscription_item_details',
      subscription_item_details: {
        invoice_item: invoiceItem,
        proration: d.proration,
        proration_details: { credited_items: null },
        subscription: d.subscription,
        subscription_item: d.subscriptionItem,
      },
      invoice_item_details: null,
    },
    period: { ...d.period },
    pretax_credit_amounts: [],
    pricing: {
      type: 'price_details',
      price_details: { price: d.price.id, product: d.price.product },
      unit_amount_decimal: d.price.unit_amount_decimal,
    },
    quantity: d.quantity,
    quantity_decimal: String(d.quantity),
    subscription: d.subscription,
    subtotal: d.amount,
    taxes: [],
  }
}

function invoiceBlanks(): InvoiceBlanks {
  return {
    account_tax_ids: null,
    application: null,
    automatically_finalizes_at: null,
    custom_fields: null,
    customer_account: null,
    customer_phone: null,
    customer_shipping: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    discounts: [],
    footer: null,
    from_invoice: null,
    issuer: { type: 'self' },
    latest_revision: null,
    on_behalf_of: null,
    payment_settings: {
      default_mandate: null,
      payment_method_options: null,
      payment_method_types: null,
    },
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    statement_descriptor: null,
    test_clock: null,
    total_discount_amounts: [],
    total_pretax_credit_amounts: [],
  }
}

/** Turns proration drafts into pending invoice items (`ii_`) that the next invoice collects. */
export function addPendingItems(ctx: Ctx, customer: Customer, drafts: LineDraft[]): InvoiceItem[] {
  return drafts.map((d) => {
    const item: InvoiceItem = {
      id: ctx.ids.next('ii_', 24),
      object: 'invoiceitem',
      amount: d.amount,
      currency: d.price.currency,
      customer: customer.id,
      customer_account: null,
      date: ctx.now(),
      description: d.description,
      discountable: !d.proration,
      discounts: [],
      invoice: null,
      livemode: false,
      metadata: {},
      parent: d.subscription
        ? {
            type: 'subscription_details',
            subscription_details: {
              subscription: d.subscription,
              subscription_item: d.subscriptionItem,
            },
          }
        : null,
      period: { ...d.period },
      pricing: {
        type: 'price_details',
        price_details: { price: d.price.id, product: d.price.product },
        unit_amount_decimal: d.price.unit_amount_decimal,
      },
      proration: d.proration,
      quantity: d.quantity,
      quantity_decimal: String(d.quantity),
      tax_rates: [],
      test_clock: null,
    }
    ctx.store.add(ctx.store.invoiceItems, item)
    ctx.emit('invoiceitem.created', item)
    return item
  })
}

/** Pending invoice items of a customer, optionally only those of one subscription. */
export function pendingItems(ctx: Ctx, customer: string, subscription?: string): InvoiceItem[] {
  return [...ctx.store.invoiceItems.values()].filter(
    (ii) =>
      ii.customer === customer &&
      ii.invoice === null &&
      (!subscription || ii.parent?.subscription_details.subscription === subscription),
  )
}

function draftFromItem(ctx: Ctx, ii: InvoiceItem): LineDraft | undefined {
  const price = ctx.store.prices.get(ii.pricing.price_details.price)
  if (!price) return undefined
  return {
    amount: ii.amount,
    description: ii.description,
    proration: ii.proration,
    period: { ...ii.period },
    price,
    quantity: ii.quantity,
    subscription: ii.parent?.subscription_details.subscription ?? null,
    subscriptionItem: ii.parent?.subscription_details.subscription_item ?? '',
  }
}

export interface InvoiceInput {
  customer: Customer
  subscription: Subscription | null
  /** Pending invoice items swept into this invoice, listed before `lines`. */
  pending: InvoiceItem[]
  lines: LineDraft[]
  reason: Invoice['billing_reason']
  period: { start: number; end: number }
  currency: string
  /** Stripe Tax on this invoice; defaults to the subscription's `automatic_tax[enabled]`. */
  automaticTax?: boolean
}

/** Builds an invoice object without storing it (also used for previews). */
export function buildInvoice(ctx: Ctx, ids: Ids, input: InvoiceInput, id: string): Invoice {
  const { customer, subscription } = input
  const lines: LineItem[] = []
  for (const ii of input.pending) {
    const d = draftFromItem(ctx, ii)
    if (d) lines.push(lineFromDraft(ids, d, id, ii.id))
  }
  for (const d of input.lines) lines.push(lineFromDraft(ids, d, id, null))
  const taxed = input.automaticTax ?? subscription?.automatic_tax.enabled ?? false
  if (taxed) for (const l of lines) l.taxes = taxLine(ctx, customer, l.amount)
  const taxes = totalTaxes(lines.map((l) => l.taxes))
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0)
  const total = subtotal + taxes.reduce((sum, t) => sum + t.amount, 0)
  const due = Math.max(0, total)
  return {
    id,
    object: 'invoice',
    ...invoiceBlanks(),
    account_country: 'US',
    account_name: ctx.settings.accountName,
    amount_due: due,
    amount_overpaid: 0,
    amount_paid: 0,
    amount_remaining: due,
    amount_shipping: 0,
    attempt_count: 0,
    attempted: false,
    auto_advance: true,
    automatic_tax: {
      disabled_reason: null,
      enabled: taxed,
      liability: taxed ? { type: 'self' } : null,
      provider: taxed ? 'stripe' : null,
      status: taxed ? 'complete' : null,
    },
    billing_reason: input.reason,
    collection_method: subscription?.collection_method ?? 'charge_automatically',
    created: ctx.now(),
    currency: input.currency,
    customer: customer.id,
    customer_address: customer.address ?? null,
    customer_tax_exempt: customer.tax_exempt,
    customer_email: customer.email,
    customer_name: customer.name,
    description: null,
    due_date: null,
    effective_at: null,
    ending_balance: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    last_finalization_error: null,
    lines: {
      object: 'list',
      data: lines,
      has_more: false,
      url: `/v1/invoices/${id}/lines`,
    },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: null,
    parent: subscription
      ? {
          type: 'subscription_details',
          subscription_details: {
            metadata: { ...subscription.metadata },
            subscription: subscription.id,
          },
          quote_details: null,
        }
      : null,
    period_end: input.period.end,
    period_start: input.period.start,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    starting_balance: 0,
    status: 'draft',
    status_transitions: {
      finalized_at: null,
      marked_uncollectible_at: null,
      paid_at: null,
      voided_at: null,
    },
    subtotal,
    subtotal_excluding_tax: subtotal,
    total,
    total_excluding_tax: subtotal,
    total_taxes: taxes,
    webhooks_delivered_at: null,
  }
}

/** Creates and stores a draft invoice, sweeping the given pending items into it. */
export function createInvoice(ctx: Ctx, input: InvoiceInput, presetId?: string): Invoice {
  const id = presetId ?? ctx.ids.next('in_', 24)
  const invoice = buildInvoice(ctx, ctx.ids, input, id)
  ctx.store.add(ctx.store.invoices, invoice)
  for (const ii of input.pending) ii.invoice = id
  if (input.subscription) input.subscription.latest_invoice = id
  ctx.effect('invoice.create', id, input.subscription?.metadata, {
    total: invoice.total,
    reason: invoice.billing_reason,
  })
  ctx.emit('invoice.created', invoice)
  return invoice
}

/**
 * draft → open: assigns the number, hosted URL and due date, and applies the customer's credit
 * balance (a negative total leaves a credit on the customer instead of a payable amount).
 */
export function finalizeInvoice(ctx: Ctx, invoice: Invoice): void {
  const customer = ctx.store.customers.get(invoice.customer)
  if (!customer || invoice.status !== 'draft') return
  const now = ctx.now()
  invoice.starting_balance = customer.balance
  const net = invoice.total + customer.balance
  invoice.ending_balance = net < 0 ? net : 0
  customer.balance = invoice.ending_balance
  invoice.amount_due = Math.max(0, net)
  invoice.amount_remaining = invoice.amount_due
  invoice.number = `${customer.invoice_prefix}-${String(customer.next_invoice_sequence).padStart(4, '0')}`
  customer.next_invoice_sequence += 1
  invoice.status = 'open'
  invoice.status_transitions.finalized_at = now
  invoice.effective_at = now
  invoice.hosted_invoice_url = `${HOSTED}/test_${invoice.id.slice(3)}`
  invoice.invoice_pdf = `https://pay.stripe.com/invoice/acct_1Concord00000000/test_${invoice.id.slice(3)}/pdf`
  const sub = invoice.parent
    ? ctx.store.subscriptions.get(invoice.parent.subscription_details.subscription)
    : undefined
  if (invoice.collection_method === 'send_invoice')
    invoice.due_date = now + (sub?.days_until_due ?? 30) * 86_400
  ctx.effect('invoice.finalize', invoice.id, sub?.metadata, {
    number: invoice.number,
    amount_due: invoice.amount_due,
  })
  ctx.emit('invoice.finalized', invoice)
}
