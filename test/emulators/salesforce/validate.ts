import type { Catalog, FieldDescribe, ObjectDescribe } from './catalog.ts'
import { recordError, SalesforceApiError, type RecordError } from './errors.ts'
import { toId18 } from './ids.ts'

/** A lookup given by external id, e.g. `Invoice__r: {External_Id__c: 'in_1'}`. */
export interface RelationshipRef {
  field: FieldDescribe
  target: ObjectDescribe
  keyField: FieldDescribe
  value: string
}

/** A record body after deserialisation: canonical field names, normalised values. */
export interface ParsedRecord {
  values: Record<string, unknown>
  refs: RelationshipRef[]
  /** Per-record problems found while parsing (they fail this record, not the request). */
  errors: RecordError[]
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** The label Salesforce would print in a message: `Amount_Due__c` → `Amount Due`. */
export function fieldLabel(name: string): string {
  return name.replace(/__c$/, '').replace(/_/g, ' ')
}

function jsonToken(value: unknown): string {
  if (value === true) return 'VALUE_TRUE'
  if (value === false) return 'VALUE_FALSE'
  if (typeof value === 'number') return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT'
  if (Array.isArray(value)) return 'START_ARRAY'
  if (typeof value === 'object') return 'START_OBJECT'
  return 'VALUE_STRING'
}

/**
 * REST deserialises the whole body before any DML, so a value of the wrong JSON type fails the
 * request with JSON_PARSER_ERROR, not just the record.
 */
function parserError(javaType: string, value: unknown, extra = ''): SalesforceApiError {
  const shown = typeof value === 'object' ? (Array.isArray(value) ? '[' : '{') : String(value)
  return new SalesforceApiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${javaType} from ${jsonToken(value)} value ${shown}${extra} or request may be missing a required field at [line:1, column:1]`,
  )
}

function normaliseDateTime(value: string): string | undefined {
  if (!DATETIME.test(value)) return undefined
  const withZone = /T/.test(value) ? (/(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`) : `${value}T00:00:00Z`
  const ms = Date.parse(withZone.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace('Z', '+0000')
}

/** Deserialises one scalar value for `field`; throws on a type the REST parser would refuse. */
function coerce(field: FieldDescribe, value: unknown): unknown {
  if (value === null) return field.def.type === 'Checkbox' ? false : null
  const def = field.def
  switch (def.type) {
    case 'Text':
    case 'TextArea':
    case 'LongTextArea':
    case 'Url':
    case 'Picklist':
    case 'Id':
    case 'Lookup':
      if (typeof value === 'object') throw parserError('string', value)
      return String(value)
    case 'Number':
    case 'Currency': {
      if (typeof value === 'number') return value
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
      throw parserError('double', value)
    }
    case 'Checkbox':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      throw parserError('boolean', value)
    case 'Date':
      if (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value))) return value
      throw parserError('date', value, ' or value not in the format yyyy-MM-dd')
    case 'DateTime': {
      const normalised = typeof value === 'string' ? normaliseDateTime(value) : undefined
      if (normalised) return normalised
      throw parserError('datetime', value)
    }
  }
}

/** DML-time checks on one coerced value: lengths, restricted picklists, numeric range. */
function checkValue(field: FieldDescribe, value: unknown): RecordError | undefined {
  if (value === null) return undefined
  const def = field.def
  const label = fieldLabel(field.name)
  if ((def.type === 'Text' || def.type === 'TextArea' || def.type === 'LongTextArea') && String(value).length > def.length) {
    return recordError('STRING_TOO_LONG', `${label}: data value too large: ${String(value).slice(0, 60)} (max length=${def.length})`, [field.name])
  }
  if (def.type === 'Url' && String(value).length > 255) {
    return recordError('STRING_TOO_LONG', `${label}: data value too large: ${String(value).slice(0, 60)} (max length=255)`, [field.name])
  }
  if (def.type === 'Picklist' && !def.values.includes(String(value))) {
    return recordError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${label}: bad value for restricted picklist field: ${String(value)}`, [field.name])
  }
  if (def.type === 'Number' || def.type === 'Currency') {
    const digits = Math.trunc(Math.abs(value as number)).toString().length
    if (digits > def.precision - def.scale) {
      return recordError('NUMBER_OUTSIDE_VALID_RANGE', `${label}: value outside of valid range on numeric field: ${String(value)}`, [field.name])
    }
  }
  return undefined
}

function roundToScale(field: FieldDescribe, value: unknown): unknown {
  if (typeof value !== 'number' || (field.def.type !== 'Number' && field.def.type !== 'Currency')) return value
  const factor = 10 ** field.def.scale
  return Math.round(value * factor) / factor
}

function parseRelationship(catalog: Catalog, obj: ObjectDescribe, field: FieldDescribe, value: unknown): RelationshipRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw parserError('SObject', value)
  const target = catalog.get((field.def as { referenceTo: string }).referenceTo)
  const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== 'attributes')
  const [keyName, keyValue] = entries[0] ?? []
  const keyField = keyName ? target?.fields.get(keyName.toLowerCase()) : undefined
  if (!target || entries.length !== 1 || !keyField || !(keyField.externalId || keyField.name === 'Id')) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `Field name provided, ${keyName ?? ''} is not an External ID or indexed field for ${target?.name ?? obj.name}`,
    )
  }
  if (typeof keyValue === 'object' && keyValue !== null) throw parserError('string', keyValue)
  return { field, target, keyField, value: String(keyValue) }
}

/**
 * Deserialises a record body for `obj`. Unknown fields and JSON type mismatches throw (the whole
 * request fails, as REST does); DML problems (length, picklist, range, read-only) come back as
 * per-record errors.
 * @throws SalesforceApiError INVALID_FIELD or JSON_PARSER_ERROR.
 */
export function parseRecord(catalog: Catalog, obj: ObjectDescribe, raw: Record<string, unknown>): ParsedRecord {
  const parsed: ParsedRecord = { values: {}, refs: [], errors: [] }
  const readOnly: string[] = []
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'attributes') continue
    const lower = key.toLowerCase()
    const relationship = obj.relationships.get(lower)
    if (relationship) {
      parsed.refs.push(parseRelationship(catalog, obj, relationship, value))
      continue
    }
    const field = obj.fields.get(lower)
    if (!field) throw new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${obj.name}`)
    const coerced = roundToScale(field, coerce(field, value))
    if (!field.createable && !field.updateable) {
      readOnly.push(field.name)
      continue
    }
    const problem = checkValue(field, coerced)
    if (problem) parsed.errors.push(problem)
    parsed.values[field.name] = coerced
  }
  if (readOnly.length > 0) {
    parsed.errors.push(
      recordError(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      ),
    )
  }
  return parsed
}

/** Required-on-create check (Account Name is the only required field the emulator models). */
export function missingRequired(obj: ObjectDescribe, values: Record<string, unknown>): RecordError | undefined {
  const missing = [...obj.fields.values()].filter((f) => f.required && (values[f.name] === undefined || values[f.name] === null || values[f.name] === ''))
  if (missing.length === 0) return undefined
  const names = missing.map((f) => f.name)
  return recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names)
}

/**
 * Checks a plain-id lookup value: malformed, pointing at another object, or at no record.
 * `exists` answers whether the (18-char) id is a live record.
 */
export function checkLookupId(
  catalog: Catalog,
  field: FieldDescribe,
  value: string,
  exists: (id18: string) => boolean,
): { id?: string; error?: RecordError } {
  const label = `${fieldLabel(field.name)} ID`
  const id = toId18(value)
  if (!id) return { error: recordError('MALFORMED_ID', `${label}: id value of incorrect type: ${value}`, [field.name]) }
  const referenceTo = (field.def as { referenceTo: string }).referenceTo
  if (catalog.byKeyPrefix(id)?.name !== referenceTo) {
    return { error: recordError('FIELD_INTEGRITY_EXCEPTION', `${label}: id value of incorrect type: ${value}`, [field.name]) }
  }
  if (!exists(id)) return { error: recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]) }
  return { id }
}
