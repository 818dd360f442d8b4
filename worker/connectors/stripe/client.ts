import { vendorFetch, type Fetch } from '../http.ts'
import { ConnectorError } from '../../failure/errors.ts'
import { classifyResponse, SYSTEM, transientError } from './errors.ts'
import { encodeForm, type FormParams } from './form.ts'

/**
 * The API version every request is pinned to. Concord reads shapes of this version (billing
 * periods on subscription items, `parent.subscription_item_details` on invoice lines), so it
 * must not float with the account's default. Override with `STRIPE_API_VERSION`.
 */
export const STRIPE_API_VERSION = '2026-10-28.endive'
export const STRIPE_API_BASE = 'https://api.stripe.com'

export interface StripeClientOptions {
  apiKey: string
  apiBase?: string
  apiVersion?: string
  /** Per-request deadline; a timeout is transient and the step's idempotency key makes the retry safe. */
  timeoutMs?: number
  /** In-call retries of a 429 `lock_timeout` (0 = leave every retry to the ledger). Default 2. */
  lockRetries?: number
  sleep?: (ms: number) => Promise<void>
  fetch?: Fetch
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * A small Stripe v1 client on `fetch`: form-encoded bodies, the version pin, a deterministic
 * `Idempotency-Key` on writes, Stripe's errors classified into transient and business.
 */
export class StripeClient {
  private readonly apiKey: string
  private readonly base: string
  private readonly version: string
  private readonly timeoutMs: number
  private readonly lockRetries: number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly fetch?: Fetch

  constructor(opts: StripeClientOptions) {
    this.fetch = opts.fetch
    this.apiKey = opts.apiKey
    this.base = (opts.apiBase ?? STRIPE_API_BASE).replace(/\/+$/, '')
    this.version = opts.apiVersion ?? STRIPE_API_VERSION
    this.timeoutMs = opts.timeoutMs ?? 15_000
    this.lockRetries = opts.lockRetries ?? 2
    this.sleep = opts.sleep ?? defaultSleep
  }

  /** @throws ConnectorError */
  async get<T>(path: string, params: FormParams = {}): Promise<T> {
    return (await this.send<T>('GET', path, params)).body
  }

  /**
   * A write. `idempotencyKey` should read like the step it guards (`${amendmentId}:billing`):
   * Stripe answers a repeat with the first response instead of a second effect (for 24 h).
   * @throws ConnectorError
   */
  async post<T>(path: string, params: FormParams, idempotencyKey: string): Promise<T> {
    return (await this.send<T>('POST', path, params, idempotencyKey)).body
  }

  /**
   * A write, and whether its answer is a replay (`Idempotent-Replayed: true`): a replayed answer
   * is the object as it was when the key was first used, not as it is now.
   * https://docs.stripe.com/api/idempotent_requests
   * @throws ConnectorError
   */
  write<T>(
    path: string,
    params: FormParams,
    idempotencyKey: string,
  ): Promise<{ body: T; replayed: boolean }> {
    return this.send<T>('POST', path, params, idempotencyKey)
  }

  /**
   * A POST that changes nothing, such as `POST /v1/invoices/create_preview`: no idempotency key.
   * @throws ConnectorError
   */
  async query<T>(path: string, params: FormParams): Promise<T> {
    return (await this.send<T>('POST', path, params)).body
  }

  /**
   * DELETE takes no idempotency key (Stripe ignores one: deletes are idempotent by definition),
   * so callers check the object first and skip a delete that already happened.
   * @throws ConnectorError
   */
  async del<T>(path: string, params: FormParams = {}): Promise<T> {
    return (await this.send<T>('DELETE', path, params)).body
  }

  private async send<T>(
    method: string,
    path: string,
    params: FormParams,
    idempotencyKey?: string,
  ): Promise<{ body: T; replayed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, params, idempotencyKey)
      } catch (err) {
        // A lock_timeout clears in milliseconds (another request on the same object finished);
        // a short wait here saves a whole ledger backoff. Safe to repeat: lock conflicts are never
        // stored under the idempotency key. https://docs.stripe.com/rate-limits#object-lock-timeouts
        if (
          !(err instanceof ConnectorError) ||
          err.code !== 'lock_timeout' ||
          attempt >= this.lockRetries
        )
          throw err
        await this.sleep(
          Math.max(err.retryAfterMs ?? 0, 100 * 2 ** attempt + Math.floor(Math.random() * 50)),
        )
      }
    }
  }

  private async once<T>(
    method: string,
    path: string,
    params: FormParams,
    idempotencyKey?: string,
  ): Promise<{ body: T; replayed: boolean }> {
    const form = encodeForm(params)
    const hasBody = method === 'POST'
    const url = `${this.base}${path}${!hasBody && form ? `?${form}` : ''}`
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      'stripe-version': this.version,
      accept: 'application/json',
    }
    if (hasBody) headers['content-type'] = 'application/x-www-form-urlencoded'
    if (idempotencyKey) {
      if (idempotencyKey.length > 255)
        throw new ConnectorError({
          kind: 'business',
          system: SYSTEM,
          code: 'idempotency_key_too_long',
          message: 'Idempotency-Key is longer than 255 characters.',
        })
      headers['idempotency-key'] = idempotencyKey
    }
    const res = await vendorFetch(SYSTEM, url, {
      method,
      headers,
      body: hasBody ? form : undefined,
      timeoutMs: this.timeoutMs,
      fetch: this.fetch,
    })
    if (res.status >= 200 && res.status < 300) {
      if (res.json === undefined)
        throw transientError(
          'bad_response',
          `${method} ${path}: Stripe answered ${res.status} without a JSON body.`,
          { status: res.status },
        )
      return { body: res.json as T, replayed: res.headers.get('idempotent-replayed') === 'true' }
    }
    throw classifyResponse(res, method, path)
  }
}
