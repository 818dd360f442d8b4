import type { Ctx } from './context.ts'
import { resourceMissing } from './errors.ts'
import type {
  Charge,
  CreditNote,
  Customer,
  Invoice,
  Price,
  Subscription,
  SubscriptionSchedule,
} from './types.ts'

/**
 * Finders that answer Stripe's `resource_missing` error when the object does not exist: naming the
 * object type, the id and the parameter it came in — 404 for the URL's id, 400 for a parameter.
 */
function find<T>(objects: Map<string, T>, type: string, id: string, param: string): T {
  const found = objects.get(id)
  if (!found) throw resourceMissing(type, id, param)
  return found
}

export const requireCustomer = (ctx: Ctx, id: string, param = 'id'): Customer =>
  find(ctx.store.customers, 'customer', id, param)
export const requirePrice = (ctx: Ctx, id: string, param = 'price'): Price =>
  find(ctx.store.prices, 'price', id, param)
export const requireSubscription = (ctx: Ctx, id: string, param = 'id'): Subscription =>
  find(ctx.store.subscriptions, 'subscription', id, param)
export const requireSchedule = (ctx: Ctx, id: string, param = 'id'): SubscriptionSchedule =>
  find(ctx.store.schedules, 'subscription_schedule', id, param)
export const requireInvoice = (ctx: Ctx, id: string, param = 'id'): Invoice =>
  find(ctx.store.invoices, 'invoice', id, param)
export const requireCharge = (ctx: Ctx, id: string, param = 'charge'): Charge =>
  find(ctx.store.charges, 'charge', id, param)
export const requireCreditNote = (ctx: Ctx, id: string, param = 'id'): CreditNote =>
  find(ctx.store.creditNotes, 'credit_note', id, param)
