import type { VendorResponse } from '../http.ts'
import { classify } from '../../failure/classify.ts'
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
 * Turns a non-2xx NetSuite answer into a `ConnectorError`, classified by `classify` from the
 * status and every detail's code (429, 5xx and concurrency codes are retried, with
 * `Retry-After` when given; 401 is our login; other 4xx are refusals). Refusals carry NetSuite's
 * own code and detail, which are safe to show an operator.
 * `what` names the operation, e.g. `upsert of customer eid:001...`.
 */
export function toConnectorError(res: VendorResponse, what: string): ConnectorError {
  const details = parseErrorDetails(res.json)
  const code = details[0]?.code ?? `http_${res.status}`
  const detailText = details
    .map((d) => (d.path ? `${d.detail} (at ${d.path})` : d.detail))
    .filter(Boolean)
    .join('; ')
  const clip = (s: string) => (s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE - 1)}…` : s)
  const { category, kind } = classify({
    system: 'netsuite',
    status: res.status,
    vendorCode: details.flatMap((d) => (d.code ? [d.code] : [])),
    retryAfterMs: res.retryAfterMs,
  })
  const base = { system: 'netsuite', category, status: res.status, retryAfterMs: res.retryAfterMs }
  if (category === 'auth')
    return new ConnectorError({
      ...base,
      code: 'INVALID_LOGIN',
      message: clip(`NetSuite refused the login for ${what}; see the Login Audit Trail.`),
    })
  if (kind === 'transient')
    return new ConnectorError({
      ...base,
      code,
      message: clip(
        `NetSuite is not taking ${what} now (HTTP ${res.status}${detailText ? `: ${detailText}` : ''}).`,
      ),
    })
  return new ConnectorError({
    ...base,
    code,
    message: clip(`NetSuite refused ${what}: ${detailText || `HTTP ${res.status}`}`),
  })
}
