import type { Ctx } from './context.ts'
import { resourceMissing } from './errors.ts'
import type { Charge, CreditNote, Customer, Invoice, Price, Subscription, SubscriptionSchedule } from './types.ts'

/**
 * Finders that answer Stripe's `resource_missing` error.
 * @throws StripeError 404 when the object does not exist.
 */
export function requireCustomer(ctx: Ctx, id: string, param = 'id'): Customer {
  const found = ctx.store.customers.get(id)
  if (!found) throw resourceMissing('customer', id, param)
  return found
}

/** @throws StripeError 404 when the price does not exist. */
export function requirePrice(ctx: Ctx, id: string, param = 'price'): Price {
  const found = ctx.store.prices.get(id)
  if (!found) throw resourceMissing('price', id, param)
  return found
}

/** @throws StripeError 404 when the subscription does not exist. */
export function requireSubscription(ctx: Ctx, id: string, param = 'id'): Subscription {
  const found = ctx.store.subscriptions.get(id)
  if (!found) throw resourceMissing('subscription', id, param)
  return found
}

/** @throws StripeError 404 when the schedule does not exist. */
export function requireSchedule(ctx: Ctx, id: string, param = 'id'): SubscriptionSchedule {
  const found = ctx.store.schedules.get(id)
  if (!found) throw resourceMissing('subscription_schedule', id, param)
  return found
}

/** @throws StripeError 404 when the invoice does not exist. */
export function requireInvoice(ctx: Ctx, id: string, param = 'id'): Invoice {
  const found = ctx.store.invoices.get(id)
  if (!found) throw resourceMissing('invoice', id, param)
  return found
}

/** @throws StripeError 404 when the charge does not exist. */
export function requireCharge(ctx: Ctx, id: string, param = 'charge'): Charge {
  const found = ctx.store.charges.get(id)
  if (!found) throw resourceMissing('charge', id, param)
  return found
}

/** @throws StripeError 404 when the credit note does not exist. */
export function requireCreditNote(ctx: Ctx, id: string, param = 'id'): CreditNote {
  const found = ctx.store.creditNotes.get(id)
  if (!found) throw resourceMissing('credit_note', id, param)
  return found
}
