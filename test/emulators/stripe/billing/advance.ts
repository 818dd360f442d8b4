import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import { snapshot } from '../state.ts'
import type { Subscription } from '../types.ts'
import { voidInvoice } from './payments.ts'
import { advanceSchedule, startSchedule } from './schedules.ts'
import { cancelSubscription, renewSubscription } from './subscriptions.ts'

interface Due {
  at: number
  /** Lower runs first among things due at the same second. */
  rank: number
  run: () => void
}

function expireIncomplete(ctx: Ctx, sub: Subscription): void {
  const before = snapshot(sub)
  sub.status = 'incomplete_expired'
  sub.ended_at = ctx.now()
  ctx.effect('subscription.expire', sub.id, sub.metadata)
  ctx.emit('customer.subscription.updated', sub, before)
  const invoice = sub.latest_invoice ? ctx.store.invoices.get(sub.latest_invoice) : undefined
  if (invoice?.status === 'open') voidInvoice(ctx, invoice)
}

/** The earliest thing Stripe would do on its own at or before `target`. */
function nextDue(ctx: Ctx, target: number): Due | undefined {
  const due: Due[] = []
  for (const s of ctx.store.schedules.values()) {
    if (s.status === 'not_started' && s.phases[0] && s.phases[0].start_date <= target) {
      due.push({ at: s.phases[0].start_date, rank: 0, run: () => startSchedule(ctx, s) })
    }
    if (s.status === 'active' && s.current_phase && s.current_phase.end_date <= target) {
      due.push({ at: s.current_phase.end_date, rank: 1, run: () => advanceSchedule(ctx, s) })
    }
  }
  for (const sub of ctx.store.subscriptions.values()) {
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') continue
    if (sub.status === 'incomplete') {
      // Stripe gives a first payment 23 hours, then expires the subscription and voids the invoice.
      const at = sub.created + 23 * 3600
      if (at <= target) due.push({ at, rank: 2, run: () => expireIncomplete(ctx, sub) })
      continue
    }
    const end = sub.items.data[0]?.current_period_end
    if (
      sub.cancel_at !== null &&
      sub.cancel_at <= target &&
      (end === undefined || sub.cancel_at <= end)
    ) {
      due.push({
        at: sub.cancel_at,
        rank: 2,
        run: () => cancelSubscription(ctx, sub, { invoiceNow: false, prorate: false }),
      })
    } else if (end !== undefined && end <= target) {
      due.push({ at: end, rank: 3, run: () => renewSubscription(ctx, sub) })
    }
  }
  for (const inv of ctx.store.invoices.values()) {
    if (
      inv.status === 'open' &&
      inv.due_date !== null &&
      inv.due_date < target &&
      !ctx.store.overdueSent.has(inv.id)
    ) {
      const at = inv.due_date + 1
      due.push({
        at,
        rank: 4,
        run: () => {
          ctx.store.overdueSent.add(inv.id)
          ctx.effect('invoice.overdue', inv.id)
          ctx.emit('invoice.overdue', inv)
        },
      })
    }
  }
  due.sort((a, b) => a.at - b.at || a.rank - b.rank)
  return due[0]
}

/**
 * Moves the clock to `target` (unix seconds), doing in time order what Stripe would have done
 * meanwhile: schedule phase changes, period-end cancellations, renewals with their invoices and
 * payments, and `invoice.overdue` once a due date passes. Like a test clock advance.
 * @throws StripeError 400 when `target` is in the past.
 */
export function advanceClock(
  ctx: Ctx,
  target: number,
): { from: number; to: number; steps: number } {
  const from = ctx.now()
  if (target < from) throw invalidRequest('The clock can only move forward.', 'frozen_time')
  let steps = 0
  ctx.run(null, () => {
    for (let due = nextDue(ctx, target); due; due = nextDue(ctx, target)) {
      ctx.clock.set(due.at)
      due.run()
      if (++steps > 10_000) throw new Error('advanceClock: too many steps')
    }
  })
  ctx.clock.set(target)
  return { from, to: target, steps }
}
