/**
 * One vendor call a dry run says a step would make: method, path, idempotency key and the
 * parameters as the vendor would receive them (Stripe's bracket form, flattened).
 */
export interface PlannedCall {
  method: string
  path: string
  idempotencyKey?: string
  params: Record<string, string>
}
