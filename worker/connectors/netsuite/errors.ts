import { isTransientStatus, type VendorResponse } from '../http.ts'
import { ConnectorError } from '../../failure/errors.ts'

/**
 * NetSuite REST error bodies: `{type, title, status, "o:errorDetails": [{detail, "o:errorCode",
 * "o:errorPath"?, ...}]}` (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html).
 */
export interface NetsuiteErrorDetail {
  detail: string
  code?: string
  path?: string
}

/** Codes that mean "not now" even when they come with a 400 (RESTlets answer concurrency this way). */
const TRANSIENT_CODES = new Set([
  'SSS_REQUEST_LIMIT_EXCEEDED',
  'CONCURRENCY_LIMIT_EXCEEDED',
  'WS_REQUEST_BLOCKED',
  'WS_CONCUR_SESSION_DISALLWD',
  // Optimistic locking: someone saved the record between our read and write.
  'RCRD_HAS_BEEN_CHANGED',
])

const MAX_MESSAGE = 500

export function parseErrorDetails(body: unknown): NetsuiteErrorDetail[] {
  const list = (body as { 'o:errorDetails'?: unknown } | null)?.['o:errorDetails']
  if (!Array.isArray(list)) return []
  return list.flatMap((item: unknown) => {
    if (!item || typeof item !== 'object') return []
    const d = item as Record<string, unknown>
    const detail = typeof d.detail === 'string' ? d.detail : ''
    const code = typeof d['o:errorCode'] === 'string' ? d['o:errorCode'] : undefined
    const path = typeof d['o:errorPath'] === 'string' ? d['o:errorPath'] : undefined
    return detail || code ? [{ detail, code, path }] : []
  })
}

/**
 * Turns a non-2xx NetSuite answer into a `ConnectorError`. 429, 5xx and concurrency codes are
 * transient (with `Retry-After` when given); 401 is transient (a re-mint was already tried, and
 * NetSuite is reported to answer 401 for over-limit TBA calls too); other 4xx are business errors
 * carrying NetSuite's own code and detail, which are safe to show an operator.
 * `what` names the operation, e.g. `upsert of customer eid:001...`.
 */
export function toConnectorError(res: VendorResponse, what: string): ConnectorError {
  const details = parseErrorDetails(res.json)
  const first = details[0]
  const code = first?.code ?? `http_${res.status}`
  const detailText = details
    .map((d) => (d.path ? `${d.detail} (at ${d.path})` : d.detail))
    .filter(Boolean)
    .join('; ')
  const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s)
  const base = { system: 'netsuite', status: res.status, retryAfterMs: res.retryAfterMs }
  if (res.status === 401) {
    return new ConnectorError({
      ...base,
      kind: 'transient',
      code: 'INVALID_LOGIN',
      message: clip(`NetSuite refused the login for ${what}; see the Login Audit Trail.`),
    })
  }
  if (isTransientStatus(res.status) || details.some((d) => d.code && TRANSIENT_CODES.has(d.code))) {
    return new ConnectorError({
      ...base,
      kind: 'transient',
      code,
      message: clip(
        `NetSuite is not taking ${what} now (HTTP ${res.status}${detailText ? `: ${detailText}` : ''}).`,
      ),
    })
  }
  return new ConnectorError({
    ...base,
    kind: 'business',
    code,
    message: clip(`NetSuite refused ${what}: ${detailText || `HTTP ${res.status}`}`),
  })
}
