import {
  subrequestError,
  type CompositeOp,
  type SubResponse,
  type Subrequest,
} from './composite.ts'
import { chunk } from '../../lib/chunk.ts'
import type { ConnectorError } from '../../failure/errors.ts'
import { connectorError, errorFromItem, errorItems } from './errors.ts'
import {
  isUpsertKey,
  isWritableObject,
  sobject,
  type ExternalIdField,
  type PlatformEventName,
  type SObjectFields,
  type WritableObject,
} from './sobject.ts'

/*
 * sObject Collections as Composite operations: upserts by external id (≤ 200 records of one
 * type), updates by record id, and platform event publishes.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
 */

/** Records per sObject Collection: the most Salesforce takes in one. */
export const COLLECTION_SIZE = 200

/**
 * One object's records upserted by one of its external id fields. `Id` makes it an update of existing records by record id (sObject Collections
 * update, `PATCH /composite/sobjects`): Collections upsert takes external ids only ("Don't use
 * record ids"), and Account has none.
 */
export type UpsertGroupOf<O extends WritableObject> = {
  object: O
  externalIdField: ExternalIdField<O> | 'Id'
  records: readonly SObjectFields<O>[]
}
export type UpsertGroup = { [O in WritableObject]: UpsertGroupOf<O> }[WritableObject]

/** A group as storage or RPC hands it over: names not yet checked against the schema. */
export interface UntypedGroup {
  object: string
  externalIdField: string
  records: readonly Record<string, unknown>[]
}

/**
 * Whether a group names a declared object and one of its upsert keys: how stored records become
 * a typed group without a cast. Field names and values are Salesforce's to check, record by
 * record (an unknown field fails only its own record, with INVALID_FIELD).
 */
export function isUpsertGroup(group: UntypedGroup): group is UpsertGroup {
  return isWritableObject(group.object) && isUpsertKey(group.object, group.externalIdField)
}

/** One record's upsert result: `created` false means an existing record was updated. */
export type UpsertResult =
  { ok: true; id: string; created: boolean } | { ok: false; error: ConnectorError }

export type EventPublish = {
  [E in PlatformEventName]: { event: E; fields: SObjectFields<E> }
}[PlatformEventName]
/** `eventUuid` comes from the `OPERATION_ENQUEUED` item Salesforce answers a publish with. */
export type PublishResult = { ok: true; eventUuid?: string } | { ok: false; error: ConnectorError }

/** One record's result from a SaveResult/UpsertResult (`{id, success, errors, created}`). */
export function recordResult(raw: unknown): UpsertResult {
  const r = (raw ?? {}) as { id?: unknown; success?: unknown; errors?: unknown; created?: unknown }
  if (r.success === true && typeof r.id === 'string')
    return { ok: true, id: r.id, created: r.created === true }
  const [first, ...more] = errorItems(r.errors)
  if (!first)
    return {
      ok: false,
      error: connectorError('transient', 'unexpected_response', 'a record failed without an error'),
    }
  const error = errorFromItem(
    more.length > 0
      ? { ...first, message: [first, ...more].map((e) => `${e.code}: ${e.message}`).join('; ') }
      : first,
  )
  return { ok: false, error }
}

type Chunk = { group: number; positions: number[] }

/**
 * Splits groups into collections (the one chunker, `COLLECTION_SIZE`, no key twice in one
 * collection); a record without its key fails on its own with `MISSING_ARGUMENT`.
 */
function collectionChunks(groups: readonly UpsertGroup[], results: UpsertResult[][]): Chunk[] {
  return groups.flatMap((group, g) => {
    const keyOf = (r: number): unknown =>
      (group.records[r] as Record<string, unknown>)[group.externalIdField]
    const keyed = group.records.flatMap((_, r) => {
      const key = keyOf(r)
      if (typeof key === 'string' && key !== '') return [r]
      results[g]![r] = {
        ok: false,
        error: connectorError(
          'business',
          'MISSING_ARGUMENT',
          `${group.externalIdField} not specified`,
        ),
      }
      return []
    })
    return chunk(keyed, COLLECTION_SIZE, (r) => String(keyOf(r))).map((positions) => ({
      group: g,
      positions,
    }))
  })
}

/** The collection subrequest for some of a group's records: update by Id, or upsert. */
function collectionRequest(
  group: UpsertGroup,
  positions: readonly number[],
  referenceId: string,
  dataPath: (path: string) => string,
): Subrequest {
  const records = positions.map((r) => group.records[r] as Record<string, unknown>)
  if (group.externalIdField === 'Id')
    return {
      method: 'PATCH',
      url: dataPath('/composite/sobjects'),
      referenceId,
      body: { allOrNone: false, records: records.map((r) => withRecordId(group.object, r)) },
    }
  return {
    method: 'PATCH',
    url: dataPath(`/composite/sobjects/${group.object}/${group.externalIdField}`),
    referenceId,
    body: { allOrNone: false, records: records.map((r) => sobject(group.object, r)) },
  }
}

/** A collection's per-record results, in the order of its records. */
function readCollection(r: SubResponse, count: number): UpsertResult[] {
  if (r.httpStatusCode >= 300 || !Array.isArray(r.body))
    return Array.from({ length: count }, () => ({ ok: false, error: subrequestError(r) }))
  if (r.body.length !== count) {
    const error = connectorError(
      'transient',
      'unexpected_response',
      'a collection answered a different number of results',
    )
    return Array.from({ length: count }, () => ({ ok: false, error }))
  }
  return r.body.map(recordResult)
}

/**
 * Splits groups into collections of ≤ 200 records with distinct keys (Salesforce refuses a
 * repeated key in one collection), placing a repeated key in a later collection so writes land
 * in input order; `assemble` maps the collections' results back to input positions.
 */
export function upsertOps(groups: readonly UpsertGroup[]): {
  ops: CompositeOp<UpsertResult[]>[]
  assemble(chunks: UpsertResult[][]): UpsertResult[][]
} {
  const results: UpsertResult[][] = groups.map((g) => new Array<UpsertResult>(g.records.length))
  const chunks = collectionChunks(groups, results)
  const ops = chunks.map(({ group: g, positions }): CompositeOp<UpsertResult[]> => {
    const group = groups[g] as UpsertGroup
    return {
      size: 1,
      heavy: 1,
      build: (prefix, dataPath) => [collectionRequest(group, positions, `${prefix}c`, dataPath)],
      read: ([response]) => readCollection(response as SubResponse, positions.length),
      fail: (error) => positions.map(() => ({ ok: false, error })),
    }
  })
  return {
    ops,
    assemble(chunkResults) {
      chunkResults.forEach((rs, n) => {
        const { group, positions } = chunks[n] as Chunk
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
    build: (prefix, dataPath) => [
      {
        method: 'POST',
        url: dataPath(`/sobjects/${e.event}`),
        referenceId: `${prefix}e`,
        body: e.fields,
      },
    ],
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
  return result.ok
    ? connectorError('transient', 'unexpected_response', 'publish answered without success')
    : result.error
}
