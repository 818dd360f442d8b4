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

/** One HTTP call to a vendor as the trace view shows it: no body, no headers but the key. */
export interface VendorCall {
  system: string
  method: string
  /** The URL's path, without the query (which may carry search terms). */
  path: string
  /** The HTTP status; 0 when no answer came (network failure or timeout). */
  status: number
  idempotencyKey?: string
  durationMs: number
  /** When the call started, ms since the epoch. */
  at: number
}

/** Where a connector's calls are recorded (the account ledger's SQLite, per correlation id). */
export interface CallRecorder {
  record(call: VendorCall): void
}

/**
 * `send` with every call handed to `recorder` once it answered or failed. The recorder must not
 * throw; a call that threw still rethrows as it would have.
 */
export function recordingFetch(send: Fetch, system: string, recorder: CallRecorder): Fetch {
  return async (input, init) => {
    // Read without building a Request, which would take hold of a streamed body.
    const asRequest = input instanceof Request ? input : undefined
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const headers = new Headers(init?.headers ?? asRequest?.headers)
    const started = Date.now()
    const note = (status: number) =>
      recorder.record({
        system,
        method: (init?.method ?? asRequest?.method ?? 'GET').toUpperCase(),
        path: new URL(url).pathname,
        status,
        idempotencyKey: headers.get('idempotency-key') ?? undefined,
        durationMs: Date.now() - started,
        at: started,
      })
    try {
      const res = await send(input, init)
      note(res.status)
      return res
    } catch (err) {
      note(0)
      throw err
    }
  }
}
