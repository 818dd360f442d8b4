import type { VendorResponse } from '../http.ts'
import { ConnectorError } from '../../failure/errors.ts'

export const SYSTEM = 'stripe'

/** Stripe's error object (https://docs.stripe.com/api/errors). */
interface StripeErrorBody {
  type?: string
  code?: string
  decline_code?: string
  message?: string
  param?: string
}

/** Secret and restricted keys, webhook secrets and client secrets, masked or not. */
const SECRET_PATTERN =
  /\b(?:sk|rk|pk)_(?:test|live)_[A-Za-z0-9*]+|\bwhsec_[A-Za-z0-9*]+|\b[a-z]+_[A-Za-z0-9]+_secret_[A-Za-z0-9]+/g
const MAX_MESSAGE = 200

/** Stripe's message with anything key-like removed, short enough for `Error_Message__c`. */
export function safeMessage(text: string): string {
  const clean = text.replace(SECRET_PATTERN, '[redacted]').replace(/\s+/g, ' ').trim()
  return clean.length > MAX_MESSAGE ? `${clean.slice(0, MAX_MESSAGE - 1)}…` : clean
}

export function businessError(code: string, message: string, status?: number): ConnectorError {
  return new ConnectorError({
    kind: 'business',
    system: SYSTEM,
    code,
    message: safeMessage(message),
    status,
  })
}

export function transientError(
  code: string,
  message: string,
  opts: { retryAfterMs?: number; status?: number } = {},
): ConnectorError {
  return new ConnectorError({
    kind: 'transient',
    system: SYSTEM,
    code,
    message: safeMessage(message),
    ...opts,
  })
}

/**
 * Turns a non-2xx Stripe answer into a `ConnectorError`.
 *
 * Order of precedence: `Stripe-Should-Retry` when present (Stripe knows best, e.g. `true` on
 * `lock_timeout`, `false` on a request that can never succeed), then the status: 409
 * (idempotency key in use), 429 (`rate_limit`, `lock_timeout`) and 5xx are transient; 400, 402
 * and 404 are business. 401/403 mean our key is wrong or lacks a permission — a configuration
 * fault, not the amendment's, so it waits (transient) for an operator to fix the key instead of
 * parking every amendment. A 5xx *replayed* under an idempotency key is Stripe repeating a
 * stored outcome: retrying the same key can never change it, and whether the first request took
 * effect is unknown, so it parks for a human (business) rather than spinning.
 * https://docs.stripe.com/error-handling, https://docs.stripe.com/idempotency
 */
export function classifyResponse(
  res: VendorResponse,
  method: string,
  path: string,
): ConnectorError {
  const err = ((res.json as { error?: StripeErrorBody } | undefined)?.error ??
    {}) as StripeErrorBody
  const status = res.status
  const code = err.code ?? err.type ?? `http_${status}`
  const detail = err.message ? safeMessage(err.message) : `HTTP ${status}`
  const what = `${method} ${path.split('?')[0]}`
  const shouldRetry = res.headers.get('stripe-should-retry')
  const replayed = res.headers.get('idempotent-replayed') === 'true'

  if (status === 401 || status === 403) {
    return transientError(
      status === 401 ? 'authentication_failed' : 'permission_denied',
      `Stripe refused the API key for ${what}; check STRIPE_SECRET_KEY and its permissions.`,
      {
        status,
        retryAfterMs: res.retryAfterMs ?? 60_000,
      },
    )
  }
  if (replayed && status >= 500) {
    return businessError(
      code,
      `Stripe replayed a stored server error for this step's idempotency key (${what}); check the object in Stripe, then retry or skip.`,
      status,
    )
  }
  const transient =
    shouldRetry === 'true'
      ? true
      : shouldRetry === 'false'
        ? false
        : status === 409 || status === 429 || status >= 500
  if (transient)
    return transientError(code, `${what}: ${detail}`, { retryAfterMs: res.retryAfterMs, status })
  const decline = err.decline_code ? ` (${err.decline_code})` : ''
  return businessError(code, `${detail}${decline}`, status)
}
