import type { Clock } from '../clock.ts'
import type { Fields, Line, NsRecord, RecordStore } from '../store.ts'

/** How a field's JSON value is checked and stored. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'date' | 'ref' | 'enum' | 'subrecord'

export interface FieldDef {
  kind: FieldKind
  /** For `ref`: the record type referenced (`item` accepts any item record). */
  ref?: string
  /** For `enum`: allowed ids and their display names. */
  values?: Record<string, string>
  /** For `subrecord` (e.g. `addressBookAddress`): its scalar fields, checked like any field's. */
  fields?: Record<string, FieldDef>
  required?: boolean
}

export interface SublistDef {
  /** The key field that matches request lines to existing lines (keyed sublists). */
  key: string
  /** The key is assigned by NetSuite (`line`) rather than given by the client. */
  generatedKey?: boolean
  fields: Record<string, FieldDef>
  /** At least one line is needed to save the record. */
  required?: boolean
}

/** What the write path and the derivations need. */
export interface RecordContext {
  store: RecordStore
  clock: Clock
  /** Days from invoice date to due date when the invoice gives none. */
  termsDays: number
}

/** A record's writable content: what a request produces and what noop detection compares. */
export interface Draft {
  externalId?: string
  fields: Fields
  lines: Record<string, Line[]>
}

/** A REST record type the emulator supports. */
export interface RecordDef {
  /** Canonical REST record id, as in `/record/v1/<id>` (matched case-insensitively). */
  id: string
  /** Other REST ids that reach this type (e.g. item subtypes). */
  aliases?: string[]
  /** Display label for `refName` and messages, e.g. `Invoice`. */
  label: string
  /** SuiteQL `transaction.type` code for transaction types, e.g. `CustInvc`. */
  tranType?: string
  tranIdPrefix?: string
  /** Custom field prefix accepted without declaration, e.g. `custbody_`. */
  customPrefix: string
  /** Read-only through REST in the emulator (lists seeded by control actions). */
  readOnly?: boolean
  fields: Record<string, FieldDef>
  /** Computed fields a client may not set (answered with a read-only error, not "unknown"). */
  readOnlyFields?: string[]
  sublists: Record<string, SublistDef>
  /** Fills defaults on create (and fills gaps on update); may read other records. */
  defaults?(draft: Draft, ctx: RecordContext, existing: NsRecord | undefined): void
  /** Cross-field and cross-record rules; throws `NetsuiteError`. */
  validate?(draft: Draft, ctx: RecordContext, existing: NsRecord | undefined): void
  /** Runs after a save, e.g. to bump `lastModifiedAt` on invoices a payment was applied to. */
  afterWrite?(record: NsRecord, before: Draft | undefined, ctx: RecordContext): void
  /** Read-only computed body fields (totals, balances, status). */
  derive?(record: NsRecord, ctx: RecordContext): Fields
  /** Sublists as a reader sees them, when they differ from what was written. */
  deriveLines?(record: NsRecord, ctx: RecordContext): Record<string, Line[]>
  /** The text NetSuite shows for a reference to this record. */
  refName(record: NsRecord): string
}

/** The `{ id }` of a stored reference, as a number. */
export function refId(value: unknown): number | undefined {
  if (value && typeof value === 'object' && 'id' in value) {
    const n = Number(value.id)
    return Number.isInteger(n) ? n : undefined
  }
  return undefined
}

export const round2 = (n: number): number => Math.round(n * 100) / 100

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** Whole days from `from` to `to` (both `YYYY-MM-DD`). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
}
