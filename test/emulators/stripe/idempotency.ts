import { StripeError } from './errors.ts'

/** A stored outcome of an idempotent request. */
export interface StoredResponse {
  endpoint: string
  params: string
  status: number
  body: unknown
  requestId: string
  /** Emulator time (unix s) the key was first used; keys expire after 24 h. */
  createdAt: number
  inFlight: boolean
}

const TTL_SECONDS = 24 * 3600

/**
 * Stripe's idempotency (https://docs.stripe.com/api/idempotent_requests): per API key, a key
 * replays the first response for the same endpoint and parameters, refuses different ones,
 * and is only stored once execution began (validation failures and lock conflicts are not).
 */
export class IdempotencyStore {
  private entries = new Map<string, StoredResponse>()

  /**
   * Looks a key up before execution.
   * @returns the stored response to replay, or undefined when the request should run.
   * @throws StripeError 400 `idempotency_error` on a mismatch, 409 while the first is in flight.
   */
  begin(
    apiKey: string,
    key: string,
    endpoint: string,
    params: string,
    requestId: string,
    now: number,
  ): StoredResponse | undefined {
    const scope = `${apiKey}\u0000${key}`
    const found = this.entries.get(scope)
    if (found && !found.inFlight && now - found.createdAt >= TTL_SECONDS) this.entries.delete(scope)
    const entry = this.entries.get(scope)
    if (!entry) {
      this.entries.set(scope, {
        endpoint,
        params,
        status: 0,
        body: undefined,
        requestId,
        createdAt: now,
        inFlight: true,
      })
      return undefined
    }
    if (entry.inFlight) {
      throw new StripeError(409, {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: `There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ${key}. Please try again later.`,
      })
    }
    if (entry.endpoint !== endpoint) {
      throw new StripeError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      })
    }
    if (entry.params !== params) {
      throw new StripeError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      })
    }
    return entry
  }

  /** Stores the outcome (`store`) or forgets the key so a later request runs afresh. */
  finish(apiKey: string, key: string, status: number, body: unknown, store: boolean): void {
    const scope = `${apiKey}\u0000${key}`
    const entry = this.entries.get(scope)
    if (!entry) return
    if (!store) {
      this.entries.delete(scope)
      return
    }
    entry.status = status
    entry.body = body
    entry.inFlight = false
  }

  size(): number {
    return this.entries.size
  }

  reset(): void {
    this.entries.clear()
  }
}
