import { addInterval, periodContaining } from '../clock.ts'
import { autoPayOf, type Ctx } from '../context.ts'
import { snapshot } from '../state.ts'
import type {
  Customer,
  Invoice,
  Metadata,
  Plan,
  Price,
  ProrationBehavior,
  Subscription,
  SubscriptionItem,
} from '../types.ts'
import { addPendingItems, createInvoice, finalizeInvoice, pendingItems } from './invoices.ts'
import { collect } from './payments.ts'
import type { UpdatePlan } from './plan.ts'
import { creditLine, periodLine } from './proration.ts'

export interface NewSubscription {
  customer: Customer
  items: { price: Price; quantity: number; metadata: Metadata }[]
  metadata: Metadata
  collectionMethod: Subscription['collection_method']
  daysUntilDue: number | null
  paymentBehavior: string
  description: string | null
  cancelAtPeriodEnd: boolean
  /** `automatic_tax[enabled]`: Stripe Tax on this subscription's invoices. */
  automaticTax: boolean
}

/** The legacy plan that mirrors a recurring price on each subscription item. */
function planOf(price: Price): Plan {
  const rec = price.recurring ?? { interval: 'month' as const, interval_count: 1 }
  return {
    id: price.id,
    object: 'plan',
    active: price.active,
    amount: price.unit_amount,
    amount_decimal: price.unit_amount_decimal,
    billing_scheme: 'per_unit',
    created: price.created,
    currency: price.currency,
    interval: rec.interval,
    interval_count: rec.interval_count,
    livemode: false,
    metadata: { ...price.metadata },
    meter: null,
    nickname: price.nickname,
    product: price.product,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  }
}

function makeItem(
  ctx: Ctx,
  subId: string,
  id: string,
  t: { price: Price; quantity: number; metadata: Metadata },
  period: { start: number; end: number },
): SubscriptionItem {
  return {
    id,
    object: 'subscription_item',
    billing_thresholds: null,
    created: ctx.now(),
    current_period_end: period.end,
    current_period_start: period.start,
    current_trial: null,
    discounts: [],
    metadata: { ...t.metadata },
    plan: planOf(t.price),
    price: snapshot(t.price),
    quantity: t.quantity,
    subscription: subId,
    tax_rates: [],
  }
}

/** Subscription fields the emulator leaves empty (no tax, Connect, trials, pauses, thresholds); copied per subscription. */
const SUBSCRIPTION_BLANKS: Omit<
  Subscription,
  | 'id'
  | 'object'
  | 'billing_cycle_anchor'
  | 'cancel_at'
  | 'cancel_at_period_end'
  | 'canceled_at'
  | 'cancellation_details'
  | 'collection_method'
  | 'created'
  | 'currency'
  | 'customer'
  | 'days_until_due'
  | 'description'
  | 'items'
  | 'latest_invoice'
  | 'metadata'
  | 'start_date'
  | 'status'
> = {
  application: null,
  application_fee_percent: null,
  automatic_tax: { disabled_reason: null, enabled: false, liability: null },
  billing_cycle_anchor_config: null,
  billing_mode: { flexible: { proration_discounts: 'included' }, type: 'flexible' },
  billing_schedules: [],
  billing_thresholds: null,
  customer_account: null,
  default_payment_method: null,
  default_source: null,
  discounts: [],
  ended_at: null,
  invoice_settings: {
    account_tax_ids: null,
    custom_fields: null,
    description: null,
    footer: null,
    issuer: { type: 'self' },
  },
  livemode: false,
  managed_payments: null,
  next_pending_invoice_item_invoice: null,
  on_behalf_of: null,
  pause_collection: null,
  payment_settings: {
    payment_method_options: null,
    payment_method_types: null,
    save_default_payment_method: 'off',
  },
  pending_invoice_item_interval: null,
  pending_setup_intent: null,
  pending_update: null,
  schedule: null,
  test_clock: null,
  transfer_data: null,
  trial_end: null,
  trial_settings: {
    end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
  },
  trial_start: null,
}

/**
 * Starts a subscription now and bills its first period at once (`subscription_create`). With
 * automatic collection the payment happens within the request, so the subscription is born
 * `active` when it succeeds and `incomplete` otherwise.
 */
export function createSubscription(ctx: Ctx, input: NewSubscription): Subscription {
  const now = ctx.now()
  const rec = (input.items[0] as NewSubscription['items'][number]).price.recurring ?? {
    interval: 'month' as const,
    interval_count: 1,
  }
  const period = { start: now, end: addInterval(now, rec.interval, rec.interval_count) }
  const id = ctx.ids.next('sub_', 24)
  const invoiceId = ctx.ids.next('in_', 24)
  const total = input.items.reduce((sum, t) => sum + t.price.unit_amount * t.quantity, 0)
  const paysNow =
    input.collectionMethod === 'send_invoice' ||
    total + input.customer.balance <= 0 ||
    (autoPayOf(ctx.settings, input.customer.id) === 'succeed' &&
      input.paymentBehavior !== 'default_incomplete')
  const sub: Subscription = {
    ...snapshot(SUBSCRIPTION_BLANKS),
    id,
    object: 'subscription',
    billing_cycle_anchor: now,
    cancel_at: input.cancelAtPeriodEnd ? period.end : null,
    cancel_at_period_end: input.cancelAtPeriodEnd,
    canceled_at: input.cancelAtPeriodEnd ? now : null,
    cancellation_details: {
      comment: null,
      feedback: null,
      feedback_option: null,
      reason: input.cancelAtPeriodEnd ? 'cancellation_requested' : null,
    },
    collection_method: input.collectionMethod,
    created: now,
    currency: (input.items[0] as NewSubscription['items'][number]).price.currency,
    customer: input.customer.id,
    days_until_due: input.daysUntilDue,
    description: input.description,
    items: {
      object: 'list',
      data: [],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: invoiceId,
    metadata: { ...input.metadata },
    start_date: now,
    status: paysNow ? 'active' : 'incomplete',
    automatic_tax: input.automaticTax
      ? { disabled_reason: null, enabled: true, liability: { type: 'self' } }
      : { disabled_reason: null, enabled: false, liability: null },
  }
  sub.items.data = input.items.map((t) => makeItem(ctx, id, ctx.ids.next('si_', 14), t, period))
  ctx.store.add(ctx.store.subscriptions, sub)
  ctx.effect('subscription.create', id, sub.metadata, {
    customer: sub.customer,
    items: sub.items.data.map((si) => ({ price: si.price.id, quantity: si.quantity })),
  })
  ctx.emit('customer.subscription.created', sub)
  const lines = sub.items.data.map((si) => periodLine(ctx.store, si, id, now))
  const invoice = createInvoice(
    ctx,
    {
      customer: input.customer,
      subscription: sub,
      pending: [],
      lines,
      reason: 'subscription_create',
      period: { start: now, end: now },
      currency: sub.currency,
    },
    invoiceId,
  )
  finalizeInvoice(ctx, invoice)
  collect(ctx, invoice, { attempt: input.paymentBehavior !== 'default_incomplete' })
  return sub
}

/**
 * Commits a planned item change: items updated in place (ids kept), prorations either pending
 * (`create_prorations`) or invoiced now (`always_invoice`, or any cycle reset).
 * @returns the invoice created now, if any.
 */
export function applyPlan(
  ctx: Ctx,
  sub: Subscription,
  plan: UpdatePlan,
  behavior: ProrationBehavior,
  before: Subscription,
): Invoice | undefined {
  const byId = new Map(sub.items.data.map((si) => [si.id, si]))
  sub.items.data = plan.items.map((t) => {
    const existing = byId.get(t.id)
    if (!existing) return makeItem(ctx, sub.id, t.id, t, plan.period)
    existing.price = snapshot(t.price)
    existing.plan = planOf(t.price)
    existing.quantity = t.quantity
    existing.metadata = t.metadata
    existing.current_period_start = plan.period.start
    existing.current_period_end = plan.period.end
    return existing
  })
  if (plan.resetAnchor) sub.billing_cycle_anchor = plan.at
  ctx.effect('subscription.update', sub.id, sub.metadata, {
    items: sub.items.data.map((si) => ({ id: si.id, price: si.price.id, quantity: si.quantity })),
    proration_behavior: behavior,
    proration_date: plan.at,
  })
  const customer = ctx.store.customers.get(sub.customer) as Customer
  let invoice: Invoice | undefined
  const invoiceNow = plan.resetAnchor || behavior === 'always_invoice'
  if (invoiceNow) {
    const pending = pendingItems(ctx, customer.id, sub.id)
    if (plan.lines.length > 0 || pending.length > 0) {
      invoice = createInvoice(ctx, {
        customer,
        subscription: sub,
        pending,
        lines: plan.lines,
        reason: 'subscription_update',
        period: { start: plan.at, end: plan.at },
        currency: sub.currency,
      })
    }
  } else if (behavior === 'create_prorations' && plan.lines.length > 0) {
    addPendingItems(ctx, customer, plan.lines)
  }
  ctx.emit('customer.subscription.updated', sub, before)
  if (invoice) {
    finalizeInvoice(ctx, invoice)
    collect(ctx, invoice)
  }
  return invoice
}

/**
 * Rolls a subscription into its next period at its period end and bills it
 * (`subscription_cycle`), sweeping pending proration items into the invoice.
 */
export function renewSubscription(ctx: Ctx, sub: Subscription): Invoice {
  const before = snapshot(sub)
  const first = sub.items.data[0] as SubscriptionItem
  const rec = first.price.recurring ?? { interval: 'month' as const, interval_count: 1 }
  const ended = { start: first.current_period_start, end: first.current_period_end }
  const next = periodContaining(
    sub.billing_cycle_anchor,
    rec.interval,
    rec.interval_count,
    ended.end,
  )
  for (const si of sub.items.data) {
    si.current_period_start = next.start
    si.current_period_end = next.end
  }
  ctx.effect('subscription.renew', sub.id, sub.metadata, {
    period_start: next.start,
    period_end: next.end,
  })
  ctx.emit('customer.subscription.updated', sub, before)
  const customer = ctx.store.customers.get(sub.customer) as Customer
  const pending = pendingItems(ctx, customer.id).filter(
    (ii) => !ii.parent || ii.parent.subscription_details.subscription === sub.id,
  )
  const lines = sub.items.data.map((si) => periodLine(ctx.store, si, sub.id, next.start))
  const invoice = createInvoice(ctx, {
    customer,
    subscription: sub,
    pending,
    lines,
    reason: 'subscription_cycle',
    period: ended,
    currency: sub.currency,
  })
  finalizeInvoice(ctx, invoice)
  collect(ctx, invoice)
  return invoice
}

/**
 * Ends a subscription now. `prorate` credits the unused time of every item; `invoiceNow` bills
 * the subscription's pending items (that credit included) on a final invoice.
 */
export function cancelSubscription(
  ctx: Ctx,
  sub: Subscription,
  opts: {
    invoiceNow: boolean
    prorate: boolean
    comment?: string
    feedback?: string
    reason?: string
  },
): Invoice | undefined {
  const now = ctx.now()
  const customer = ctx.store.customers.get(sub.customer) as Customer
  if (opts.prorate) {
    const credits = sub.items.data.flatMap(
      (si) =>
        creditLine(ctx.store, si, sub.id, now, {
          start: si.current_period_start,
          end: si.current_period_end,
        }) ?? [],
    )
    if (credits.length > 0) addPendingItems(ctx, customer, credits)
  }
  sub.status = 'canceled'
  sub.canceled_at = sub.cancel_at_period_end && sub.canceled_at ? sub.canceled_at : now
  sub.ended_at = now
  sub.cancellation_details = {
    comment: opts.comment ?? sub.cancellation_details.comment,
    feedback: opts.feedback ?? sub.cancellation_details.feedback,
    feedback_option: null,
    reason: opts.reason ?? 'cancellation_requested',
  }
  ctx.effect('subscription.cancel', sub.id, sub.metadata, {
    invoice_now: opts.invoiceNow,
    prorate: opts.prorate,
  })
  let invoice: Invoice | undefined
  if (opts.invoiceNow) {
    const pending = pendingItems(ctx, customer.id, sub.id)
    if (pending.length > 0) {
      invoice = createInvoice(ctx, {
        customer,
        subscription: sub,
        pending,
        lines: [],
        reason: 'subscription_update',
        period: { start: now, end: now },
        currency: sub.currency,
      })
    }
  }
  ctx.emit('customer.subscription.deleted', sub)
  if (invoice) {
    finalizeInvoice(ctx, invoice)
    collect(ctx, invoice)
  }
  return invoice
}
