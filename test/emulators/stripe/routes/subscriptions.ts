import type { Api } from '../api.ts'
import {
  prorationBehavior,
  readItemChanges,
  checkPrices,
  planUpdate,
  type ItemChange,
} from '../billing/plan.ts'
import { applyPlan, cancelSubscription, createSubscription } from '../billing/subscriptions.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { bool, hash, int, mergeMetadata, str, type Params } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { requireCustomer, requireSubscription } from '../lookup.ts'
import { requireTaxLocation } from '../billing/tax.ts'
import { snapshot } from '../state.ts'
import type { ProrationBehavior, Subscription } from '../types.ts'

const IGNORED = [
  'default_payment_method',
  'off_session',
  'payment_settings',
  'default_tax_rates',
  'transfer_data',
  'on_behalf_of',
  'pending_invoice_item_interval',
  'billing_mode',
  'invoice_settings',
]
const CREATE = [
  'customer',
  'items',
  'metadata',
  'collection_method',
  'days_until_due',
  'proration_behavior',
  'payment_behavior',
  'description',
  'cancel_at_period_end',
  'currency',
  'automatic_tax',
  ...IGNORED,
]
const UPDATE = [
  'items',
  'metadata',
  'collection_method',
  'days_until_due',
  'proration_behavior',
  'proration_date',
  'payment_behavior',
  'description',
  'cancel_at_period_end',
  'cancel_at',
  'cancellation_details',
  'billing_cycle_anchor',
  'automatic_tax',
  ...IGNORED,
]

/**
 * `automatic_tax[enabled]`, and Stripe's check that comes with it: a customer Stripe Tax cannot
 * place is refused with 400 `customer_tax_location_invalid`.
 * https://docs.stripe.com/tax/customer-locations
 * @throws StripeError 400.
 */
function automaticTax(ctx: Ctx, p: Params, customerId: string): boolean | undefined {
  const at = hash(p, 'automatic_tax')
  if (!at) return undefined
  const enabled = bool(at, 'enabled')
  if (enabled === undefined)
    throw invalidRequest(
      'Missing required param: automatic_tax[enabled].',
      'automatic_tax[enabled]',
      'parameter_missing',
    )
  if (enabled) requireTaxLocation(requireCustomer(ctx, customerId, 'customer'), 'customer')
  return enabled
}

function collection(p: Params): { method?: Subscription['collection_method']; days?: number } {
  const method = str(p, 'collection_method')
  if (method !== undefined && method !== 'charge_automatically' && method !== 'send_invoice') {
    throw invalidRequest(
      'Invalid collection_method: must be one of charge_automatically, send_invoice',
      'collection_method',
    )
  }
  return { method, days: int(p, 'days_until_due') }
}

interface UpdateRequest {
  changes: ItemChange[]
  behavior: ProrationBehavior
  prorationDate?: number
  resetAnchor: boolean
  method?: Subscription['collection_method']
  days?: number
  description?: string | null
  /** true/false from `cancel_at_period_end`; null when `cancel_at` is unset with ''. */
  cancelAtPeriodEnd?: boolean | null
  cancelAt?: number
  comment?: string | null
  feedback?: string | null
  automaticTax?: boolean
}

/**
 * Parses and checks everything before execution begins, so a bad request changes nothing.
 * @throws StripeError 400/404.
 */
function readUpdate(ctx: Ctx, sub: Subscription, p: Params): UpdateRequest {
  if (sub.status === 'canceled')
    throw invalidRequest(
      'A canceled subscription can only update its cancellation_details and metadata.',
      undefined,
    )
  if (sub.schedule && (p['cancel_at_period_end'] !== undefined || p['cancel_at'] !== undefined)) {
    throw invalidRequest(
      `The subscription is managed by the subscription schedule \`${sub.schedule}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
      'cancel_at_period_end',
    )
  }
  const anchor = str(p, 'billing_cycle_anchor')
  if (anchor !== undefined && anchor !== 'now' && anchor !== 'unchanged')
    throw invalidRequest(
      'Invalid billing_cycle_anchor: must be now or unchanged',
      'billing_cycle_anchor',
    )
  const { method, days } = collection(p)
  const details = hash(p, 'cancellation_details')
  mergeMetadata({}, p)
  return {
    automaticTax: automaticTax(ctx, p, sub.customer),
    changes: readItemChanges(ctx, p),
    behavior: prorationBehavior(p) ?? 'create_prorations',
    prorationDate: int(p, 'proration_date'),
    resetAnchor: anchor === 'now',
    method,
    days,
    description: p['description'] === undefined ? undefined : (str(p, 'description') ?? null),
    cancelAtPeriodEnd: p['cancel_at'] === '' ? null : bool(p, 'cancel_at_period_end'),
    cancelAt: p['cancel_at'] === '' ? undefined : int(p, 'cancel_at'),
    comment:
      details && details['comment'] !== undefined ? (str(details, 'comment') ?? null) : undefined,
    feedback:
      details && details['feedback'] !== undefined ? (str(details, 'feedback') ?? null) : undefined,
  }
}

/**
 * The shared core of `POST /v1/subscriptions/{id}` and `POST /v1/subscription_items/{id}`:
 * the item change is planned first (it may still refuse), then fields and items are committed.
 */
function updateSubscription(ctx: Ctx, sub: Subscription, p: Params, req: UpdateRequest): void {
  const at = req.prorationDate ?? ctx.now()
  const plan =
    req.changes.length > 0 || req.resetAnchor
      ? planUpdate(ctx, sub, req.changes, req.behavior, at, { resetAnchor: req.resetAnchor })
      : undefined
  const before = snapshot(sub)
  if (req.method) sub.collection_method = req.method
  if (req.days !== undefined) sub.days_until_due = req.days
  if (sub.collection_method === 'send_invoice' && sub.days_until_due === null)
    sub.days_until_due = 30
  if (req.description !== undefined) sub.description = req.description
  if (req.automaticTax !== undefined)
    sub.automatic_tax = req.automaticTax
      ? { disabled_reason: null, enabled: true, liability: { type: 'self' } }
      : { disabled_reason: null, enabled: false, liability: null }
  sub.metadata = mergeMetadata(sub.metadata, p)
  const periodEnd = sub.items.data[0]?.current_period_end ?? null
  if (req.cancelAtPeriodEnd === true) {
    sub.cancel_at_period_end = true
    sub.cancel_at = periodEnd
    sub.canceled_at = ctx.now()
    sub.cancellation_details.reason = 'cancellation_requested'
  } else if (req.cancelAtPeriodEnd === false || req.cancelAtPeriodEnd === null) {
    sub.cancel_at_period_end = false
    sub.cancel_at = null
    sub.canceled_at = null
    sub.cancellation_details.reason = null
  }
  if (req.cancelAt !== undefined) {
    sub.cancel_at = req.cancelAt
    sub.cancel_at_period_end = req.cancelAt === periodEnd
    sub.canceled_at = ctx.now()
    sub.cancellation_details.reason = 'cancellation_requested'
  }
  if (req.comment !== undefined) sub.cancellation_details.comment = req.comment
  if (req.feedback !== undefined) sub.cancellation_details.feedback = req.feedback
  if (plan && (plan.changed || plan.resetAnchor)) {
    applyPlan(ctx, sub, plan, req.behavior, before)
    return
  }
  if (JSON.stringify(before) === JSON.stringify(sub)) return
  ctx.effect('subscription.update', sub.id, sub.metadata, {
    cancel_at_period_end: sub.cancel_at_period_end,
    cancel_at: sub.cancel_at,
  })
  ctx.emit('customer.subscription.updated', sub, before)
}

/** Subscriptions and subscription items. */
export function subscriptionRoutes(api: Api, ctx: Ctx): void {
  api.on('POST', '/v1/subscriptions', CREATE, async (r) => {
    const p = r.params
    const customer = requireCustomer(ctx, str(p, 'customer', true) as string, 'customer')
    const changes = readItemChanges(ctx, p)
    if (changes.length === 0)
      throw invalidRequest('Missing required param: items.', 'items', 'parameter_missing')
    const items = changes.map((c, i) => {
      if (!c.price)
        throw invalidRequest(
          'Missing required param: items[price].',
          `items[${i}][price]`,
          'parameter_missing',
        )
      return { price: c.price, quantity: c.quantity ?? 1, metadata: c.metadata ?? {} }
    })
    checkPrices(items.map((t) => t.price))
    if (new Set(items.map((t) => t.price.id)).size !== items.length)
      throw invalidRequest('Cannot add multiple subscription items with the same price.', 'items')
    const { method, days } = collection(p)
    if (method === 'send_invoice' && days === undefined)
      throw invalidRequest(
        'Missing required param: days_until_due.',
        'days_until_due',
        'parameter_missing',
      )
    prorationBehavior(p)
    const paymentBehavior = str(p, 'payment_behavior') ?? 'allow_incomplete'
    if (
      ![
        'allow_incomplete',
        'default_incomplete',
        'error_if_incomplete',
        'pending_if_incomplete',
      ].includes(paymentBehavior)
    ) {
      throw invalidRequest('Invalid payment_behavior', 'payment_behavior')
    }
    const cap = bool(p, 'cancel_at_period_end') ?? false
    const tax = automaticTax(ctx, p, customer.id) ?? false
    await r.begin([customer.id])
    const sub = createSubscription(ctx, {
      customer,
      items,
      metadata: mergeMetadata({}, p),
      collectionMethod: method ?? 'charge_automatically',
      daysUntilDue: method === 'send_invoice' ? (days ?? null) : null,
      paymentBehavior,
      description: str(p, 'description') ?? null,
      cancelAtPeriodEnd: cap,
      automaticTax: tax,
    })
    return snapshot(sub)
  })

  api.on('GET', '/v1/subscriptions/:id', [], (r) =>
    snapshot(requireSubscription(ctx, r.path['id'] ?? '')),
  )

  api.on('POST', '/v1/subscriptions/:id', UPDATE, async (r) => {
    const sub = requireSubscription(ctx, r.path['id'] ?? '')
    const req = readUpdate(ctx, sub, r.params)
    await r.begin([sub.id])
    updateSubscription(ctx, sub, r.params, req)
    return snapshot(sub)
  })

  api.on(
    'DELETE',
    '/v1/subscriptions/:id',
    ['invoice_now', 'prorate', 'cancellation_details'],
    async (r) => {
      const sub = requireSubscription(ctx, r.path['id'] ?? '')
      if (sub.status === 'canceled') throw resourceMissing('subscription', sub.id)
      const invoiceNow = bool(r.params, 'invoice_now') ?? false
      const prorate = bool(r.params, 'prorate') ?? false
      const details = hash(r.params, 'cancellation_details') ?? {}
      await r.begin([sub.id])
      const schedule = sub.schedule ? ctx.store.schedules.get(sub.schedule) : undefined
      if (schedule && (schedule.status === 'active' || schedule.status === 'not_started')) {
        schedule.status = 'canceled'
        schedule.canceled_at = ctx.now()
        schedule.current_phase = null
        ctx.emit('subscription_schedule.canceled', schedule)
      }
      cancelSubscription(ctx, sub, {
        invoiceNow,
        prorate,
        comment: str(details, 'comment'),
        feedback: str(details, 'feedback'),
      })
      return snapshot(sub)
    },
  )

  api.on(
    'GET',
    '/v1/subscriptions',
    [
      'customer',
      'price',
      'status',
      'collection_method',
      'limit',
      'starting_after',
      'ending_before',
      'created',
      'test_clock',
      'automatic_tax',
    ],
    (r) => {
      const p = r.params
      const customer = str(p, 'customer')
      const price = str(p, 'price')
      const status = str(p, 'status')
      const method = str(p, 'collection_method')
      const all = filterCreated([...ctx.store.subscriptions.values()], p).filter(
        (s) =>
          (!customer || s.customer === customer) &&
          (!price || s.items.data.some((si) => si.price.id === price)) &&
          (!method || s.collection_method === method) &&
          (status === 'all' ||
            (status
              ? s.status === status
              : s.status !== 'canceled' && s.status !== 'incomplete_expired')),
      )
      return paginate(all, p, '/v1/subscriptions', ctx.store)
    },
  )

  api.on('GET', '/v1/subscription_items/:id', [], (r) => {
    const id = r.path['id'] ?? ''
    const sub = [...ctx.store.subscriptions.values()].find((s) =>
      s.items.data.some((si) => si.id === id),
    )
    if (!sub) throw resourceMissing('subscription_item', id)
    return snapshot(sub.items.data.find((si) => si.id === id))
  })

  api.on(
    'POST',
    '/v1/subscription_items/:id',
    [
      'price',
      'quantity',
      'metadata',
      'proration_behavior',
      'proration_date',
      'payment_behavior',
      'off_session',
      'tax_rates',
      'discounts',
    ],
    async (r) => {
      const id = r.path['id'] ?? ''
      const sub = [...ctx.store.subscriptions.values()].find((s) =>
        s.items.data.some((si) => si.id === id),
      )
      if (!sub) throw resourceMissing('subscription_item', id)
      const itemParams: Params = { id }
      for (const k of ['price', 'quantity', 'metadata'] as const)
        if (r.params[k] !== undefined) itemParams[k] = r.params[k]
      const req = readUpdate(ctx, sub, {
        items: [itemParams],
        ...(r.params['proration_behavior']
          ? { proration_behavior: r.params['proration_behavior'] }
          : {}),
      })
      req.prorationDate = int(r.params, 'proration_date')
      await r.begin([sub.id])
      updateSubscription(ctx, sub, {}, req)
      return snapshot(sub.items.data.find((si) => si.id === id))
    },
  )

  api.on(
    'GET',
    '/v1/subscription_items',
    ['subscription', 'limit', 'starting_after', 'ending_before'],
    (r) => {
      const sub = requireSubscription(
        ctx,
        str(r.params, 'subscription', true) as string,
        'subscription',
      )
      return paginate(sub.items.data, r.params, '/v1/subscription_items', ctx.store)
    },
  )
}
