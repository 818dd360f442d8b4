import type { UpsertGroup } from '../connectors/salesforce/collections.ts'
import type {
  ExternalIdField,
  SObjectFields,
  WritableObject,
} from '../connectors/salesforce/sobject.ts'

export type { UpsertGroup } from '../connectors/salesforce/collections.ts'

/**
 * One record the worker wants Salesforce to hold, upserted by an external id, as it crosses
 * RPC and storage (the names are checked against the schema when it is packed to be sent).
 */
export interface WriteRecord {
  object: string
  /** `External_Id__c`, `Subscription_Key__c`, or `Id` for standard objects updated in place. */
  externalIdField: string
  externalId: string
  /** Field API name → value, excluding the external id itself; null clears a value. */
  fields: Readonly<Record<string, unknown>>
  /** When the source last changed it (ms): a newer write always wins, an older one never does. */
  sourceUpdatedAt: number
  /** The Account it belongs to, for the refresh hint. */
  accountId?: string
}

/** A `WriteRecord` of `O` as the record builders make it, typed by the schema. */
export interface WriteRecordOf<O extends WritableObject> extends WriteRecord {
  object: O
  externalIdField: ExternalIdField<O> | 'Id'
  fields: SObjectFields<O>
}

/** The port a producer hands records to the OrgWriter through (durable once it resolves). */
export interface RecordSink {
  enqueue(records: WriteRecord[]): Promise<unknown>
}

export type RecordOutcome =
  | { ok: true }
  | {
      ok: false
      kind: 'transient' | 'business'
      code: string
      message: string
      retryAfterMs?: number
    }

/** A platform event the writer publishes (`writer/events.ts`): its API name and fields. */
export interface EventRecord {
  event: string
  fields: Readonly<Record<string, unknown>>
}

/** What the writer needs from Salesforce: one Composite request per call. */
export interface WriterClient {
  /**
   * Sends up to five sObject Collections (≤ 200 records each, `allOrNone: false`) and, when
   * given, a platform-event publish after them, as one Composite request (one API call).
   * Answers one outcome per record, in order, per group.
   * @throws ConnectorError when the request as a whole fails.
   */
  writeBatch(input: {
    groups: UpsertGroup[]
    publish?: { event: 'Concord_Refresh__e'; records: SObjectFields<'Concord_Refresh__e'>[] }
    /** Platform events queued like records (`Concord_Activation__e`), after the hint. */
    events?: EventRecord[]
  }): Promise<{
    groups: RecordOutcome[][]
    published?: RecordOutcome[]
    /** One outcome per `events` entry, in order. */
    events?: RecordOutcome[]
    /** `Sforce-Limit-Info` of the response. */
    usage?: { used: number; max: number }
  }>
}

export const MAX_COLLECTIONS_PER_CALL = 5
export const MAX_RECORDS_PER_COLLECTION = 200

/** Where domain modules hand records for Salesforce: the org's OrgWriter (durable on return). */
export interface RecordSink {
  enqueue(records: WriteRecord[]): Promise<unknown>
}
