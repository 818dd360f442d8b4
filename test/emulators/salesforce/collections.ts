import { recordError, SalesforceApiError } from './errors.ts'
import type { Org } from './org.ts'
import type { Tx } from './store.ts'
import {
  failed,
  resolveTarget,
  writeRecord,
  type PreparedWrite,
  type SaveResult,
} from './upsert.ts'
import { parseRecord } from './validate.ts'
import { asText } from '../common/text.ts'

const ROLLED_BACK = recordError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
)

/**
 * A collection request's body: `records` (at most 200) and `allOrNone`.
 * @throws SalesforceApiError 400 as Salesforce answers a missing or oversized `records`.
 */
function collectionBody(body: unknown): { allOrNone?: unknown; records: unknown[] } {
  const input = (body ?? {}) as { allOrNone?: unknown; records?: unknown }
  if (!Array.isArray(input.records))
    throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Required field records is missing')
  if (input.records.length > 200) {
    throw new SalesforceApiError(
      400,
      'EXCEEDED_ID_LIMIT',
      'record limit reached. cannot submit more than 200 records into this call',
    )
  }
  return { allOrNone: input.allOrNone, records: input.records }
}

/**
 * sObject Collections upsert: up to 200 records of one type, processed in order, one result
 * each in the same order; with `allOrNone` any failure rolls every record back.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-upsert.html
 * @throws SalesforceApiError for a malformed request (the whole request fails with 400).
 */
export function upsertCollection(
  org: Org,
  tx: Tx,
  sobject: string,
  keyFieldName: string,
  body: unknown,
  userId: string,
  forceAllOrNone = false,
): { results: SaveResult[]; failed: boolean } {
  const { obj, key } = resolveTarget(org, sobject, keyFieldName)
  const input = collectionBody(body)
  const writes: PreparedWrite[] = input.records.map((raw: unknown) => {
    const rec = (raw ?? {}) as Record<string, unknown>
    const type = (rec.attributes as { type?: unknown } | undefined)?.type
    if (typeof type !== 'string')
      throw new SalesforceApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.')
    if (type.toLowerCase() !== obj.name.toLowerCase()) {
      throw new SalesforceApiError(
        400,
        'INVALID_TYPE',
        `Records of type ${type} can't be upserted into ${obj.name}: a collection holds one type.`,
      )
    }
    const keyValue = Object.entries(rec).find(
      ([k]) => k.toLowerCase() === key.name.toLowerCase(),
    )?.[1]
    return {
      parsed: parseRecord(org.catalog, obj, rec),
      key: keyValue === undefined || keyValue === null ? undefined : asText(keyValue),
    }
  })
  const seen = new Map<string, number>()
  for (const w of writes) if (w.key) seen.set(w.key, (seen.get(w.key) ?? 0) + 1)
  const allOrNone = forceAllOrNone || input.allOrNone === true
  const mark = tx.undo.length
  const effectsMark = tx.effects.length
  const results = writes.map((w) =>
    w.key && (seen.get(w.key) ?? 0) > 1
      ? failed(
          recordError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${w.key}`, [
            key.name,
          ]),
        )
      : writeRecord(org, tx, obj, key, w, userId),
  )
  const anyFailed = results.some((r) => !r.success)
  if (!allOrNone || !anyFailed) return { results, failed: anyFailed }
  for (const step of tx.undo.splice(mark).reverse()) step()
  tx.effects.length = effectsMark
  return { results: results.map((r) => (r.success ? failed(ROLLED_BACK) : r)), failed: true }
}

/** Parses a create or update collection's records: each names its own type; `id` is split off. */
function typedRecords(org: Org, body: unknown) {
  return collectionBody(body).records.map((raw: unknown) => {
    const { id, Id, ...rec } = (raw ?? {}) as Record<string, unknown>
    const type = (rec.attributes as { type?: unknown } | undefined)?.type
    const obj = typeof type === 'string' ? org.catalog.get(type) : undefined
    if (!obj || obj.kind === 'PlatformEvent')
      throw new SalesforceApiError(400, 'INVALID_TYPE', 'Must send a concrete entity type.')
    const key = id ?? Id
    return {
      obj,
      id: typeof key === 'string' ? key : undefined,
      parsed: parseRecord(org.catalog, obj, rec),
    }
  })
}

/** Runs a create or update collection's writes in order, all-or-none when asked. */
function runWrites(
  org: Org,
  tx: Tx,
  allOrNone: boolean,
  writes: Array<() => SaveResult>,
): { results: SaveResult[]; failed: boolean } {
  const mark = tx.undo.length
  const effectsMark = tx.effects.length
  const results = writes.map((write) => write())
  const anyFailed = results.some((r) => !r.success)
  if (!allOrNone || !anyFailed)
    return { results: results.map(({ created: _, ...r }) => r), failed: anyFailed }
  for (const step of tx.undo.splice(mark).reverse()) step()
  tx.effects.length = effectsMark
  return { results: results.map((r) => (r.success ? failed(ROLLED_BACK) : r)), failed: true }
}

/**
 * sObject Collections update: up to 200 records by `id`, types may differ, processed in order,
 * one SaveResult each; with `allOrNone` any failure rolls every record back. (Collections
 * upsert takes external ids only — "Don't use record ids" — so this is how records are updated
 * by Id, e.g. Account fields.)
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-update.html
 * @throws SalesforceApiError for a malformed request (the whole request fails with 400).
 */
export function updateCollection(
  org: Org,
  tx: Tx,
  body: unknown,
  userId: string,
  forceAllOrNone = false,
): { results: SaveResult[]; failed: boolean } {
  const allOrNone = forceAllOrNone || (body as { allOrNone?: unknown } | null)?.allOrNone === true
  const writes = typedRecords(org, body).map(
    ({ obj, id, parsed }) =>
      () =>
        id
          ? writeRecord(org, tx, obj, obj.fields.get('id'), { parsed, key: id }, userId)
          : failed(recordError('MISSING_ARGUMENT', 'Id not specified in an update call', [])),
  )
  return runWrites(org, tx, allOrNone, writes)
}

/**
 * sObject Collections create: up to 200 records, types may differ, created in order, one
 * SaveResult each (`{id, success, errors}`, no `created`). A record may not carry an id. A
 * value another record holds in a unique field (an external id) fails that record with
 * DUPLICATE_VALUE and leaves the holder as it is; with `allOrNone` any failure rolls every
 * record back.
 * https://developer.salesforce.com/docs/platform/api-rest/guide/resources-composite-sobjects-collections-create.html
 * @throws SalesforceApiError for a malformed request (the whole request fails with 400).
 */
export function createCollection(
  org: Org,
  tx: Tx,
  body: unknown,
  userId: string,
  forceAllOrNone = false,
): { results: SaveResult[]; failed: boolean } {
  const allOrNone = forceAllOrNone || (body as { allOrNone?: unknown } | null)?.allOrNone === true
  const writes = typedRecords(org, body).map(
    ({ obj, id, parsed }) =>
      () =>
        id === undefined
          ? writeRecord(org, tx, obj, undefined, { parsed }, userId)
          : failed(
              recordError(
                'INVALID_FIELD_FOR_INSERT_UPDATE',
                'cannot specify Id in an insert call',
                ['Id'],
              ),
            ),
  )
  return runWrites(org, tx, allOrNone, writes)
}
