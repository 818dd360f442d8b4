import type { Catalog, FieldDescribe, ObjectDescribe } from './catalog.ts'
import { recordError, SalesforceApiError, type RecordError } from './errors.ts'
import { checkValue, coerce, fieldLabel, parserError, roundToScale } from './field-values.ts'
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

function parseRelationship(
  catalog: Catalog,
  obj: ObjectDescribe,
  field: FieldDescribe,
  value: unknown,
): RelationshipRef {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw parserError('SObject', value)
  const target = catalog.get((field.def as { referenceTo: string }).referenceTo)
  const entries = Object.entries(value as Record<string, unknown>).filter(
    ([k]) => k !== 'attributes',
  )
  const [keyName, keyValue] = entries[0] ?? []
  const keyField = keyName ? target?.fields.get(keyName.toLowerCase()) : undefined
  if (
    !target ||
    entries.length !== 1 ||
    !keyField ||
    !(keyField.externalId || keyField.name === 'Id')
  ) {
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
export function parseRecord(
  catalog: Catalog,
  obj: ObjectDescribe,
  raw: Record<string, unknown>,
): ParsedRecord {
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
    if (!field)
      throw new SalesforceApiError(
        400,
        'INVALID_FIELD',
        `No such column '${key}' on sobject of type ${obj.name}`,
      )
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
export function missingRequired(
  obj: ObjectDescribe,
  values: Record<string, unknown>,
): RecordError | undefined {
  const missing = [...obj.fields.values()].filter(
    (f) =>
      f.required &&
      (values[f.name] === undefined || values[f.name] === null || values[f.name] === ''),
  )
  if (missing.length === 0) return undefined
  const names = missing.map((f) => f.name)
  return recordError(
    'REQUIRED_FIELD_MISSING',
    `Required fields are missing: [${names.join(', ')}]`,
    names,
  )
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
  if (!id)
    return {
      error: recordError('MALFORMED_ID', `${label}: id value of incorrect type: ${value}`, [
        field.name,
      ]),
    }
  const referenceTo = (field.def as { referenceTo: string }).referenceTo
  if (catalog.byKeyPrefix(id)?.name !== referenceTo) {
    return {
      error: recordError(
        'FIELD_INTEGRITY_EXCEPTION',
        `${label}: id value of incorrect type: ${value}`,
        [field.name],
      ),
    }
  }
  if (!exists(id))
    return {
      error: recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [field.name]),
    }
  return { id }
}
