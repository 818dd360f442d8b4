import { constantTimeEqual, hmacSha256Hex } from '../../lib/hmac.ts'

/** Stripe's default tolerance for the signed timestamp (stripe-node `DEFAULT_TOLERANCE`). */
export const STRIPE_SIGNATURE_TOLERANCE_SECONDS = 300

export type StripeSignatureFailure =
  | 'no_secret'
  | 'missing_header'
  | 'malformed_header'
  | 'no_v1_signature'
  | 'signature_mismatch'
  | 'timestamp_out_of_tolerance'

const MESSAGES: Record<StripeSignatureFailure, string> = {
  no_secret: 'No Stripe webhook signing secret is configured.',
  missing_header: 'The Stripe-Signature header is missing.',
  malformed_header: 'The Stripe-Signature header is not "t=<unix seconds>,v1=<hex>".',
  no_v1_signature: 'The Stripe-Signature header carries no v1 signature.',
  signature_mismatch:
    'No v1 signature in Stripe-Signature matches the payload for any configured secret.',
  timestamp_out_of_tolerance:
    'The Stripe-Signature timestamp is outside the tolerance; the event may be a replay.',
}

/** Which check a webhook failed. Its message never carries the expected signature. */
export class StripeSignatureError extends Error {
  readonly reason: StripeSignatureFailure

  constructor(reason: StripeSignatureFailure) {
    super(MESSAGES[reason])
    this.name = 'StripeSignatureError'
    this.reason = reason
  }
}

/**
 * Verifies `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` over the raw body: HMAC-SHA256 of
 * `"<t>.<raw body>"` under each secret (several during a secret roll, and Stripe may send several
 * `v1`), compared in constant time against every `v1`; then the timestamp must be within
 * `toleranceSeconds` of `now` (either side: a far-future stamp is as suspect as a stale one).
 * https://docs.stripe.com/webhooks#verify-manually
 * @param rawBody the body exactly as received (before any JSON parsing)
 * @param now unix seconds; defaults to the current time
 * @returns the signed timestamp (unix seconds)
 * @throws StripeSignatureError naming the failed check
 */
export async function verifyStripeSignature(
  rawBody: string | Uint8Array<ArrayBuffer>,
  header: string | null | undefined,
  secrets: readonly string[],
  toleranceSeconds = STRIPE_SIGNATURE_TOLERANCE_SECONDS,
  now?: number,
): Promise<{ timestamp: number }> {
  const keys = secrets.map((s) => s.trim()).filter(Boolean)
  if (keys.length === 0) throw new StripeSignatureError('no_secret')
  if (!header) throw new StripeSignatureError('missing_header')

  let timestamp: string | undefined
  const offered: string[] = []
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    if (eq <= 0) throw new StripeSignatureError('malformed_header')
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === 't') timestamp ??= value
    else if (key === 'v1' && value) offered.push(value.toLowerCase())
  }
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    throw new StripeSignatureError('malformed_header')
  if (offered.length === 0) throw new StripeSignatureError('no_v1_signature')

  const prefix = new TextEncoder().encode(`${timestamp}.`)
  const body = typeof rawBody === 'string' ? new TextEncoder().encode(rawBody) : rawBody
  const signed = new Uint8Array(prefix.byteLength + body.byteLength)
  signed.set(prefix, 0)
  signed.set(body, prefix.byteLength)
  let matched = false
  for (const secret of keys) {
    const expected = await hmacSha256Hex(secret, signed)
    // Every candidate is compared, whatever matched before, so timing says nothing about which.
    for (const candidate of offered) matched = constantTimeEqual(candidate, expected) || matched
  }
  if (!matched) throw new StripeSignatureError('signature_mismatch')

  const t = Number(timestamp)
  const current = now ?? Math.floor(Date.now() / 1000)
  if (Math.abs(current - t) > toleranceSeconds)
    throw new StripeSignatureError('timestamp_out_of_tolerance')
  return { timestamp: t }
}
