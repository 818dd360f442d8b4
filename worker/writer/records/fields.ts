import {
  AccountId,
  type SalesforceFieldName,
  type SalesforceObjectName,
} from '../../../shared/index.ts'
import {
  textLength,
  type SObjectFields,
  type WritableObject,
} from '../../connectors/salesforce/sobject.ts'
import type { WriteRecordOf } from '../types.ts'

/**
 * Cuts free text to the field's declared length (never mid surrogate pair), so a long error
 * message cannot fail its whole record with STRING_TOO_LONG. Not for keys: a cut key would
 * address another record.
 */
export function fitText<O extends SalesforceObjectName>(
  object: O,
  field: SalesforceFieldName<O>,
  value: string | undefined,
): string | null {
  if (value === undefined || value === '') return null
  const max = textLength(object, field)
  if (max === undefined || value.length <= max) return value
  const cut = value.slice(0, max)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

/** Whether a key fits its field whole (a key is never cut: see `fitText`). */
export function fitsKey<O extends SalesforceObjectName>(
  object: O,
  field: SalesforceFieldName<O>,
  key: string,
): boolean {
  return key !== '' && key.length <= (textLength(object, field) ?? Number.POSITIVE_INFINITY)
}

/** The Account id as a lookup value, or undefined when it cannot be one (keeps the record writable). */
export function accountLookup(accountId: string): string | undefined {
  const parsed = AccountId.safeParse(accountId)
  return parsed.success ? parsed.data : undefined
}

/** A record for the OrgWriter; fields left undefined are not sent (null clears a value). */
export function writeRecord<O extends WritableObject>(record: WriteRecordOf<O>): WriteRecordOf<O> {
  const fields = Object.fromEntries(
    Object.entries(record.fields).filter(([, v]) => v !== undefined),
  ) as SObjectFields<O>
  return { ...record, fields }
}
