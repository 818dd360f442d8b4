/**
 * The Stripe Billing connector.
 *
 * Plain `fetch`, not the official `stripe` SDK. The SDK does run on Workers, but its worker
 * bundle is ~240 KB minified (≈33 KB gzip) for customers, subscriptions and webhooks (measured,
 * see reference/billing_erp.md §1.5), against a few hundred lines here, and it would not remove
 * the parts Concord has to own anyway: the SDK invents a random `Idempotency-Key` unless given
 * one, retries 409/5xx itself with its own timing, does not read `Retry-After`, and does not
 * retry a plain 429 — while Concord's ledger must own retries (full-jitter backoff, parking,
 * checkpoints) and needs every failure classified into transient and business. What remains —
 * form encoding, the version pin, a handful of typed shapes — is small and easy to test against
 * the emulator. Webhook signatures use WebCrypto HMAC (`worker/lib/hmac.ts`) directly.
 */
import type { Config } from '../../env.ts'
import type { BillingSystem } from '../types.ts'
import { StripeBilling } from './billing.ts'
import { StripeClient, type StripeClientOptions } from './client.ts'
import { StripeReader } from './reader.ts'

export { StripeBilling } from './billing.ts'
export { StripeClient, STRIPE_API_VERSION, type StripeClientOptions } from './client.ts'
export { StripeReader, type Page } from './reader.ts'
export type { ApplyInput } from './amendments.ts'
export {
  creditNoteFromStripe,
  invoiceFromStripe,
  paymentFromCharge,
  paymentFromInvoicePayment,
} from './mapping.ts'
export { isProration, toPreview } from './preview.ts'
export {
  StripeSignatureError,
  STRIPE_SIGNATURE_TOLERANCE_SECONDS,
  verifyStripeSignature,
  type StripeSignatureFailure,
} from './webhook-signature.ts'
export type * from './stripe-types.ts'

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

/** A client from the worker's bindings; `options` (tests) override timeouts and in-call retries. */
export function stripeClientFromEnv(
  env: StripeEnv,
  options: Partial<StripeClientOptions> = {},
): StripeClient | undefined {
  const apiKey = env.STRIPE_SECRET_KEY?.trim()
  if (!apiKey) return undefined
  return new StripeClient({
    apiKey,
    apiBase: env.STRIPE_API_BASE?.trim() || undefined,
    apiVersion: env.STRIPE_API_VERSION?.trim() || undefined,
    ...options,
  })
}

/** The Stripe connector, or undefined when Stripe is not configured (no `STRIPE_SECRET_KEY`). */
export function stripeFromEnv(env: StripeEnv, _config: Config): BillingSystem | undefined {
  const client = stripeClientFromEnv(env)
  return client && new StripeBilling(client)
}

/** The reads for the financial write-back, or undefined when Stripe is not configured. */
export function stripeReaderFromEnv(env: StripeEnv): StripeReader | undefined {
  const client = stripeClientFromEnv(env)
  return client && new StripeReader(client)
}

/** The webhook signing secrets: the current one and, during a roll, the others (comma-separated). */
export function stripeWebhookSecrets(env: StripeEnv): string[] {
  return (env.STRIPE_WEBHOOK_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
