/** One record the worker wants Salesforce to hold, upserted by an external id. */
export interface WriteRecord {
  object: string
  /** `External_Id__c`, `Subscription_Key__c`, or `Id` for standard objects updated in place. */
  externalIdField: string
  externalId: string
  /** Field API name → value, excluding the external id itself. */
  fields: Record<string, string | number | boolean | null | Record<string, string>>
  /** When the source last changed it (ms): a newer write always wins, an older one never does. */
  sourceUpdatedAt: number
  /** The Account it belongs to, for the refresh hint. */
  accountId?: string
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

export interface UpsertGroup {
  object: string
  externalIdField: string
  records: Array<Record<string, string | number | boolean | null | Record<string, string>>>
}

/** What the writer needs from Salesforce: one Composite request per call. */
export interface WriterClient {
  /**
   * Sends up to five sObject Collections upserts (≤ 200 records each, `allOrNone: false`) and,
   * when given, a platform-event publish after them, as one Composite request (one API call).
   * Answers one outcome per record, in order, per group.
   * @throws ConnectorError when the request as a whole fails.
   */
  writeBatch(input: {
    groups: UpsertGroup[]
    publish?: { event: string; records: Array<Record<string, string>> }
  }): Promise<{
    groups: RecordOutcome[][]
    published?: RecordOutcome[]
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
