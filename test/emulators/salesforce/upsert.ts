import { staleUpdate } from '../../../shared/salesforce-schema.ts'
import type { FieldDescribe, ObjectDescribe } from './catalog.ts'
import { recordError, SalesforceApiError, type RecordError } from './errors.ts'
import type { Org } from './org.ts'
import type { SfRecord, Tx } from './store.ts'
import { checkLookupId, missingRequired, type ParsedRecord } from './validate.ts'

/** One record's result, shaped like REST's UpsertResult / SaveResult. */
export interface SaveResult {
  id?: string
  success: boolean
  errors: RecordError[]
  created?: boolean
}

/** A record body ready for DML: parsed, with the key it is upserted by. */
export interface PreparedWrite {
  parsed: ParsedRecord
  /** Value of the key field, or undefined for a plain create. */
  key?: string
}

/** A failed SaveResult. */
export const failed = (...errors: RecordError[]): SaveResult => ({ success: false, errors })

/**
 * Resolves the object and key field of an upsert URL.
 * @throws SalesforceApiError NOT_FOUND for an unknown object, INVALID_FIELD for a key that is not an external id.
 */
export function resolveTarget(
  org: Org,
  sobject: string,
  keyField: string,
): { obj: ObjectDescribe; key: FieldDescribe } {
  const obj = org.catalog.get(sobject)
  if (!obj || obj.kind === 'PlatformEvent')
    throw new SalesforceApiError(404, 'NOT_FOUND', `The requested resource does not exist`)
  const key = obj.fields.get(keyField.toLowerCase())
  if (!key || !(key.externalId || key.name === 'Id')) {
    throw new SalesforceApiError(
      400,
      'INVALID_FIELD',
      `Field name provided, ${keyField} is not an External ID or indexed field for ${obj.name}`,
    )
  }
  return { obj, key }
}

/** Identifying values of a write, for per-record fault rules: every external id plus the Id. */
function identity(
  obj: ObjectDescribe,
  values: Record<string, unknown>,
  existing?: SfRecord,
): Record<string, string> {
  const keys: Record<string, string> = {}
  for (const f of obj.fields.values()) {
    const v = values[f.name] ?? existing?.values[f.name]
    if (f.externalId && typeof v === 'string') keys[f.name] = v
  }
  if (existing) keys.Id = existing.Id
  return keys
}

/** Turns `X__r: {External_Id__c: v}` and plain ids into stored 18-char ids, or a record error. */
function resolveLookups(
  org: Org,
  obj: ObjectDescribe,
  parsed: ParsedRecord,
): { values: Record<string, unknown>; error?: RecordError } {
  const values = { ...parsed.values }
  for (const ref of parsed.refs) {
    const target = org.store.findBy(ref.target, ref.keyField.name, ref.value)
    if (!target) {
      return {
        values,
        error: recordError(
          'INVALID_FIELD',
          `Foreign key external ID: ${ref.value} not found for field ${ref.keyField.name} in entity ${ref.target.name}`,
          [],
        ),
      }
    }
    values[ref.field.name] = target.Id
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    const field = obj.fields.get(name.toLowerCase())
    if (!field || field.def.type !== 'Lookup' || typeof value !== 'string') continue
    const checked = checkLookupId(
      org.catalog,
      field,
      value,
      (id) => org.store.get(id) !== undefined,
    )
    if (checked.error) return { values, error: checked.error }
    values[field.name] = checked.id
  }
  return { values }
}

/** A value of a unique external-id field that another record already holds. */
function duplicateOf(
  org: Org,
  obj: ObjectDescribe,
  values: Record<string, unknown>,
  self?: SfRecord,
): RecordError | undefined {
  for (const f of obj.fields.values()) {
    const v = values[f.name]
    if (!f.externalId || typeof v !== 'string' || v === '') continue
    const other = org.store.findBy(obj, f.name, v)
    if (other && other.Id !== self?.Id) {
      return recordError(
        'DUPLICATE_VALUE',
        `duplicate value found: ${f.name} duplicates value on record with id: ${other.Id}`,
        [f.name],
      )
    }
  }
  return undefined
}

/**
 * Creates or updates one record inside `tx`: the per-record fault rules, DML checks, lookup
 * resolution, the write, and the effect (recorded only when something changed).
 */
export function writeRecord(
  org: Org,
  tx: Tx,
  obj: ObjectDescribe,
  keyField: FieldDescribe | undefined,
  write: PreparedWrite,
  userId: string,
): SaveResult {
  const { parsed } = write
  if (keyField && (write.key === undefined || write.key === '')) {
    return failed(recordError('MISSING_ARGUMENT', `${keyField.name} not specified`, []))
  }
  const existing =
    keyField && write.key !== undefined
      ? org.store.findBy(obj, keyField.name, write.key)
      : undefined
  if (keyField?.name === 'Id' && !existing)
    return failed(
      recordError(
        'NOT_FOUND',
        'Provided external ID field does not exist or is not accessible',
        [],
      ),
    )
  const keys = identity(
    obj,
    {
      ...parsed.values,
      ...(keyField && keyField.name !== 'Id' ? { [keyField.name]: write.key } : {}),
    },
    existing,
  )
  const injected = org.recordFaults.check(obj.name, keys)
  if (injected) return failed(injected)
  if (parsed.errors.length > 0) return failed(...parsed.errors)
  const { values, error } = resolveLookups(org, obj, parsed)
  if (error) return failed(error)
  if (keyField && keyField.name !== 'Id' && !existing) values[keyField.name] ??= write.key
  const duplicate = duplicateOf(org, obj, values, existing)
  if (duplicate) return failed(duplicate)
  const target = write.key ?? ''
  if (existing) {
    // The package's before-update triggers (`ConcordStaleGuard`): an older source time changes nothing.
    const kept = staleUpdate(obj.name, existing.values, values)
    const changed = org.store.update(tx, obj, existing, kept ? {} : values, userId)
    if (changed.length > 0) {
      tx.effects.push({
        kind: `${obj.name}.update`,
        target: target || existing.Id,
        correlationId: correlationOf(existing.values),
        detail: { id: existing.Id, changed },
      })
    }
    return { id: existing.Id, success: true, errors: [], created: false }
  }
  if (obj.fields.has('currencyisocode')) values.CurrencyIsoCode ??= org.corporateCurrency
  const required = missingRequired(obj, values)
  if (required) return failed(required)
  const rec = org.store.insert(tx, obj, values, userId)
  tx.effects.push({
    kind: `${obj.name}.create`,
    target: target || rec.Id,
    correlationId: correlationOf(rec.values),
    detail: { id: rec.Id },
  })
  return { id: rec.Id, success: true, errors: [], created: true }
}

function correlationOf(values: Record<string, unknown>): string | undefined {
  const v = values.Correlation_Id__c
  return typeof v === 'string' && v !== '' ? v : undefined
}
