import type { Config } from '../../env.ts'
import type { BillingSystem } from '../types.ts'

/** Stripe settings (vars and secrets) the worker reads. */
export interface StripeEnv {
  /** Default https://api.stripe.com; the local stack points it at the emulator. */
  STRIPE_API_BASE?: string
  /** Secret: restricted or secret API key. */
  STRIPE_SECRET_KEY?: string
  /** Secret: webhook endpoint signing secret(s), comma-separated during a roll. */
  STRIPE_WEBHOOK_SECRET?: string
  STRIPE_API_VERSION?: string
}

/** The Stripe connector, or undefined when Stripe is not configured. */
export function stripeFromEnv(_env: StripeEnv, _config: Config): BillingSystem | undefined {
  return undefined
}
