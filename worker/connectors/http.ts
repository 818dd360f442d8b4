import { parseRetryAfter } from '../lib/backoff.ts'
import { ConnectorError } from '../failure/errors.ts'

export interface VendorResponse {
  status: number
  headers: Headers
  text: string
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown
  retryAfterMs?: number
}

/** How a connector reaches its vendor: the runtime's `fetch` unless a factory was given another. */
export type Fetch = typeof fetch

/**
 * One HTTP call to a vendor with a deadline. Network failures and timeouts become transient
 * `ConnectorError`s (the request may or may not have taken effect; the caller's idempotency
 * key or external-id upsert makes the retry safe). Any HTTP status is returned, not thrown:
 * only the connector knows the vendor's error shape.
 */
export async function vendorFetch(
  system: string,
  url: string,
  init: RequestInit & { timeoutMs?: number; fetch?: typeof fetch },
): Promise<VendorResponse> {
  const { timeoutMs = 30_000, fetch: send = fetch, ...rest } = init
  let res: Response
  try {
    res = await send(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) })
  } catch (err) {
    const timedOut =
      err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
    throw new ConnectorError({
      kind: 'transient',
      system,
      code: timedOut ? 'timeout' : 'network_error',
      message: timedOut ? `no answer within ${timeoutMs} ms` : 'could not reach the service',
    })
  }
  const text = await res.text()
  let json: unknown
  if (text) {
    try {
      json = JSON.parse(text) as unknown
    } catch {
      json = undefined
    }
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    json,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  }
}
