import { classify } from '../failure/classify.ts'
import { toFailure, type Failure } from '../failure/policy.ts'
import { hmacSha256Hex } from '../lib/hmac.ts'
import { vendorFetch } from './http.ts'

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the webhook's secret. */
export async function signWebhook(
  secret: string,
  timestamp: string,
  body: string,
): Promise<string> {
  return `v1=${await hmacSha256Hex(secret, `${timestamp}.${body}`)}`
}

export interface SignedWebhook {
  /** The system name failures are classified and reported under (`alert_webhook`). */
  system: string
  url: string
  secret: string
  /** The header that carries the Unix timestamp the signature covers. */
  timestampHeader: string
  /** The header that carries `signWebhook`'s answer. */
  signatureHeader: string
  /** Any further headers (a delivery id a receiver dedupes on). */
  headers?: Record<string, string>
  body: string
  fetch: typeof fetch
}

/**
 * One signed JSON POST to a receiver of ours (alerts, provisioning). Undefined when the receiver
 * took it (2xx); otherwise the failure, classified by the one classifier from the status and
 * `Retry-After` (or the network failure), for the caller to hand to the one policy (`decide`).
 */
export async function postSignedWebhook(w: SignedWebhook): Promise<Failure | undefined> {
  const timestamp = String(Math.floor(Date.now() / 1000))
  try {
    const res = await vendorFetch(w.system, w.url, {
      method: 'POST',
      fetch: w.fetch,
      timeoutMs: 10_000,
      headers: {
        'content-type': 'application/json',
        ...w.headers,
        [w.timestampHeader]: timestamp,
        [w.signatureHeader]: await signWebhook(w.secret, timestamp, w.body),
      },
      body: w.body,
    })
    if (res.status >= 200 && res.status < 300) return undefined
    const { category, kind } = classify({
      system: w.system,
      status: res.status,
      retryAfterMs: res.retryAfterMs,
    })
    return {
      kind,
      category,
      code: `http_${res.status}`,
      message: `the webhook answered ${res.status}`,
      retryAfterMs: res.retryAfterMs,
    }
  } catch (err) {
    return toFailure(err)
  }
}
