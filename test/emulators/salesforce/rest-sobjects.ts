import type { EmuResponse } from '../common/router.ts'
import { inTx, jsonBody, type ApiCtx, type ApiRoute } from './api.ts'
import type { ObjectDescribe } from './catalog.ts'
import { NOT_FOUND, SalesforceApiError, type RecordError } from './errors.ts'
import { publishEvent } from './publish.ts'
import type { SfRecord } from './store.ts'
import { createCollection, updateCollection, upsertCollection } from './collections.ts'
import { resolveTarget, writeRecord, type SaveResult } from './upsert.ts'
import { parseRecord } from './validate.ts'

/** A single-record DML failure is a request-level error list. */
function saveFailure(errors: RecordError[]): EmuResponse {
  return {
    status: 400,
    body: errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })),
  }
}

function objectOf(ctx: ApiCtx): ObjectDescribe {
  const obj = ctx.org.catalog.get(ctx.req.params.sobject ?? '')
  if (!obj) throw new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist')
  return obj
}

function bodyRecord(ctx: ApiCtx): Record<string, unknown> {
  const body = jsonBody(ctx.req)
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new SalesforceApiError(
      400,
      'JSON_PARSER_ERROR',
      'Cannot deserialize instance of SObject from START_ARRAY value [ or request may be missing a required field',
    )
  }
  return body as Record<string, unknown>
}

/** The record as `GET /sobjects/{type}/{id}` returns it: `attributes`, then its fields. */
export function recordJson(ctx: ApiCtx, obj: ObjectDescribe, rec: SfRecord): EmuResponse {
  const wanted = ctx.req.query
    .get('fields')
    ?.split(',')
    .map((f) => f.trim())
    .filter(Boolean)
  const out: Record<string, unknown> = {
    attributes: {
      type: obj.name,
      url: `/services/data/v${ctx.version}/sobjects/${obj.name}/${rec.Id}`,
    },
  }
  for (const name of wanted ?? [...obj.fields.values()].map((f) => f.name)) {
    const field = obj.fields.get(name.toLowerCase())
    if (!field)
      throw new SalesforceApiError(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on sobject of type ${obj.name}`,
      )
    out[field.name] = rec.values[field.name] ?? null
  }
  return { status: 200, body: out }
}

function describe(ctx: ApiCtx, obj: ObjectDescribe): EmuResponse {
  const fields = [...obj.fields.values()].map((f) => ({
    name: f.name,
    type: f.def.type,
    length: 'length' in f.def ? f.def.length : 0,
    precision: 'precision' in f.def ? f.def.precision : 0,
    scale: 'scale' in f.def ? f.def.scale : 0,
    createable: f.createable,
    updateable: f.updateable,
    externalId: f.externalId ?? false,
    referenceTo: 'referenceTo' in f.def ? [f.def.referenceTo] : [],
    relationshipName: f.relationshipName ?? null,
    picklistValues:
      'values' in f.def ? f.def.values.map((v) => ({ value: v, label: v, active: true })) : [],
  }))
  return {
    status: 200,
    body: { name: obj.name, keyPrefix: obj.keyPrefix, custom: obj.name.includes('__'), fields },
  }
}

function getRecord(ctx: ApiCtx): EmuResponse {
  const obj = objectOf(ctx)
  if (ctx.req.params.id === 'describe') return describe(ctx, obj)
  const rec = ctx.org.store.get(ctx.req.params.id ?? '')
  return rec && rec.type === obj.name ? recordJson(ctx, obj, rec) : NOT_FOUND
}

function getByExternalId(ctx: ApiCtx): EmuResponse {
  const { obj, key } = resolveTarget(
    ctx.org,
    ctx.req.params.sobject ?? '',
    ctx.req.params.field ?? '',
  )
  const rec = ctx.org.store.findBy(obj, key.name, ctx.req.params.value ?? '')
  return rec ? recordJson(ctx, obj, rec) : NOT_FOUND
}

/** `POST /sobjects/{type}`: create a record, or publish a platform event. */
function create(ctx: ApiCtx): EmuResponse {
  const obj = objectOf(ctx)
  const raw = bodyRecord(ctx)
  const result = inTx(ctx, (tx): SaveResult =>
    obj.kind === 'PlatformEvent'
      ? publishEvent(ctx.org, tx, obj, raw, ctx.session.userId, true)
      : writeRecord(
          ctx.org,
          tx,
          obj,
          undefined,
          { parsed: parseRecord(ctx.org.catalog, obj, raw) },
          ctx.session.userId,
        ),
  )
  if (!result.success) return saveFailure(result.errors)
  return { status: 201, body: { id: result.id, success: true, errors: result.errors } }
}

/** `PATCH /sobjects/{type}/{id}`: update by Id, 204 on success. */
function update(ctx: ApiCtx): EmuResponse {
  const obj = objectOf(ctx)
  const raw = bodyRecord(ctx)
  const rec = ctx.org.store.get(ctx.req.params.id ?? '')
  if (!rec || rec.type !== obj.name) return NOT_FOUND
  const idField = obj.fields.get('id')
  const result = inTx(ctx, (tx) =>
    writeRecord(
      ctx.org,
      tx,
      obj,
      idField,
      { parsed: parseRecord(ctx.org.catalog, obj, raw), key: rec.Id },
      ctx.session.userId,
    ),
  )
  return result.success ? { status: 204 } : saveFailure(result.errors)
}

/**
 * `PATCH /sobjects/{type}/{extIdField}/{value}`: upsert; 201 with `created: true` when it
 * inserted, 200 with `created: false` when it updated.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
 */
function upsert(ctx: ApiCtx): EmuResponse {
  const { obj, key } = resolveTarget(
    ctx.org,
    ctx.req.params.sobject ?? '',
    ctx.req.params.field ?? '',
  )
  const raw = bodyRecord(ctx)
  const write = { parsed: parseRecord(ctx.org.catalog, obj, raw), key: ctx.req.params.value ?? '' }
  const result = inTx(ctx, (tx) => writeRecord(ctx.org, tx, obj, key, write, ctx.session.userId))
  if (!result.success) return saveFailure(result.errors)
  return {
    status: result.created ? 201 : 200,
    body: { id: result.id, success: true, errors: [], created: result.created },
  }
}

function collectionUpsert(ctx: ApiCtx): EmuResponse {
  const body = jsonBody(ctx.req)
  const { results } = inTx(ctx, (tx) =>
    upsertCollection(
      ctx.org,
      tx,
      ctx.req.params.sobject ?? '',
      ctx.req.params.field ?? '',
      body,
      ctx.session.userId,
      ctx.forceAllOrNone,
    ),
  )
  return { status: 200, body: results }
}

function collectionCreate(ctx: ApiCtx): EmuResponse {
  const body = jsonBody(ctx.req)
  const { results } = inTx(ctx, (tx) =>
    createCollection(ctx.org, tx, body, ctx.session.userId, ctx.forceAllOrNone),
  )
  return { status: 200, body: results }
}

function collectionUpdate(ctx: ApiCtx): EmuResponse {
  const body = jsonBody(ctx.req)
  const { results } = inTx(ctx, (tx) =>
    updateCollection(ctx.org, tx, body, ctx.session.userId, ctx.forceAllOrNone),
  )
  return { status: 200, body: results }
}

/** sObject resources, sObject Collections upsert, create and update. */
export const SOBJECT_ROUTES: ApiRoute[] = [
  { method: 'GET', path: '/sobjects/:sobject/:id', handler: getRecord },
  { method: 'GET', path: '/sobjects/:sobject/:field/:value', handler: getByExternalId },
  { method: 'POST', path: '/sobjects/:sobject', handler: create },
  { method: 'PATCH', path: '/sobjects/:sobject/:id', handler: update },
  { method: 'PATCH', path: '/sobjects/:sobject/:field/:value', handler: upsert },
  {
    method: 'PATCH',
    path: '/composite/sobjects/:sobject/:field',
    handler: collectionUpsert,
    kind: 'collection',
  },
  { method: 'POST', path: '/composite/sobjects', handler: collectionCreate, kind: 'collection' },
  { method: 'PATCH', path: '/composite/sobjects', handler: collectionUpdate, kind: 'collection' },
]
