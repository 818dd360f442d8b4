import type { VendorResponse } from '../http.ts'
import { classify } from '../../failure/classify.ts'
import { ConnectorError, type FailureCategory } from '../../failure/errors.ts'

export const SYSTEM = 'salesforce'

/**
 * Whether a Salesforce error code (request- or record-level) is worth retrying unchanged; the
 * code tables live in `worker/failure/classify.ts`.
 */
export function isTransientCode(code: string, message = ''): boolean {
  return classify({ system: SYSTEM, vendorCode: code, vendorMessage: message }).kind === 'transient'
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
  const { category } = classify({
    system: SYSTEM,
    vendorCode: item.code,
    vendorMessage: item.message,
    ...extra,
  })
  return new ConnectorError({
    category,
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
  return errorFromItem(item, { status: res.status, retryAfterMs: res.retryAfterMs })
}

/** A ConnectorError raised by the connector itself (not read from a Salesforce answer). */
export function connectorError(
  category: FailureCategory,
  code: string,
  message: string,
  status?: number,
): ConnectorError {
  return new ConnectorError({ category, system: SYSTEM, code, message, status })
}
