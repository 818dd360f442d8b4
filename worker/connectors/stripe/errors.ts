import type { VendorResponse } from '../http.ts'
import { classify } from '../../failure/classify.ts'
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
 * Turns a non-2xx Stripe answer into a `ConnectorError`, classified by `classify` (which holds
 * Stripe's rules: `Stripe-Should-Retry` over the status, 409/429/5xx retried, 401/403 our key,
 * a replayed 5xx parked). Here only Stripe's body and headers are read, and the messages
 * written: a refused key names the setting to check (and waits at least a minute, so a wrong
 * key is not hammered), a replayed server error says what to check before retrying.
 * https://docs.stripe.com/error-handling, https://docs.stripe.com/idempotency
 */
export function classifyResponse(
  res: VendorResponse,
  method: string,
  path: string,
): ConnectorError {
  const err = (res.json as { error?: StripeErrorBody } | undefined)?.error ?? {}
  const status = res.status
  const code = err.code ?? err.type ?? `http_${status}`
  const what = `${method} ${path.split('?')[0]}`
  const shouldRetry = res.headers.get('stripe-should-retry')
  const replayed = res.headers.get('idempotent-replayed') === 'true'
  const { category, kind } = classify({
    system: SYSTEM,
    status,
    vendorCode: code,
    retryAfterMs: res.retryAfterMs,
    vendorSaysRetry: shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : undefined,
    replayed,
  })
  const error = (code: string, message: string, retryAfterMs?: number) =>
    new ConnectorError({
      system: SYSTEM,
      category,
      code,
      message: safeMessage(message),
      status,
      retryAfterMs,
    })
  if (category === 'auth')
    return error(
      status === 401 ? 'authentication_failed' : 'permission_denied',
      `Stripe refused the API key for ${what}; check STRIPE_SECRET_KEY and its permissions.`,
      res.retryAfterMs ?? 60_000,
    )
  if (replayed && status >= 500)
    return error(
      code,
      `Stripe replayed a stored server error for this step's idempotency key (${what}); check the object in Stripe, then retry or skip.`,
    )
  const detail = err.message ? safeMessage(err.message) : `HTTP ${status}`
  if (kind === 'transient') return error(code, `${what}: ${detail}`, res.retryAfterMs)
  return error(code, `${detail}${err.decline_code ? ` (${err.decline_code})` : ''}`)
}
