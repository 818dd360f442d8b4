import type { ConnectorError } from '../../failure/errors.ts'
import { subrequestError, type CompositeOp, type SubResponse } from './composite.ts'
import { connectorError, errorFromItem, errorItems } from './errors.ts'
import {
  sobject,
  type ExternalIdField,
  type PlatformEventName,
  type SObjectFields,
  type WritableObject,
} from './records.ts'

/*
 * sObject Collections as Composite operations: upserts by external id (≤ 200 records of one
 * type), updates by record id, and platform event publishes.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
 */

export const COLLECTION_SIZE = 200

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
  const chunks: Array<{ group: number; positions: number[] }> = []
  for (const [g, group] of groups.entries()) {
    const mine: Array<{ positions: number[] }> = []
    const lastChunkOf = new Map<string, number>()
    let open = 0
    for (const [r, record] of group.records.entries()) {
      const key = (record as Record<string, unknown>)[group.externalIdField]
      if (typeof key !== 'string' || key === '') {
        results[g]![r] = {
          ok: false,
          error: connectorError(
            'business',
            'MISSING_ARGUMENT',
            `${group.externalIdField} not specified`,
          ),
        }
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
              body: {
                allOrNone: false,
                records: positions.map((r) =>
                  withRecordId(group.object, group.records[r] as Record<string, unknown>),
                ),
              },
            }
          : {
              method: 'PATCH',
              url: dataPath(`/composite/sobjects/${group.object}/${group.externalIdField}`),
              referenceId: `${prefix}c`,
              body: {
                allOrNone: false,
                records: positions.map((r) => sobject(group.object, group.records[r] as never)),
              },
            },
      ],
      read: ([response]) => {
        const r = response as SubResponse
        if (r.httpStatusCode >= 300 || !Array.isArray(r.body))
          return positions.map(() => ({ ok: false, error: subrequestError(r) }))
        if (r.body.length !== positions.length) {
          return positions.map(() => ({
            ok: false,
            error: connectorError(
              'transient',
              'unexpected_response',
              'a collection answered a different number of results',
            ),
          }))
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
