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
import type { Section, StripeSettings } from '../../config/types.ts'
import type { Fetch } from '../http.ts'
import type { BillingReader, BillingSystem } from '../types.ts'
import { stripeBillingReader } from './billing-reader.ts'
import { StripeBilling } from './billing.ts'
import { StripeClient, type StripeClientOptions } from './client.ts'
import { StripeReader } from './reader.ts'
import { StripeMoney } from './money.ts'
import type { MoneyBilling } from '../money.ts'
import { stripeUsageBilling } from './meter-events.ts'
import type { UsageBilling } from '../usage.ts'

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

/**
 * The Stripe connector from its config section, or undefined when Stripe is not configured (no
 * `STRIPE_SECRET_KEY`). `options` (tests) override timeouts and in-call retries.
 */
export function stripeConnector(
  section: Section<StripeSettings>,
  fetch?: Fetch,
  options: Partial<StripeClientOptions> = {},
):
  | {
      client: StripeClient
      billing: BillingSystem
      reader: BillingReader
      money: MoneyBilling
      usage: UsageBilling
    }
  | undefined {
  if (section.status !== 'ok') return undefined
  const { apiKey, apiBase, apiVersion, automaticTax } = section.settings
  const client = new StripeClient({ apiKey, apiBase, apiVersion, fetch, ...options })
  return {
    client,
    billing: new StripeBilling(client, { automaticTax }),
    money: new StripeMoney(client),
    reader: stripeBillingReader(new StripeReader(client)),
    usage: stripeUsageBilling(client),
  }
}
