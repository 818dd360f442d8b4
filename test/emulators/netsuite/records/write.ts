import { NetsuiteError, type ErrorDetail } from '../errors.ts'
import type { Line, NsRecord } from '../store.ts'
import type { Draft, FieldDef, RecordContext, RecordDef, SublistDef } from './model.ts'

/**
 * Turns a request body into a record's next content: field names matched case-insensitively
 * (Oracle's own examples mix `companyname` and `companyName`), values type-checked, references
 * resolved, sublists merged by key, then defaults, required fields and the type's own rules.
 */

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const invalid = (detail: string, path?: string) =>
  new NetsuiteError(400, 'INVALID_CONTENT', detail, path ? { 'o:errorPath': path } : {})

const ALWAYS_READ_ONLY = [
  'id',
  'links',
  'refname',
  'createddate',
  'lastmodifieddate',
  'datecreated',
]

function findName<T>(defs: Record<string, T>, lower: string): string | undefined {
  return Object.keys(defs).find((name) => name.toLowerCase() === lower)
}

function normalizeRef(
  def: FieldDef,
  value: unknown,
  path: string,
  ctx: RecordContext,
): { id: string } {
  const raw = isObject(value) ? value.id : value
  const id =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN
  if (!Number.isInteger(id))
    throw invalid(
      `Invalid value for the field '${path}'. Provide a valid reference {"id": ...}.`,
      path,
    )
  if (!ctx.store.get(def.ref!, id)) {
    const detail: Partial<ErrorDetail> = { 'o:errorPath': path }
    throw new NetsuiteError(
      400,
      'INVALID_KEY_OR_REF',
      `Invalid ${path.split('.').pop()} reference key ${id}.`,
      detail,
    )
  }
  return { id: String(id) }
}

function normalize(def: FieldDef, value: unknown, path: string, ctx: RecordContext): unknown {
  const bad = () =>
    invalid(
      `Invalid value for the field '${path}'. Provide a valid value of type ${def.kind}.`,
      path,
    )
  switch (def.kind) {
    case 'string':
      if (typeof value !== 'string') throw bad()
      return value
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw bad()
      return value
    case 'boolean':
      if (typeof value !== 'boolean') throw bad()
      return value
    case 'date': {
      const m = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})(T.*)?$/.exec(value) : null
      if (!m || Number.isNaN(Date.parse(value as string))) throw bad()
      return m[1]
    }
    case 'enum': {
      const id = isObject(value) ? value.id : value
      if (typeof id !== 'string' || !def.values || !(id.toUpperCase() in def.values)) {
        throw invalid(
          `Invalid value '${String(id)}' for the field '${path}'. Valid values: ${Object.keys(def.values ?? {}).join(', ')}.`,
          path,
        )
      }
      return id.toUpperCase()
    }
    case 'ref':
      return normalizeRef(def, value, path, ctx)
    case 'subrecord': {
      if (!isObject(value)) throw bad()
      const out: Record<string, unknown> = {}
      for (const [key, v] of Object.entries(value)) {
        const name = findName(def.fields ?? {}, key.toLowerCase())
        if (!name)
          throw invalid(`Invalid field '${key}' for subrecord '${path}'.`, `${path}.${key}`)
        if (v !== null) out[name] = normalize(def.fields![name]!, v, `${path}.${name}`, ctx)
      }
      return out
    }
  }
}

/** Custom fields: scalars as given, list/record references as `{ id }`. */
function customValue(value: unknown, path: string): unknown {
  if (['string', 'number', 'boolean'].includes(typeof value)) return value
  if (isObject(value) && (typeof value.id === 'string' || typeof value.id === 'number'))
    return { id: String(value.id) }
  throw invalid(`Invalid value for the custom field '${path}'.`, path)
}

const sameKey = (a: unknown, b: unknown): boolean =>
  a !== undefined &&
  b !== undefined &&
  String(isObject(a) ? a.id : a) === String(isObject(b) ? b.id : b)

function normalizeLine(sub: SublistDef, raw: unknown, path: string, ctx: RecordContext): Line {
  if (!isObject(raw)) throw invalid(`Each line of '${path}' must be an object.`, path)
  const line: Line = {}
  for (const [key, value] of Object.entries(raw)) {
    const lower = key.toLowerCase()
    if (lower === 'links') continue
    const name = findName(sub.fields, lower)
    if (name)
      line[name] =
        value === null ? undefined : normalize(sub.fields[name]!, value, `${path}.${name}`, ctx)
    else if (lower.startsWith('custcol')) line[lower] = customValue(value, `${path}.${key}`)
    else throw invalid(`Invalid field '${key}' on sublist line '${path}'.`, `${path}.${key}`)
  }
  return line
}

/**
 * Keyed sublists (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_1545295601.html):
 * a line whose key matches an existing line updates it, other lines are added; with
 * `?replace=<sublist>` (section_1545297048.html) lines not matched are removed.
 */
function mergeSublist(
  name: string,
  sub: SublistDef,
  value: unknown,
  existing: Line[],
  replacing: boolean,
  ctx: RecordContext,
): Line[] {
  if (!isObject(value) || !Array.isArray(value.items)) {
    throw invalid(`The sublist '${name}' must be an object with an 'items' array.`, name)
  }
  const out: Line[] = replacing ? [] : existing.map((l) => ({ ...l }))
  let next = Math.max(0, ...existing.map((l) => Number(l[sub.key]) || 0)) + 1
  value.items.forEach((raw, i) => {
    const line = normalizeLine(sub, raw, `${name}.items[${i}]`, ctx)
    const key = line[sub.key]
    const prior = key === undefined ? undefined : existing.find((l) => sameKey(l[sub.key], key))
    const already = key === undefined ? -1 : out.findIndex((l) => sameKey(l[sub.key], key))
    if (already >= 0) out[already] = { ...out[already], ...line }
    else if (prior) out.push({ ...prior, ...line })
    else {
      if (sub.generatedKey) line[sub.key] = next++
      out.push(line)
    }
  })
  for (const [i, line] of out.entries()) {
    for (const [field, def] of Object.entries(sub.fields)) {
      if (def.required && line[field] === undefined) {
        throw new NetsuiteError(400, 'USER_ERROR', `Please enter value(s) for: ${field}`, {
          'o:errorPath': `${name}.items[${i}].${field}`,
        })
      }
    }
    for (const key of Object.keys(line)) if (line[key] === undefined) delete line[key]
  }
  return out
}

function checkRequired(def: RecordDef, draft: Draft): void {
  for (const [name, field] of Object.entries(def.fields)) {
    if (field.required && draft.fields[name] === undefined) {
      throw new NetsuiteError(400, 'USER_ERROR', `Please enter value(s) for: ${name}`, {
        'o:errorPath': name,
      })
    }
  }
  for (const [name, sub] of Object.entries(def.sublists)) {
    if (sub.required && (draft.lines[name] ?? []).length === 0) {
      throw new NetsuiteError(
        400,
        'USER_ERROR',
        'You must enter at least one line item for this transaction.',
        { 'o:errorPath': name },
      )
    }
  }
}

/** The draft a stored record starts from (a deep copy: the write must not touch the original). */
export function draftOf(record: NsRecord): Draft {
  return structuredClone({
    externalId: record.externalId,
    fields: record.fields,
    lines: record.lines,
  })
}

/**
 * Applies `body` on top of `existing` (or on nothing, for a create).
 * @throws NetsuiteError for anything NetSuite would refuse.
 */
export function applyBody(
  def: RecordDef,
  existing: NsRecord | undefined,
  body: unknown,
  replace: Set<string>,
  ctx: RecordContext,
): Draft {
  if (!isObject(body)) throw invalid('The request body must be a JSON object.')
  const draft: Draft = existing ? draftOf(existing) : { fields: {}, lines: {} }
  for (const [key, value] of Object.entries(body)) {
    const lower = key.toLowerCase()
    if (lower === 'links') continue
    if (lower === 'externalid') {
      if (value !== null && (typeof value !== 'string' || value === ''))
        throw invalid("Invalid value for the field 'externalId'.", 'externalId')
      draft.externalId = value ?? undefined
      continue
    }
    const sublist = findName(def.sublists, lower)
    if (sublist) {
      draft.lines[sublist] = mergeSublist(
        sublist,
        def.sublists[sublist]!,
        value,
        draft.lines[sublist] ?? [],
        replace.has(sublist.toLowerCase()),
        ctx,
      )
      continue
    }
    const field = findName(def.fields, lower)
    if (field) {
      if (value === null) delete draft.fields[field]
      else draft.fields[field] = normalize(def.fields[field]!, value, field, ctx)
    } else if (
      ALWAYS_READ_ONLY.includes(lower) ||
      def.readOnlyFields?.some((f) => f.toLowerCase() === lower)
    ) {
      throw invalid(`The field '${key}' is read-only and cannot be set.`, key)
    } else if (lower.startsWith(def.customPrefix)) {
      if (value === null) delete draft.fields[lower]
      else draft.fields[lower] = customValue(value, key)
    } else {
      throw invalid(`Invalid field '${key}' for record type '${def.id}'.`, key)
    }
  }
  def.defaults?.(draft, ctx, existing)
  checkRequired(def, draft)
  def.validate?.(draft, ctx, existing)
  return draft
}

/**
 * Whether a write leaves the record as it was, line numbers aside: `?replace=item` with the same
 * lines renumbers them, and NetSuite would re-save the record, but nothing a reader cares about
 * changed. The emulator calls that a noop (no effect, no new lastmodifieddate) so that tests can
 * assert exactly one *change* however often a client retries.
 */
export function sameContent(def: RecordDef, a: Draft, b: Draft): boolean {
  const strip = (d: Draft) => ({
    ...d,
    lines: Object.fromEntries(
      Object.entries(d.lines).map(([name, lines]) => {
        const sub = def.sublists[name]
        return [name, sub?.generatedKey ? lines.map(({ [sub.key]: _key, ...rest }) => rest) : lines]
      }),
    ),
  })
  return canonical(strip(a)) === canonical(strip(b))
}

/** Key-order-independent JSON, to tell a real change from a write that changes nothing. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (isObject(value)) {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`
  }
  return JSON.stringify(value)
}
