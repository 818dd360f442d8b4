import type { Line, NsRecord } from '../store.ts'
import { lineAmount } from './ar.ts'
import type { FieldDef, RecordContext, RecordDef } from './model.ts'
import { defOf } from './registry.ts'

/**
 * Records as REST returns them: HATEOAS `links`, ids as strings, references as
 * `{links, id, refName}` (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545142037.html),
 * enumerations as `{id, refName}`, datetimes in UTC ISO 8601 without fractions
 * (section_157305090645.html), and sublists as links unless `expandSubResources=true`
 * (section_1545141947.html).
 */

/** The REST record type in URLs for a stored record (items live under their subtype). */
export function restType(def: RecordDef, record?: NsRecord): string {
  if (def.id === 'item')
    return typeof record?.fields.itemType === 'string' ? record.fields.itemType : 'serviceSaleItem'
  return def.id
}

export function recordUrl(baseUrl: string, def: RecordDef, record: NsRecord): string {
  return `${baseUrl}/services/rest/record/v1/${restType(def, record)}/${record.id}`
}

const links = (href: string) => [{ rel: 'self', href }]

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function reference(type: string, value: unknown, ctx: RecordContext, baseUrl: string): unknown {
  const id = Number((value as { id: string }).id)
  const target = ctx.store.get(type, id)
  const def = defOf(type)
  if (!target) return { links: [], id: String(id) }
  return {
    links: links(recordUrl(baseUrl, def, target)),
    id: String(id),
    refName: def.refName(target),
  }
}

function render(
  def: FieldDef | undefined,
  value: unknown,
  ctx: RecordContext,
  baseUrl: string,
): unknown {
  if (def?.kind === 'ref') return reference(def.ref!, value, ctx, baseUrl)
  if (def?.kind === 'enum')
    return { id: value, refName: def.values?.[String(value)] ?? String(value) }
  return value
}

function renderLine(
  def: RecordDef,
  sublist: string,
  line: Line,
  ctx: RecordContext,
  base: string,
  self: string,
): Record<string, unknown> {
  const sub = def.sublists[sublist]!
  const out: Record<string, unknown> = {
    links: links(`${self}/${sublist}/${String(line[sub.key])}`),
  }
  for (const [name, value] of Object.entries(line))
    out[name] = render(sub.fields[name], value, ctx, base)
  if ('rate' in sub.fields) out.amount = lineAmount(line)
  return out
}

/** One record as `GET /record/v1/<type>/<id>` answers it. */
export function serializeRecord(
  def: RecordDef,
  record: NsRecord,
  ctx: RecordContext,
  baseUrl: string,
  expand: boolean,
): Record<string, unknown> {
  const self = recordUrl(baseUrl, def, record)
  const out: Record<string, unknown> = { links: links(self), id: String(record.id) }
  if (record.externalId !== undefined) out.externalId = record.externalId
  for (const [name, value] of Object.entries(record.fields))
    out[name] = render(def.fields[name], value, ctx, baseUrl)
  Object.assign(out, def.derive?.(record, ctx) ?? {})
  out[def.id === 'customer' ? 'dateCreated' : 'createdDate'] = isoSeconds(record.createdAt)
  out.lastModifiedDate = isoSeconds(record.lastModifiedAt)
  const lines = def.deriveLines?.(record, ctx) ?? record.lines
  for (const name of Object.keys(def.sublists)) {
    out[name] = expand
      ? serializeSublist(def, record, name, lines[name] ?? [], ctx, baseUrl)
      : { links: links(`${self}/${name}`) }
  }
  return out
}

/** A sublist as a collection resource (`GET …/<id>/<sublist>` or expanded inside the record). */
export function serializeSublist(
  def: RecordDef,
  record: NsRecord,
  name: string,
  lines: Line[],
  ctx: RecordContext,
  baseUrl: string,
): Record<string, unknown> {
  const self = recordUrl(baseUrl, def, record)
  const items = lines.map((line) => renderLine(def, name, line, ctx, baseUrl, self))
  return { links: links(`${self}/${name}`), items, totalResults: items.length }
}
