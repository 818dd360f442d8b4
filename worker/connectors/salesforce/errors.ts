import { isTransientStatus, type VendorResponse } from '../http.ts'
import { ConnectorError } from '../../failure/errors.ts'

export const SYSTEM = 'salesforce'

/**
 * Salesforce error codes that clear on their own, so the same request may succeed later.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
 *
 * - `UNABLE_TO_LOCK_ROW`: another transaction holds the row (Apex, a flow, another writer).
 * - `REQUEST_LIMIT_EXCEEDED`: the org's rolling 24 h allocation or a concurrency limit is spent.
 * - `SERVER_UNAVAILABLE`, `QUERY_TIMEOUT`, `REQUEST_RUNNING_TOO_LONG`: load or maintenance.
 * - `UNKNOWN_EXCEPTION`: Salesforce's own internal error. Counted transient: it says nothing
 *   about our data, and in practice it comes from platform hiccups. It *can* be deterministic
 *   (a broken trigger or package), which is why every caller bounds its transient retries (the
 *   ledger parks after `MAX_TRANSIENT_ATTEMPTS`; the OrgWriter must cap record retries too).
 * - `INVALID_SESSION_ID`: only reaches a caller when a freshly minted token was refused too.
 * - `PROCESSING_HALTED`, `ALL_OR_NONE_OPERATION_ROLLED_BACK`: this record was fine but was
 *   rolled back or skipped because of another one; sending it again can succeed.
 * - `salesforce_auth_failed`: the token endpoint refused us (revoked app, key rotated, user not
 *   pre-authorized). An operator fixes that outside the record, so statuses wait rather than
 *   being dead-lettered, and the ledger still parks the amendment after its bounded attempts.
 *
 * Everything else (validation rules, picklists, lengths, unknown fields, bad or deleted
 * lookups, duplicates, access) is business: the same request will be refused again.
 */
const TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_LIMIT_EXCEEDED',
  'SERVER_UNAVAILABLE',
  'QUERY_TIMEOUT',
  'REQUEST_RUNNING_TOO_LONG',
  'UNKNOWN_EXCEPTION',
  'INVALID_SESSION_ID',
  'PROCESSING_HALTED',
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'salesforce_auth_failed',
  'timeout',
  'network_error',
])

/** Whether a Salesforce error code (request- or record-level) is worth retrying unchanged. */
export function isTransientCode(code: string, message = ''): boolean {
  if (TRANSIENT_CODES.has(code)) return true
  // A trigger that hit a lock reports CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY wrapping the real cause.
  return code === 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' && message.includes('UNABLE_TO_LOCK_ROW')
}

/** One error as Salesforce reports it: `{errorCode|statusCode, message, fields?}`. */
export interface SalesforceErrorItem {
  code: string
  message: string
  fields: string[]
}

/** Reads Salesforce's error list (`[{message, errorCode, fields}]` or record `errors[]`). */
export function errorItems(body: unknown): SalesforceErrorItem[] {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : []
  return list.flatMap((raw): SalesforceErrorItem[] => {
    if (!raw || typeof raw !== 'object') return []
    const e = raw as Record<string, unknown>
    const code =
      typeof e.errorCode === 'string'
        ? e.errorCode
        : typeof e.statusCode === 'string'
          ? e.statusCode
          : undefined
    if (!code) return []
    const fields = Array.isArray(e.fields)
      ? e.fields.filter((f): f is string => typeof f === 'string')
      : []
    return [{ code, message: typeof e.message === 'string' ? e.message : code, fields }]
  })
}

/** The ConnectorError for one Salesforce error item (a record's or a request's). */
export function errorFromItem(
  item: SalesforceErrorItem,
  extra: { status?: number; retryAfterMs?: number } = {},
): ConnectorError {
  const fields = item.fields.length > 0 ? ` (${item.fields.join(', ')})` : ''
  return new ConnectorError({
    kind: isTransientCode(item.code, item.message) ? 'transient' : 'business',
    system: SYSTEM,
    code: item.code,
    message: `${item.message}${fields}`,
    status: extra.status,
    retryAfterMs: extra.retryAfterMs,
  })
}

/**
 * The ConnectorError for a failed HTTP response: its first Salesforce error code when the body
 * has one, else the bare status. 5xx, 429 and 408 are transient whatever the body says.
 */
export function errorFromResponse(
  res: Pick<VendorResponse, 'status' | 'json' | 'retryAfterMs'>,
): ConnectorError {
  const [first] = errorItems(res.json)
  const item = first ?? {
    code: `http_${res.status}`,
    message: `Salesforce answered ${res.status}`,
    fields: [],
  }
  const err = errorFromItem(item, { status: res.status, retryAfterMs: res.retryAfterMs })
  if (err.kind === 'business' && isTransientStatus(res.status)) {
    return new ConnectorError({
      kind: 'transient',
      system: SYSTEM,
      code: err.code,
      message: err.message,
      status: res.status,
      retryAfterMs: res.retryAfterMs,
    })
  }
  return err
}

/** A ConnectorError raised by the connector itself (not read from a Salesforce answer). */
export function connectorError(
  kind: 'transient' | 'business',
  code: string,
  message: string,
  status?: number,
): ConnectorError {
  return new ConnectorError({ kind, system: SYSTEM, code, message, status })
}
