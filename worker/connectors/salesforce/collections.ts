import { ConnectorError } from '../types.ts'
import type { SalesforceClient } from './client.ts'
import { connectorError, errorFromItem, errorFromResponse, errorItems } from './errors.ts'
import { sobject, type ExternalIdField, type PlatformEventName, type SObjectFields, type WritableObject } from './records.ts'

/*
 * Packing writes into Composite requests: at most 25 subrequests, at most 5 of them sObject
 * Collections or queries, the whole request one API call, so 5 × 200 = 1,000 records per call.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-composite-post.html
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
 */

export const MAX_SUBREQUESTS = 25
export const MAX_HEAVY_SUBREQUESTS = 5
export const COLLECTION_SIZE = 200

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
 * An upsert of one object's records by one of its external id fields. `Id` makes it an update
 * of existing records by record id (sObject Collections update, `PATCH /composite/sobjects`):
 * Collections upsert takes external ids only ("Don't use record ids"), and Account has none.
 */
export type UpsertGroupOf<O extends WritableObject> = {
  object: O
  externalIdField: ExternalIdField<O> | 'Id'
  records: readonly SObjectFields<O>[]
}
export type UpsertGroup = { [O in WritableObject]: UpsertGroupOf<O> }[WritableObject]

/** One record's upsert result: `created` false means an existing record was updated. */
export type UpsertResult = { ok: true; id: string; created: boolean } | { ok: false; error: ConnectorError }

export type EventPublish = { [E in PlatformEventName]: { event: E; fields: SObjectFields<E> } }[PlatformEventName]
/** `eventUuid` comes from the `OPERATION_ENQUEUED` item Salesforce answers a publish with. */
export type PublishResult = { ok: true; eventUuid?: string } | { ok: false; error: ConnectorError }

/**
 * Sends `ops` in as few Composite requests as the limits allow, in order, `allOrNone: false`
 * and `collateSubrequests: false` (so subrequests run in the order given). After a transient
 * whole-request failure the remaining requests are not sent and fail the same way: the org is
 * out of budget or unwell, and sending on would only spend calls (and, for a key repeated in a
 * later collection, apply the later write before the earlier one).
 */
export async function runComposite<R>(client: SalesforceClient, ops: readonly CompositeOp<R>[]): Promise<R[]> {
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
    const outcome = await sendComposite(client, indexes.map((i) => ops[i] as CompositeOp<R>))
    if (outcome.ok) indexes.forEach((i, n) => (results[i] = outcome.results[n] as R))
    else {
      for (const i of indexes) results[i] = (ops[i] as CompositeOp<R>).fail(outcome.error)
      if (outcome.error.kind === 'transient') stopped = outcome.error
    }
  }
  for (const [i, op] of ops.entries()) {
    if (op.size > MAX_SUBREQUESTS || op.heavy > MAX_HEAVY_SUBREQUESTS) throw new Error('a Composite operation larger than one request')
    if (size + op.size > MAX_SUBREQUESTS || heavy + op.heavy > MAX_HEAVY_SUBREQUESTS) await flush()
    batch.push(i)
    size += op.size
    heavy += op.heavy
  }
  await flush()
  return results
}

async function sendComposite<R>(client: SalesforceClient, ops: CompositeOp<R>[]): Promise<{ ok: true; results: R[] } | { ok: false; error: ConnectorError }> {
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
    const error = errorFromResponse({ status: res.status, json: inner ?? res.json, retryAfterMs: res.retryAfterMs })
    return { ok: false, error: res.status === 200 ? connectorError('transient', 'unexpected_response', 'Composite answered without compositeResponse') : error }
  }
  const byRef = new Map<string, SubResponse>()
  for (const r of list as SubResponse[]) if (r && typeof r.referenceId === 'string') byRef.set(r.referenceId, r)
  const results = ops.map((op, n) => {
    const responses = (built[n] as Subrequest[]).map((s) => byRef.get(s.referenceId))
    if (responses.some((r) => r === undefined)) return op.fail(connectorError('transient', 'unexpected_response', 'a Composite subrequest has no response'))
    return op.read(responses as SubResponse[])
  })
  return { ok: true, results }
}

/** A subresponse's failure: its Salesforce error list, classified like a whole response. */
export function subrequestError(r: SubResponse): ConnectorError {
  return errorFromResponse({ status: r.httpStatusCode, json: r.body })
}

/** One record's result from a SaveResult/UpsertResult (`{id, success, errors, created}`). */
export function recordResult(raw: unknown): UpsertResult {
  const r = (raw ?? {}) as { id?: unknown; success?: unknown; errors?: unknown; created?: unknown }
  if (r.success === true && typeof r.id === 'string') return { ok: true, id: r.id, created: r.created === true }
  const [first, ...more] = errorItems(r.errors)
  if (!first) return { ok: false, error: connectorError('transient', 'unexpected_response', 'a record failed without an error') }
  const error = errorFromItem(more.length > 0 ? { ...first, message: [first, ...more].map((e) => `${e.code}: ${e.message}`).join('; ') } : first)
  return { ok: false, error }
}

/**
 * Splits groups into collections of ≤ 200 records with distinct keys (Salesforce refuses a
 * repeated key in one collection), placing a repeated key in a later collection so writes land
 * in input order; `assemble` maps the collections' results back to input positions.
 */
export function upsertOps(groups: readonly UpsertGroup[]): { ops: CompositeOp<UpsertResult[]>[]; assemble(chunks: UpsertResult[][]): UpsertResult[][] } {
  const results: UpsertResult[][] = groups.map((g) => new Array<UpsertResult>(g.records.length))
  const chunks: Array<{ group: number; positions: number[] }> = []
  for (const [g, group] of groups.entries()) {
    const mine: Array<{ positions: number[] }> = []
    const lastChunkOf = new Map<string, number>()
    let open = 0
    for (const [r, record] of group.records.entries()) {
      const key = (record as Record<string, unknown>)[group.externalIdField]
      if (typeof key !== 'string' || key === '') {
        results[g]![r] = { ok: false, error: connectorError('business', 'MISSING_ARGUMENT', `${group.externalIdField} not specified`) }
        continue
      }
      while (mine[open] && mine[open]!.positions.length >= COLLECTION_SIZE) open++
      let c = Math.max(open, (lastChunkOf.get(key) ?? -1) + 1)
      while (mine[c] && mine[c]!.positions.length >= COLLECTION_SIZE) c++
      mine[c] ??= { positions: [] }
      mine[c]!.positions.push(r)
      lastChunkOf.set(key, c)
    }
    for (const chunk of mine) chunks.push({ group: g, positions: chunk.positions })
  }
  const ops = chunks.map(({ group: g, positions }): CompositeOp<UpsertResult[]> => {
    const group = groups[g] as UpsertGroup
    const byId = group.externalIdField === 'Id'
    return {
      size: 1,
      heavy: 1,
      build: (prefix, dataPath) => [
        byId
          ? {
              method: 'PATCH',
              url: dataPath('/composite/sobjects'),
              referenceId: `${prefix}c`,
              body: { allOrNone: false, records: positions.map((r) => withRecordId(group.object, group.records[r] as Record<string, unknown>)) },
            }
          : {
              method: 'PATCH',
              url: dataPath(`/composite/sobjects/${group.object}/${group.externalIdField}`),
              referenceId: `${prefix}c`,
              body: { allOrNone: false, records: positions.map((r) => sobject(group.object, group.records[r] as never)) },
            },
      ],
      read: ([response]) => {
        const r = response as SubResponse
        if (r.httpStatusCode >= 300 || !Array.isArray(r.body)) return positions.map(() => ({ ok: false, error: subrequestError(r) }))
        if (r.body.length !== positions.length) {
          return positions.map(() => ({ ok: false, error: connectorError('transient', 'unexpected_response', 'a collection answered a different number of results') }))
        }
        return r.body.map(recordResult)
      },
      fail: (error) => positions.map(() => ({ ok: false, error })),
    }
  })
  return {
    ops,
    assemble(chunkResults) {
      chunkResults.forEach((rs, n) => {
        const { group, positions } = chunks[n] as { group: number; positions: number[] }
        positions.forEach((pos, k) => (results[group]![pos] = rs[k] as UpsertResult))
      })
      return results
    },
  }
}

/** A record for sObject Collections update: `attributes.type` and `id`, then its fields. */
function withRecordId(type: string, record: Record<string, unknown>): Record<string, unknown> {
  const { Id, ...fields } = record
  return { attributes: { type }, id: Id, ...fields }
}

/** One light subrequest per event (`POST /sobjects/{Event__e}`), so they ride along with collections. */
export function eventOps(events: readonly EventPublish[]): CompositeOp<PublishResult>[] {
  return events.map((e) => ({
    size: 1,
    heavy: 0,
    build: (prefix, dataPath) => [{ method: 'POST', url: dataPath(`/sobjects/${e.event}`), referenceId: `${prefix}e`, body: e.fields }],
    read: ([response]) => {
      const r = response as SubResponse
      const body = r.body as { success?: unknown; errors?: unknown } | undefined
      if (r.httpStatusCode < 300 && body?.success === true) {
        const enqueued = errorItems(body.errors).find((i) => i.code === 'OPERATION_ENQUEUED')
        return { ok: true, eventUuid: enqueued?.message }
      }
      return { ok: false, error: r.httpStatusCode < 300 ? recordFailure(body) : subrequestError(r) }
    },
    fail: (error) => ({ ok: false, error }),
  }))
}

function recordFailure(body: unknown): ConnectorError {
  const result = recordResult(body)
  return result.ok ? connectorError('transient', 'unexpected_response', 'publish answered without success') : result.error
}
