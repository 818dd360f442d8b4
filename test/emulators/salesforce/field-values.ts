import type { FieldDescribe } from './catalog.ts'
import { recordError, SalesforceApiError, type RecordError } from './errors.ts'
import { asText } from '../common/text.ts'

/*
 * One field value's life in a write: deserialised from JSON for the field's type (a wrong JSON
 * type fails the request), then checked as DML would (length, restricted picklist, numeric
 * range), then rounded to the field's scale.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/
const DATETIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** The label Salesforce would print in a message: `Amount_Due__c` → `Amount Due`. */
export function fieldLabel(name: string): string {
  return name.replace(/__c$/, '').replace(/_/g, ' ')
}

function jsonToken(value: unknown): string {
  if (value === true) return 'VALUE_TRUE'
  if (value === false) return 'VALUE_FALSE'
  if (typeof value === 'number')
    return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT'
  if (Array.isArray(value)) return 'START_ARRAY'
  if (typeof value === 'object') return 'START_OBJECT'
  return 'VALUE_STRING'
}

/**
 * REST deserialises the whole body before any DML, so a value of the wrong JSON type fails the
 * request with JSON_PARSER_ERROR, not just the record.
 */
export function parserError(javaType: string, value: unknown, extra = ''): SalesforceApiError {
  const shown = typeof value === 'object' ? (Array.isArray(value) ? '[' : '{') : asText(value)
  return new SalesforceApiError(
    400,
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${javaType} from ${jsonToken(value)} value ${shown}${extra} or request may be missing a required field at [line:1, column:1]`,
  )
}

function normaliseDateTime(value: string): string | undefined {
  if (!DATETIME.test(value)) return undefined
  const withZone = /T/.test(value)
    ? /(Z|[+-]\d{2}:?\d{2})$/.test(value)
      ? value
      : `${value}Z`
    : `${value}T00:00:00Z`
  const ms = Date.parse(withZone.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'))
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString().replace('Z', '+0000')
}

/** Deserialises one scalar value for `field`; throws on a type the REST parser would refuse. */
export function coerce(field: FieldDescribe, value: unknown): unknown {
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
      return asText(value)
    case 'Number':
    case 'Currency': {
      if (typeof value === 'number') return value
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
        return Number(value)
      throw parserError('double', value)
    }
    case 'Checkbox':
      if (typeof value === 'boolean') return value
      if (value === 'true' || value === 'false') return value === 'true'
      throw parserError('boolean', value)
    case 'Date':
      if (typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)))
        return value
      throw parserError('date', value, ' or value not in the format yyyy-MM-dd')
    case 'DateTime': {
      const normalised = typeof value === 'string' ? normaliseDateTime(value) : undefined
      if (normalised) return normalised
      throw parserError('datetime', value)
    }
  }
}

/** DML-time checks on one coerced value: lengths, restricted picklists, numeric range. */
export function checkValue(field: FieldDescribe, value: unknown): RecordError | undefined {
  if (value === null) return undefined
  const def = field.def
  const label = fieldLabel(field.name)
  if (
    (def.type === 'Text' || def.type === 'TextArea' || def.type === 'LongTextArea') &&
    asText(value).length > def.length
  ) {
    return recordError(
      'STRING_TOO_LONG',
      `${label}: data value too large: ${asText(value).slice(0, 60)} (max length=${def.length})`,
      [field.name],
    )
  }
  if (def.type === 'Url' && asText(value).length > 255) {
    return recordError(
      'STRING_TOO_LONG',
      `${label}: data value too large: ${asText(value).slice(0, 60)} (max length=255)`,
      [field.name],
    )
  }
  if (def.type === 'Picklist' && !def.values.includes(asText(value))) {
    return recordError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${label}: bad value for restricted picklist field: ${asText(value)}`,
      [field.name],
    )
  }
  if (def.type === 'Number' || def.type === 'Currency') {
    const digits = Math.trunc(Math.abs(value as number)).toString().length
    if (digits > def.precision - def.scale) {
      return recordError(
        'NUMBER_OUTSIDE_VALID_RANGE',
        `${label}: value outside of valid range on numeric field: ${asText(value)}`,
        [field.name],
      )
    }
  }
  return undefined
}

/** Number and Currency values keep the field's scale, as Salesforce stores them. */
export function roundToScale(field: FieldDescribe, value: unknown): unknown {
  if (typeof value !== 'number' || (field.def.type !== 'Number' && field.def.type !== 'Currency'))
    return value
  const factor = 10 ** field.def.scale
  return Math.round(value * factor) / factor
}
