import { ConnectorError } from '../../failure/errors.ts'
import type { VendorResponse } from '../http.ts'
import { connectorError, errorFromResponse } from './errors.ts'

/** What a Composite request needs of the REST client (kept structural: the client runs these). */
export interface CompositeTransport {
  dataPath(path: string): string
  send(method: string, path: string, options: { body?: unknown }): Promise<VendorResponse>
}

/*
 * Packing operations into Composite requests: at most 25 subrequests, at most 5 of them sObject
 * Collections or queries, the whole request one API call, so 5 × 200 = 1,000 records per call.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html
 */

export const MAX_SUBREQUESTS = 25
export const MAX_HEAVY_SUBREQUESTS = 5

export interface Subrequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  url: string
  referenceId: string
  body?: unknown
}

export interface SubResponse {
  body: unknown
  httpHeaders?: Record<string, string>
  httpStatusCode: number
  referenceId: string
}

/**
 * A unit of work that must travel in one Composite request (its subrequests may reference each
 * other): `build` names its subrequests under `prefix` (unique within the request), `read` turns
 * their responses (same order) into a result, `fail` gives the result when the whole request failed.
 */
export interface CompositeOp<R> {
  size: number
  /** How many of its subrequests are collections or queries. */
  heavy: number
  build(prefix: string, dataPath: (path: string) => string): Subrequest[]
  read(responses: readonly SubResponse[]): R
  fail(error: ConnectorError): R
}

/**
 * Sends `ops` in as few Composite requests as the limits allow, in order, `allOrNone: false`
 * and `collateSubrequests: false` (so subrequests run in the order given). After a transient
 * whole-request failure the remaining requests are not sent and fail the same way: the org is
 * out of budget or unwell, and sending on would only spend calls (and, for a key repeated in a
 * later collection, apply the later write before the earlier one).
 */
export async function runComposite<R>(
  client: CompositeTransport,
  ops: readonly CompositeOp<R>[],
): Promise<R[]> {
  const results: R[] = new Array<R>(ops.length)
  let batch: number[] = []
  let size = 0
  let heavy = 0
  let stopped: ConnectorError | undefined
  const flush = async () => {
    if (batch.length === 0) return
    const indexes = batch
    batch = []
    size = 0
    heavy = 0
    if (stopped) {
      for (const i of indexes) results[i] = (ops[i] as CompositeOp<R>).fail(stopped)
      return
    }
    const outcome = await sendComposite(
      client,
      indexes.map((i) => ops[i] as CompositeOp<R>),
    )
    if (outcome.ok) indexes.forEach((i, n) => (results[i] = outcome.results[n] as R))
    else {
      for (const i of indexes) results[i] = (ops[i] as CompositeOp<R>).fail(outcome.error)
      if (outcome.error.kind === 'transient') stopped = outcome.error
    }
  }
  for (const [i, op] of ops.entries()) {
    if (op.size > MAX_SUBREQUESTS || op.heavy > MAX_HEAVY_SUBREQUESTS)
      throw new Error('a Composite operation larger than one request')
    if (size + op.size > MAX_SUBREQUESTS || heavy + op.heavy > MAX_HEAVY_SUBREQUESTS) await flush()
    batch.push(i)
    size += op.size
    heavy += op.heavy
  }
  await flush()
  return results
}

async function sendComposite<R>(
  client: CompositeTransport,
  ops: CompositeOp<R>[],
): Promise<{ ok: true; results: R[] } | { ok: false; error: ConnectorError }> {
  const built = ops.map((op, n) => op.build(`o${n}_`, (p) => client.dataPath(p)))
  let res
  try {
    res = await client.send('POST', '/composite', {
      body: { allOrNone: false, collateSubrequests: false, compositeRequest: built.flat() },
    })
  } catch (err) {
    if (!(err instanceof ConnectorError)) throw err
    return { ok: false, error: err }
  }
  const list = (res.json as { compositeResponse?: unknown } | undefined)?.compositeResponse
  if (res.status !== 200 || !Array.isArray(list)) {
    // Composite's own refusals (e.g. LIMIT_EXCEEDED) come wrapped in a compositeResponse entry.
    const inner = Array.isArray(list) ? (list[0] as SubResponse | undefined)?.body : undefined
    const error = errorFromResponse({
      status: res.status,
      json: inner ?? res.json,
      retryAfterMs: res.retryAfterMs,
    })
    return {
      ok: false,
      error:
        res.status === 200
          ? connectorError(
              'transient',
              'unexpected_response',
              'Composite answered without compositeResponse',
            )
          : error,
    }
  }
  const byRef = new Map<string, SubResponse>()
  for (const r of list as SubResponse[])
    if (r && typeof r.referenceId === 'string') byRef.set(r.referenceId, r)
  const results = ops.map((op, n) => {
    const responses = (built[n] as Subrequest[]).map((s) => byRef.get(s.referenceId))
    if (responses.some((r) => r === undefined))
      return op.fail(
        connectorError(
          'transient',
          'unexpected_response',
          'a Composite subrequest has no response',
        ),
      )
    return op.read(responses as SubResponse[])
  })
  return { ok: true, results }
}

/** A subresponse's failure: its Salesforce error list, classified like a whole response. */
export function subrequestError(r: SubResponse): ConnectorError {
  return errorFromResponse({ status: r.httpStatusCode, json: r.body })
}
