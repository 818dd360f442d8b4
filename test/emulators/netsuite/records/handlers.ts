import type { Effects } from '../../common/effects.ts'
import type { EmuRequest, EmuResponse, Router } from '../../common/router.ts'
import { NetsuiteError } from '../errors.ts'
import type { Fields, NsRecord } from '../store.ts'
import type { RecordContext, RecordDef } from './model.ts'
import { recordDef } from './registry.ts'
import { recordUrl, serializeRecord, serializeSublist } from './serialize.ts'
import { transformBody } from './transform.ts'
import { applyBody, draftOf, sameContent } from './write.ts'

export interface RecordRouteDeps {
  ctx: RecordContext
  effects: Effects
  /** Scheme + host the client used, for `Location` and `links`. */
  baseUrl(req: EmuRequest): string
  /** Concurrency slot + authentication around every record request. */
  guard(req: EmuRequest, work: () => EmuResponse): Promise<EmuResponse>
}

const ROOT = '/services/rest/record/v1'
const SINGULAR = { 'content-type': 'application/vnd.oracle.resource+json; type=singular' }

/** "An external ID can be any string containing letters, numbers, underscore (_), and hyphen (-)."
 * https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156334828635.html */
const EID = /^[A-Za-z0-9_-]+$/

function typeOf(req: EmuRequest): RecordDef {
  const def = recordDef(req.params.type ?? '')
  if (!def)
    throw new NetsuiteError(
      404,
      'INVALID_RCRD_TYPE',
      `Record type '${req.params.type}' does not exist.`,
      { 'o:urlPath': req.params.type },
    )
  return def
}

/** `123` or `eid:ABC`; the eid form is checked for NetSuite's allowed characters. */
function parseId(raw: string): { id: number } | { eid: string } {
  if (raw.startsWith('eid:')) {
    const eid = raw.slice(4)
    if (!EID.test(eid)) {
      throw new NetsuiteError(
        400,
        'INVALID_ID',
        `Invalid external ID '${eid}'. An external ID can contain only letters, numbers, underscore (_), and hyphen (-).`,
        { 'o:urlPath': raw },
      )
    }
    return { eid }
  }
  if (/^\d+$/.test(raw)) return { id: Number(raw) }
  throw new NetsuiteError(400, 'INVALID_ID', `Invalid record instance ID '${raw}'.`, {
    'o:urlPath': raw,
  })
}

function find(deps: RecordRouteDeps, def: RecordDef, raw: string): NsRecord | undefined {
  const key = parseId(raw)
  return 'eid' in key
    ? deps.ctx.store.byExternalId(def.id, key.eid)
    : deps.ctx.store.get(def.id, key.id)
}

const notFound = () =>
  new NetsuiteError(
    404,
    'NONEXISTENT_ID',
    'The record instance does not exist. Provide a valid record instance ID.',
  )

function parseBody(req: EmuRequest): unknown {
  try {
    return JSON.parse(req.rawBody)
  } catch {
    throw new NetsuiteError(400, 'INVALID_CONTENT', 'The request body is not valid JSON.')
  }
}

function writable(def: RecordDef): void {
  if (def.readOnly)
    throw new NetsuiteError(
      405,
      'INVALID_REQUEST',
      `The emulator serves '${def.id}' read-only; seed it through /__control/netsuite/seed.`,
    )
}

/**
 * The correlation id a write carries: a `*_concord_correlation_id` custom field, else
 * `correlationId=<id>` in the memo, else a memo that is a single id-like token.
 */
export function correlationOf(fields: Fields): string | undefined {
  for (const [key, value] of Object.entries(fields)) {
    if (key.endsWith('_concord_correlation_id') && typeof value === 'string' && value) return value
  }
  const memo = typeof fields.memo === 'string' ? fields.memo.trim() : ''
  const tagged = /correlation[ _-]?id\s*[:=]\s*([\w.:-]+)/i.exec(memo)
  if (tagged) return tagged[1]
  return /^[\w.:-]{1,64}$/.test(memo) ? memo : undefined
}

function replaceSet(req: EmuRequest): Set<string> {
  return new Set(
    (req.query.get('replace') ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )
}

/** Saves `body` into `existing` (update) or a new record, records the effect, answers 204. */
function save(
  deps: RecordRouteDeps,
  req: EmuRequest,
  def: RecordDef,
  existing: NsRecord | undefined,
  urlEid: string | undefined,
  op: 'upsert' | 'create' | 'update',
  body: unknown = parseBody(req),
): EmuResponse {
  const { store } = deps.ctx
  const next = applyBody(def, existing, body, replaceSet(req), deps.ctx)
  if (urlEid !== undefined) {
    if (next.externalId !== undefined && next.externalId !== urlEid) {
      throw new NetsuiteError(
        400,
        'INVALID_CONTENT',
        'The externalId in the body does not match the external ID in the URL.',
        { 'o:errorPath': 'externalId' },
      )
    }
    next.externalId = urlEid
  }
  const holder =
    next.externalId === undefined ? undefined : store.byExternalId(def.id, next.externalId)
  if (holder && holder !== existing) {
    throw new NetsuiteError(
      400,
      'DUP_RCRD',
      `A ${def.label.toLowerCase()} record with the external ID '${next.externalId}' already exists.`,
      { 'o:errorPath': 'externalId' },
    )
  }
  let record: NsRecord
  let kind: string
  if (existing) {
    const before = draftOf(existing)
    record = existing
    const changed = !sameContent(def, before, next)
    kind = !changed ? `${op}.noop` : op === 'upsert' ? 'upsert.update' : 'update'
    if (changed) {
      store.update(existing, next)
      def.afterWrite?.(existing, before, deps.ctx)
    }
  } else {
    record = store.insert({
      type: def.id,
      externalId: next.externalId,
      fields: next.fields,
      lines: next.lines,
    })
    def.afterWrite?.(record, undefined, deps.ctx)
    kind = op === 'upsert' ? 'upsert.create' : 'create'
  }
  deps.effects.record(
    `${def.id}.${kind}`,
    `${def.id}:${record.externalId ?? `#${record.id}`}`,
    correlationOf(record.fields),
    {
      id: record.id,
      externalId: record.externalId,
    },
  )
  return { status: 204, headers: { location: recordUrl(deps.baseUrl(req), def, record) } }
}

/** Registers `/services/rest/record/v1/...`: POST create, PUT upsert by eid, PATCH, GET. */
export function registerRecordRoutes(router: Router, deps: RecordRouteDeps): void {
  router.on('POST', `${ROOT}/:type`, (req) =>
    deps.guard(req, () => {
      const def = typeOf(req)
      writable(def)
      return save(deps, req, def, undefined, undefined, 'create')
    }),
  )
  router.on('POST', `${ROOT}/:type/:id/!transform/:target`, (req) =>
    deps.guard(req, () => {
      const source = find(deps, typeOf(req), req.params.id ?? '')
      if (!source) throw notFound()
      const target = recordDef(req.params.target ?? '')
      if (!target) throw notFound()
      const overrides = req.rawBody.trim() ? parseBody(req) : {}
      if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
        throw new NetsuiteError(400, 'INVALID_CONTENT', 'The request body must be a JSON object.')
      const body = transformBody(deps.ctx, source, target.id, overrides as Record<string, unknown>)
      return save(deps, req, target, undefined, undefined, 'create', body)
    }),
  )
  router.on('PUT', `${ROOT}/:type/:id`, (req) =>
    deps.guard(req, () => {
      const def = typeOf(req)
      writable(def)
      const key = parseId(req.params.id ?? '')
      if (!('eid' in key)) {
        throw new NetsuiteError(
          405,
          'INVALID_REQUEST',
          'PUT is the upsert operation and needs an external ID in the URL (eid:<value>).',
        )
      }
      return save(deps, req, def, deps.ctx.store.byExternalId(def.id, key.eid), key.eid, 'upsert')
    }),
  )
  router.on('PATCH', `${ROOT}/:type/:id`, (req) =>
    deps.guard(req, () => {
      const def = typeOf(req)
      writable(def)
      const existing = find(deps, def, req.params.id ?? '')
      if (!existing) throw notFound()
      return save(deps, req, def, existing, undefined, 'update')
    }),
  )
  router.on('GET', `${ROOT}/:type/:id`, (req) =>
    deps.guard(req, () => {
      const def = typeOf(req)
      const record = find(deps, def, req.params.id ?? '')
      if (!record) throw notFound()
      const expand = req.query.get('expandSubResources') === 'true'
      return {
        status: 200,
        headers: SINGULAR,
        body: serializeRecord(def, record, deps.ctx, deps.baseUrl(req), expand),
      }
    }),
  )
  router.on('GET', `${ROOT}/:type/:id/:sublist`, (req) =>
    deps.guard(req, () => {
      const def = typeOf(req)
      const record = find(deps, def, req.params.id ?? '')
      const name = Object.keys(def.sublists).find(
        (s) => s.toLowerCase() === req.params.sublist?.toLowerCase(),
      )
      if (!record || !name) throw notFound()
      const lines = def.deriveLines?.(record, deps.ctx)[name] ?? record.lines[name] ?? []
      return {
        status: 200,
        body: serializeSublist(def, record, name, lines, deps.ctx, deps.baseUrl(req)),
      }
    }),
  )
}
