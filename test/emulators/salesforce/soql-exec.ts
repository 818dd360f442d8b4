import type { FieldDescribe, ObjectDescribe } from './catalog.ts'
import { SalesforceApiError } from './errors.ts'
import { toId18 } from './ids.ts'
import type { Org } from './org.ts'
import type { Condition, Literal, SoqlQuery } from './soql-parser.ts'
import type { SfRecord } from './store.ts'
import { asText } from '../common/text.ts'

/** A resolved SELECT/WHERE/ORDER BY path: a field of the object, or of its parent. */
interface FieldPath {
  relationship?: { name: string; lookup: FieldDescribe; target: ObjectDescribe }
  field: FieldDescribe
}

const STRINGISH = new Set(['Text', 'TextArea', 'LongTextArea', 'Url', 'Picklist'])

function noSuchColumn(path: string, obj: ObjectDescribe): SalesforceApiError {
  return new SalesforceApiError(
    400,
    'INVALID_FIELD',
    `No such column '${path}' on entity '${obj.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
  )
}

function resolvePath(org: Org, obj: ObjectDescribe, path: string): FieldPath {
  const parts = path.split('.')
  if (parts.length === 1) {
    const field = obj.fields.get(path.toLowerCase())
    if (!field) throw noSuchColumn(path, obj)
    return { field }
  }
  const [relName = '', fieldName = ''] = parts
  const lookup = obj.relationships.get(relName.toLowerCase())
  const target = lookup
    ? org.catalog.get((lookup.def as { referenceTo: string }).referenceTo)
    : undefined
  if (parts.length !== 2 || !lookup || !target) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `Didn't understand relationship '${relName}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
    )
  }
  const field = target.fields.get(fieldName.toLowerCase())
  if (!field) throw noSuchColumn(fieldName, target)
  return { relationship: { name: lookup.relationshipName ?? relName, lookup, target }, field }
}

function valueAt(org: Org, rec: SfRecord, path: FieldPath): unknown {
  if (!path.relationship) return rec.values[path.field.name]
  const parentId = rec.values[path.relationship.lookup.name]
  const parent = typeof parentId === 'string' ? org.store.get(parentId) : undefined
  return parent ? parent.values[path.field.name] : null
}

/** Brings a stored value and a literal to one comparable form, by the field's type. */
function comparable(field: FieldDescribe, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null
  const t = field.def.type
  if (t === 'Id' || t === 'Lookup') return toId18(asText(v)) ?? asText(v).toLowerCase()
  if (t === 'DateTime')
    return typeof v === 'number' ? v : Date.parse(asText(v).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  if (STRINGISH.has(t)) return asText(v).toLowerCase()
  return v as string | number | boolean
}

function literalValue(field: FieldDescribe, lit: Literal): unknown {
  const t = field.def.type
  const quoted = lit.kind === 'string'
  if (
    (t === 'Number' || t === 'Currency' || t === 'Date' || t === 'DateTime' || t === 'Checkbox') &&
    quoted
  ) {
    const type = {
      Number: 'double',
      Currency: 'currency',
      Date: 'date',
      DateTime: 'dateTime',
      Checkbox: 'boolean',
    }[t]
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `value of filter criterion for field '${field.name}' must be of type ${type} and should not be enclosed in quotes`,
    )
  }
  if (lit.kind === 'null') return null
  return lit.value
}

function likeMatcher(pattern: string): RegExp {
  let source = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? ''
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) source += pattern[++i]
    else if (c === '%') source += '.*'
    else if (c === '_') source += '.'
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'is')
}

function matches(org: Org, obj: ObjectDescribe, rec: SfRecord, cond: Condition): boolean {
  switch (cond.op) {
    case 'and':
      return cond.items.every((c) => matches(org, obj, rec, c))
    case 'or':
      return cond.items.some((c) => matches(org, obj, rec, c))
    case 'not':
      return !matches(org, obj, rec, cond.item)
    case 'in': {
      const path = resolvePath(org, obj, cond.field)
      const actual = comparable(path.field, valueAt(org, rec, path))
      const hit = cond.values.some(
        (l) => comparable(path.field, literalValue(path.field, l)) === actual,
      )
      return cond.negate ? !hit : hit
    }
    case 'cmp': {
      const path = resolvePath(org, obj, cond.field)
      const raw = valueAt(org, rec, path)
      if (cond.cmp === 'like')
        return (
          raw !== null &&
          cond.value.kind === 'string' &&
          likeMatcher(cond.value.value).test(asText(raw))
        )
      const actual = comparable(path.field, raw)
      const expected = comparable(path.field, literalValue(path.field, cond.value))
      if (cond.cmp === '=') return actual === expected
      if (cond.cmp === '!=') return actual !== expected
      if (actual === null || expected === null) return false
      if (cond.cmp === '<') return actual < expected
      if (cond.cmp === '<=') return actual <= expected
      if (cond.cmp === '>') return actual > expected
      return actual >= expected
    }
  }
}

function attributes(org: Org, rec: SfRecord, version: string) {
  return { type: rec.type, url: `/services/data/v${version}/sobjects/${rec.type}/${rec.Id}` }
}

function project(
  org: Org,
  rec: SfRecord,
  paths: FieldPath[],
  version: string,
): Record<string, unknown> {
  const row: Record<string, unknown> = { attributes: attributes(org, rec, version) }
  for (const path of paths) {
    if (!path.relationship) {
      row[path.field.name] = rec.values[path.field.name] ?? null
      continue
    }
    const rel = path.relationship
    const parentId = rec.values[rel.lookup.name]
    const parent = typeof parentId === 'string' ? org.store.get(parentId) : undefined
    if (!parent) {
      row[rel.name] = null
      continue
    }
    const nested = (row[rel.name] ??= { attributes: attributes(org, parent, version) }) as Record<
      string,
      unknown
    >
    nested[path.field.name] = parent.values[path.field.name] ?? null
  }
  return row
}

/**
 * Runs a parsed query against the store: the matched rows, projected as REST returns them
 * (`attributes` first, canonical field names, parent fields nested under the relationship).
 * @throws SalesforceApiError INVALID_TYPE / INVALID_FIELD / NUMBER_OUTSIDE_VALID_RANGE.
 */
export function runSoql(
  org: Org,
  query: SoqlQuery,
  version: string,
): { count: number; rows: Record<string, unknown>[] } {
  const obj = org.catalog.get(query.object)
  if (!obj || obj.kind === 'PlatformEvent') {
    throw new SalesforceApiError(
      400,
      'INVALID_TYPE',
      `sObject type '${query.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    )
  }
  if ((query.offset ?? 0) > 2000)
    throw new SalesforceApiError(
      400,
      'NUMBER_OUTSIDE_VALID_RANGE',
      'Maximum SOQL offset allowed is 2000',
    )
  const paths = query.fields === 'count' ? [] : query.fields.map((f) => resolvePath(org, obj, f))
  const order = query.orderBy.map((k) => ({ ...k, path: resolvePath(org, obj, k.field) }))
  if (query.where) resolveAll(org, obj, query.where)
  let rows = [...org.store.table(obj.name).values()].filter(
    (r) => !query.where || matches(org, obj, r, query.where),
  )
  if (order.length > 0) {
    rows.sort((a, b) => {
      for (const k of order) {
        const x = comparable(k.path.field, valueAt(org, a, k.path))
        const y = comparable(k.path.field, valueAt(org, b, k.path))
        if (x === y) continue
        if (x === null || y === null) return (x === null) === !k.nullsLast ? -1 : 1
        return (x < y ? -1 : 1) * (k.desc ? -1 : 1)
      }
      return 0
    })
  }
  rows = rows.slice(
    query.offset ?? 0,
    query.limit === undefined ? undefined : (query.offset ?? 0) + query.limit,
  )
  if (query.fields === 'count') return { count: rows.length, rows: [] }
  return { count: rows.length, rows: rows.map((r) => project(org, r, paths, version)) }
}

/** Validates every field named in WHERE up front, so a bad field fails even on an empty table. */
function resolveAll(org: Org, obj: ObjectDescribe, cond: Condition): void {
  switch (cond.op) {
    case 'and':
    case 'or':
      return cond.items.forEach((c) => resolveAll(org, obj, c))
    case 'not':
      return resolveAll(org, obj, cond.item)
    case 'in':
      return cond.values.forEach((lit) =>
        literalValue(resolvePath(org, obj, cond.field).field, lit),
      )
    case 'cmp':
      literalValue(resolvePath(org, obj, cond.field).field, cond.value)
  }
}
