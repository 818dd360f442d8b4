import { SALESFORCE_SCHEMA, type SalesforceObjectSchema } from '../../shared/index.ts'
import { MAX_SUBREQUESTS } from '../connectors/salesforce/composite.ts'
import type { PendingRow } from './pack.ts'
import type { EventRecord } from './types.ts'

const SCHEMA: Readonly<Record<string, SalesforceObjectSchema>> = SALESFORCE_SCHEMA

/**
 * Whether a record is a platform event (`Concord_Activation__e`): published in the flush's
 * Composite call (a `POST /sobjects/<Event>__e` subrequest), never upserted. Keyed like a record
 * (one per external id), so the writer publishes each once: the `written` table remembers it.
 */
export function isEventObject(object: string): boolean {
  return Object.hasOwn(SCHEMA, object) && SCHEMA[object]?.kind === 'PlatformEvent'
}

/** Splits due rows into events to publish and records to upsert, each in their order. */
export function splitEvents(due: readonly PendingRow[]): {
  events: PendingRow[]
  records: PendingRow[]
} {
  const events = due.filter((r) => isEventObject(r.object))
  return { events, records: due.filter((r) => !isEventObject(r.object)) }
}

/**
 * The events that fit beside `groups` collections and `hints` refresh hints in one Composite
 * request (25 subrequests): a flush never costs a second API call for its events.
 */
export function eventsThatFit(events: PendingRow[], groups: number, hints: number): PendingRow[] {
  return events.slice(0, Math.max(0, MAX_SUBREQUESTS - groups - hints))
}

export function toEventRecord(row: PendingRow): EventRecord {
  return {
    event: row.object,
    fields: JSON.parse(row.fields) as Record<string, unknown>,
  }
}
