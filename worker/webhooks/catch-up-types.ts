/**
 * The event types the drift reconciler lists from Stripe to find lost webhooks: the ones
 * `classifyStripeEvent` acts on. Stripe takes at most 20 exact names in `types[]`
 * (https://docs.stripe.com/api/events/list); `invoice.finalization_failed` and
 * `invoice.payment_action_required` are left out, since an `invoice.updated` of the same invoice
 * comes with each and re-reads it the same way.
 */
export const CATCH_UP_EVENT_TYPES: readonly string[] = [
  'invoice.created',
  'invoice.finalized',
  'invoice.updated',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
  'invoice_payment.paid',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'charge.refund.updated',
  'credit_note.created',
  'credit_note.updated',
  'credit_note.voided',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
]
