import { addInterval } from '../clock.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { bool, hash, hashes, int, str, type Params } from '../form.ts'
import { requirePrice } from '../lookup.ts'
import type { Metadata, Price, ProrationBehavior, Subscription } from '../types.ts'
import { chargeLine, creditLine, periodLine, type LineDraft } from './proration.ts'

/** One entry of `items[]` on a subscription update. */
export interface ItemChange {
  id?: string
  price?: Price
  quantity?: number
  deleted?: boolean
  metadata?: Metadata
}

/** An item as it will be after the change. */
export interface ItemTarget {
  id: string
  price: Price
  quantity: number
  metadata: Metadata
  isNew: boolean
}

/** Everything an update will do, computed without touching state (previews use it as is). */
export interface UpdatePlan {
  items: ItemTarget[]
  lines: LineDraft[]
  /** The billing cycle restarts at `at` (interval change or `billing_cycle_anchor=now`). */
  resetAnchor: boolean
  at: number
  period: { start: number; end: number }
  changed: boolean
}

const BEHAVIORS: readonly ProrationBehavior[] = ['create_prorations', 'always_invoice', 'none']

/** @throws StripeError 400 for a value outside create_prorations|always_invoice|none. */
export function prorationBehavior(
  p: Params,
  name = 'proration_behavior',
): ProrationBehavior | undefined {
  const v = str(p, name)
  if (v === undefined) return undefined
  if (!BEHAVIORS.includes(v as ProrationBehavior))
    throw invalidRequest(`Invalid ${name}: must be one of ${BEHAVIORS.join(', ')}`, name)
  return v as ProrationBehavior
}

/** Reads `items[i][id|price|quantity|deleted|metadata]`. @throws StripeError 400/404. */
export function readItemChanges(ctx: Ctx, p: Params, name = 'items'): ItemChange[] {
  return (hashes(p, name) ?? []).map((raw, i) => {
    const param = `${name}[${i}]`
    const priceId = str(raw, 'price') ?? str(raw, 'plan')
    const quantity = int(raw, 'quantity')
    if (quantity !== undefined && quantity < 0)
      throw invalidRequest('Quantity must be non-negative', `${param}[quantity]`)
    const metadata = hash(raw, 'metadata')
    return {
      id: str(raw, 'id'),
      price: priceId ? requirePrice(ctx, priceId, `${param}[price]`) : undefined,
      quantity,
      deleted: bool(raw, 'deleted'),
      metadata: metadata
        ? (Object.fromEntries(
            Object.entries(metadata).filter(([, v]) => typeof v === 'string'),
          ) as Metadata)
        : undefined,
    }
  })
}

/** @throws StripeError 400 when prices mix intervals or currencies, or are not recurring. */
export function checkPrices(prices: Price[], param = 'items'): void {
  const first = prices[0]
  if (!first) throw invalidRequest('Missing required param: items.', param, 'parameter_missing')
  for (const price of prices) {
    if (!price.recurring)
      throw invalidRequest(`The price specified (${price.id}) is not a recurring price.`, param)
    if (price.currency !== first.currency)
      throw invalidRequest('All prices on a subscription must have the same currency.', param)
    const a = first.recurring
    const b = price.recurring
    if (a && (a.interval !== b.interval || a.interval_count !== b.interval_count)) {
      throw invalidRequest(
        'All prices on a subscription must have the same recurring interval and interval_count.',
        param,
      )
    }
  }
}

/**
 * Works out an item change at time `at` under `behavior` (see `prorate` for the arithmetic).
 * @throws StripeError 400 for unknown items, duplicate prices, mixed intervals, `at` outside
 * the current period.
 */
export function planUpdate(
  ctx: Ctx,
  sub: Subscription,
  changes: ItemChange[],
  behavior: ProrationBehavior,
  at: number,
  opts: { resetAnchor?: boolean; newItemId?: () => string } = {},
): UpdatePlan {
  const current = sub.items.data
  const newId = opts.newItemId ?? (() => ctx.ids.next('si_', 14))
  const next: ItemTarget[] = current.map((si) => ({
    id: si.id,
    price: si.price,
    quantity: si.quantity,
    metadata: si.metadata,
    isNew: false,
  }))
  changes.forEach((c, i) => {
    if (c.id) {
      const idx = next.findIndex((t) => t.id === c.id)
      if (idx < 0)
        throw invalidRequest(
          `Subscription item ${c.id} does not belong to subscription ${sub.id}.`,
          `items[${i}][id]`,
        )
      const target = next[idx] as ItemTarget
      if (c.deleted) next.splice(idx, 1)
      else
        next[idx] = {
          ...target,
          price: c.price ?? target.price,
          quantity: c.quantity ?? target.quantity,
          metadata: c.metadata ? { ...target.metadata, ...c.metadata } : target.metadata,
        }
      return
    }
    if (!c.price)
      throw invalidRequest(
        'Missing required param: items[price].',
        `items[${i}][price]`,
        'parameter_missing',
      )
    if (next.some((t) => t.price.id === c.price?.id)) {
      throw invalidRequest(
        'Cannot add multiple subscription items with the same price.',
        `items[${i}][price]`,
      )
    }
    next.push({
      id: newId(),
      price: c.price,
      quantity: c.quantity ?? 1,
      metadata: c.metadata ?? {},
      isNew: true,
    })
  })
  if (next.length === 0)
    throw invalidRequest('A subscription must have at least one active price.', 'items')
  checkPrices(next.map((t) => t.price))

  const first = current[0]
  const period = first
    ? { start: first.current_period_start, end: first.current_period_end }
    : { start: at, end: at }
  if (at < period.start || at > period.end) {
    throw invalidRequest(
      'proration_date must be within the current billing period of the subscription.',
      'proration_date',
    )
  }
  const oldRec = first?.price.recurring
  const newRec = (next[0] as ItemTarget).price.recurring
  const intervalChanged =
    !!oldRec &&
    !!newRec &&
    (oldRec.interval !== newRec.interval || oldRec.interval_count !== newRec.interval_count)
  const resetAnchor = intervalChanged || !!opts.resetAnchor
  const changed =
    changes.length > 0 &&
    JSON.stringify(next.map((t) => [t.id, t.price.id, t.quantity, t.metadata])) !==
      JSON.stringify(current.map((si) => [si.id, si.price.id, si.quantity, si.metadata]))
  const lines: LineDraft[] = []
  const push = (d: LineDraft | undefined) => d && lines.push(d)

  if (resetAnchor) {
    if (behavior !== 'none')
      for (const si of current) push(creditLine(ctx.store, si, sub.id, at, period))
    for (const t of next) lines.push(periodLine(ctx.store, t, sub.id, at))
    const rec = newRec ?? { interval: 'month' as const, interval_count: 1 }
    return {
      items: next,
      lines,
      resetAnchor,
      at,
      period: { start: at, end: addInterval(at, rec.interval, rec.interval_count) },
      changed: true,
    }
  }
  if (behavior !== 'none') {
    for (const si of current) {
      const t = next.find((n) => n.id === si.id)
      if (!t) push(creditLine(ctx.store, si, sub.id, at, period))
      else if (t.price.id !== si.price.id || t.quantity !== si.quantity) {
        push(creditLine(ctx.store, si, sub.id, at, period))
        push(chargeLine(ctx.store, t, sub.id, at, period))
      }
    }
    for (const t of next.filter((n) => n.isNew)) push(chargeLine(ctx.store, t, sub.id, at, period))
  }
  return { items: next, lines, resetAnchor, at, period, changed }
}
