import { vendorFetch, type Fetch, type VendorResponse } from '../http.ts'
import { ConnectorError } from '../../failure/errors.ts'
import type { NetsuiteAuth } from './auth.ts'
import { toConnectorError } from './errors.ts'
import type { PermitSource } from './permits.ts'

export interface NetsuiteRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path from the host, e.g. `/services/rest/record/v1/customer/eid:ABC`. */
  path: string
  query?: Record<string, string | number>
  body?: unknown
  headers?: Record<string, string>
  /** The operation in words, for error messages: `upsert of salesOrder eid:X`. */
  what: string
}

export interface NetsuiteClientOptions {
  baseUrl: string
  auth: NetsuiteAuth
  permits: PermitSource
  timeoutMs: number
  fetch?: Fetch
}

/**
 * Sends SuiteTalk REST requests: each holds a gate permit while in flight (the account's
 * concurrency limit covers every request), carries a fresh `Authorization`, is retried once after
 * a 401 when a new credential could help (a re-minted M2M token), and answers 2xx or throws a
 * classified `ConnectorError`. Other retries belong to the saga, which backs off across calls.
 */
export class NetsuiteClient {
  readonly baseUrl: string
  private readonly opts: NetsuiteClientOptions

  constructor(opts: NetsuiteClientOptions) {
    this.opts = opts
    this.baseUrl = opts.baseUrl
  }

  /** @throws ConnectorError for any non-2xx answer, network failure or timeout. */
  async send(req: NetsuiteRequest): Promise<VendorResponse> {
    const url = new URL(`${this.baseUrl}${req.path}`)
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, String(v))
    const href = url.toString()
    const { auth, permits, timeoutMs } = this.opts
    // The credential comes before the permit: minting a token must not hold a request slot.
    let authorization = await auth.header(req.method, href)
    const res = await permits.run(async () => {
      const first = await this.fetchOnce(req, href, authorization, timeoutMs)
      if (first.status !== 401 || !auth.rejected(authorization)) return first
      authorization = await auth.header(req.method, href)
      return this.fetchOnce(req, href, authorization, timeoutMs)
    })
    if (res.status >= 200 && res.status < 300) return res
    throw toConnectorError(res, req.what)
  }

  private async fetchOnce(
    req: NetsuiteRequest,
    href: string,
    authorization: string,
    timeoutMs: number,
  ): Promise<VendorResponse> {
    const headers: Record<string, string> = {
      authorization,
      accept: 'application/json',
      ...req.headers,
    }
    if (req.body !== undefined) headers['content-type'] = 'application/json'
    try {
      return await vendorFetch('netsuite', href, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        timeoutMs,
        fetch: this.opts.fetch,
      })
    } catch (err) {
      if (err instanceof ConnectorError) {
        throw new ConnectorError({
          category: err.category,
          system: 'netsuite',
          code: err.code,
          message: `${err.message} (${req.what})`,
        })
      }
      throw err
    }
  }
}
