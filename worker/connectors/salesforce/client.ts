import { vendorFetch, type Fetch, type VendorResponse } from '../http.ts'
import type { SalesforceSession, SalesforceTokenSource } from '../types.ts'
import {
  eventOps,
  upsertOps,
  type EventPublish,
  type PublishResult,
  type UpsertGroup,
  type UpsertResult,
} from './collections.ts'
import { runComposite, type CompositeOp } from './composite.ts'
import { errorFromResponse, SYSTEM } from './errors.ts'
import { ApiLimitsTracker, type ApiLimits } from './limits.ts'

export interface SalesforceClientOptions {
  tokens: SalesforceTokenSource
  /** `65.0`, without the `v`. */
  apiVersion: string
  /** Deadline of one REST call (Composite included). */
  timeoutMs?: number
  /** Where `Sforce-Limit-Info` observations go; share one per org to budget across callers. */
  limits?: ApiLimitsTracker
  /** Called with every response's API usage, e.g. for a writer's budget. */
  onLimits?: (limits: ApiLimits) => void
  fetch?: Fetch
}

export interface RequestOptions {
  body?: unknown
  headers?: Record<string, string>
}

/**
 * Salesforce REST for the worker: authenticated calls with one re-mint on
 * `INVALID_SESSION_ID`, `Sforce-Limit-Info` read from every answer, errors classified into
 * transient and business `ConnectorError`s, SOQL with paging, and Composite-packed sObject
 * Collections upserts and platform event publishing (see collections.ts).
 */
export class SalesforceClient {
  readonly apiVersion: string
  private readonly tokens: SalesforceTokenSource
  private readonly timeoutMs: number
  private readonly tracker: ApiLimitsTracker
  private readonly onLimits?: (limits: ApiLimits) => void
  private readonly fetch?: Fetch

  constructor(options: SalesforceClientOptions) {
    this.tokens = options.tokens
    this.apiVersion = options.apiVersion
    this.timeoutMs = options.timeoutMs ?? 60_000
    this.tracker = options.limits ?? new ApiLimitsTracker()
    this.onLimits = options.onLimits
    this.fetch = options.fetch
  }

  /** The latest API usage any caller sharing this client's tracker saw; undefined before the first call. */
  limits(): ApiLimits | undefined {
    return this.tracker.current()
  }

  /** `/services/data/vXX.X` + `path`; a path already under `/services/` is kept (e.g. `nextRecordsUrl`). */
  dataPath(path: string): string {
    return path.startsWith('/services/') ? path : `/services/data/v${this.apiVersion}${path}`
  }

  /**
   * One REST call; any HTTP status is returned. A 401 `INVALID_SESSION_ID` drops the token and
   * retries once with a fresh one (the refused request had no effect, so the retry is safe).
   * @throws ConnectorError when no token can be had, or on network failure or timeout (transient).
   */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<VendorResponse> {
    let session = await this.tokens.session()
    let res = await this.once(session, method, path, options)
    if (res.status === 401) {
      this.tokens.invalidate(session)
      session = await this.tokens.session()
      res = await this.once(session, method, path, options)
    }
    return res
  }

  /**
   * One REST call that must succeed (2xx); returns its parsed body.
   * @throws ConnectorError classified from the Salesforce error code, or for network/timeout.
   */
  async call<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, options)
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res)
    return res.json as T
  }

  /**
   * Runs a SOQL query and follows `nextRecordsUrl` to the end (one API call per page).
   * Build it with `soqlQuote` for every value.
   * @throws ConnectorError (e.g. business `MALFORMED_QUERY`, `INVALID_FIELD`).
   */
  async query<T = Record<string, unknown>>(
    soql: string,
    options: { maxRecords?: number } = {},
  ): Promise<T[]> {
    const out: T[] = []
    let next: string | undefined = `/query?q=${encodeURIComponent(soql)}`
    while (next) {
      const page: QueryPage<T> = await this.call<QueryPage<T>>('GET', next)
      out.push(...(page.records ?? []))
      if (options.maxRecords !== undefined && out.length >= options.maxRecords)
        return out.slice(0, options.maxRecords)
      next =
        page.done === false && typeof page.nextRecordsUrl === 'string'
          ? page.nextRecordsUrl
          : undefined
    }
    return out
  }

  /**
   * Upserts every group's records by its external id: sObject Collections upserts of at most 200
   * records (`allOrNone: false`), five to a Composite request, so 1,000 records cost one API
   * call. Answers one result per input record, in input order (`results[g][r]`). A record whose
   * key repeats within a group goes in a later collection, so the last one written wins. A group
   * keyed by `Id` updates existing records (sObject Collections update) and never creates.
   * `events` are published in the last Composite, after the records.
   * @throws never for Salesforce answers: whole-request failures come back on every record.
   */
  async upsertMany(
    groups: readonly UpsertGroup[],
    options: { events?: readonly EventPublish[] } = {},
  ): Promise<{ results: UpsertResult[][]; events: PublishResult[] }> {
    const ops = upsertOps(groups)
    const events = eventOps(options.events ?? [])
    const outcomes = await this.composite<UpsertResult[] | PublishResult>([...ops.ops, ...events])
    return {
      results: ops.assemble(outcomes.slice(0, ops.ops.length) as UpsertResult[][]),
      events: outcomes.slice(ops.ops.length) as PublishResult[],
    }
  }

  /**
   * Publishes platform events (e.g. `Concord_Refresh__e`), up to 25 per Composite request (one
   * API call). Success is judged by `success`: a high-volume event answers `success: true`
   * with an `OPERATION_ENQUEUED` item in `errors` that carries its EventUuid.
   */
  async publish(events: readonly EventPublish[]): Promise<PublishResult[]> {
    return this.composite<PublishResult>(eventOps(events))
  }

  /**
   * Runs Composite operations packed into as few `POST /composite` requests as the limits
   * allow (25 subrequests, 5 of them collections or queries), in order, `allOrNone: false`,
   * `collateSubrequests: false`. Low-level: `upsertMany` and `publish` are built on it.
   */
  composite<R>(ops: readonly CompositeOp<R>[]): Promise<R[]> {
    return runComposite(this, ops)
  }

  private async once(
    session: SalesforceSession,
    method: string,
    path: string,
    options: RequestOptions,
  ): Promise<VendorResponse> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${session.accessToken}`,
      accept: 'application/json',
      ...options.headers,
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const res = await vendorFetch(SYSTEM, `${session.instanceUrl}${this.dataPath(path)}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      timeoutMs: this.timeoutMs,
      fetch: this.fetch,
    })
    const seen = this.tracker.observe(res.headers.get('sforce-limit-info'))
    if (seen) this.onLimits?.(seen)
    return res
  }
}

interface QueryPage<T> {
  totalSize?: number
  done?: boolean
  nextRecordsUrl?: string
  records?: T[]
}

/**
 * Quotes a value for a SOQL string literal (backslash escapes per the SOQL reference), so no
 * value is ever pasted into a query unescaped.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */
export function soqlQuote(value: string): string {
  const escaped = value.replace(/[\\'"\n\r\t\b\f]/g, (c) => {
    switch (c) {
      case '\n':
        return '\\n'
      case '\r':
        return '\\r'
      case '\t':
        return '\\t'
      case '\b':
        return '\\b'
      case '\f':
        return '\\f'
      default:
        return `\\${c}`
    }
  })
  return `'${escaped}'`
}
