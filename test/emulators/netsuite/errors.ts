import type { EmuResponse } from '../common/router.ts'

/**
 * NetSuite REST error bodies: `{type, title, status, "o:errorDetails": [...]}`.
 * Shape: https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_156570709583.html
 * The `type` URLs and titles match bodies captured from live accounts and quoted in public
 * clients (e.g. `https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1`, "Bad Request").
 *
 * Error codes used here, and how sure we are of them:
 * - `INVALID_LOGIN` (401) and SuiteQL's `INVALID_PARAMETER` with `o:errorQueryParam: "q"` and
 *   "Invalid search query. Detailed unprocessed description follows. ..." — seen in captured
 *   live responses quoted by public clients.
 * - `INVALID_KEY_OR_REF` (bad reference), `USER_ERROR` (missing value), `NONEXISTENT_ID`
 *   (unknown id) — long-standing NetSuite codes; exact REST wording of `detail` is ours.
 * - `INVALID_ID`, `INVALID_CONTENT`, `INVALID_RCRD_TYPE`, `DUP_RCRD`, `INVALID_HEADER` — plausible
 *   NetSuite codes for these cases, not confirmed against REST responses.
 * - `CONCURRENCY_LIMIT_EXCEEDED` (429) — NOT confirmed; REST is documented only as answering
 *   "429 Too Many Requests" when over the account's concurrency limit.
 */
export interface ErrorDetail {
  detail: string
  'o:errorCode': string
  'o:errorPath'?: string
  'o:urlPath'?: string
  'o:errorHeader'?: string
  'o:errorQueryParam'?: string
}

export interface NetsuiteErrorBody {
  type: string
  title: string
  status: number
  'o:errorDetails': ErrorDetail[]
}

const RFC9110 = 'https://www.rfc-editor.org/rfc/rfc9110.html#section-'
const STATUS: Record<number, [title: string, type: string]> = {
  400: ['Bad Request', `${RFC9110}15.5.1`],
  401: ['Unauthorized', `${RFC9110}15.5.2`],
  403: ['Forbidden', `${RFC9110}15.5.4`],
  404: ['Not Found', `${RFC9110}15.5.5`],
  405: ['Method Not Allowed', `${RFC9110}15.5.6`],
  409: ['Conflict', `${RFC9110}15.5.10`],
  415: ['Unsupported Media Type', `${RFC9110}15.5.16`],
  429: ['Too Many Requests', 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4'],
  500: ['Internal Server Error', `${RFC9110}15.6.1`],
  502: ['Bad Gateway', `${RFC9110}15.6.3`],
  503: ['Service Unavailable', `${RFC9110}15.6.4`],
  504: ['Gateway Timeout', `${RFC9110}15.6.5`],
}

const DEFAULT_DETAIL: Record<number, [code: string, detail: string]> = {
  400: ['USER_ERROR', 'Error while accessing a resource.'],
  401: [
    'INVALID_LOGIN',
    'Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.',
  ],
  403: [
    'INSUFFICIENT_PERMISSION',
    'Permission Violation: you do not have permission for this operation.',
  ],
  404: [
    'NONEXISTENT_ID',
    'The record instance does not exist. Provide a valid record instance ID.',
  ],
  429: [
    'CONCURRENCY_LIMIT_EXCEEDED',
    'The request could not be processed because the account has exceeded its concurrency limit.',
  ],
  500: ['UNEXPECTED_ERROR', 'An unexpected error occurred. Error ID: emulator.'],
  503: ['SERVICE_UNAVAILABLE', 'The service is temporarily unavailable. Try again later.'],
}

/** Builds a NetSuite-shaped error body. */
export function errorBody(status: number, details: ErrorDetail[]): NetsuiteErrorBody {
  const [title, type] = STATUS[status] ?? ['Error', `${RFC9110}15`]
  return { type, title, status, 'o:errorDetails': details }
}

/** The body the server sends for an injected fault with this status. */
export function faultBody(status: number): NetsuiteErrorBody {
  const [code, detail] = DEFAULT_DETAIL[status] ?? DEFAULT_DETAIL[status >= 500 ? 500 : 400]!
  return errorBody(status, [{ detail, 'o:errorCode': code }])
}

/** A NetSuite error a handler throws; `toResponse` turns it into the HTTP answer. */
export class NetsuiteError extends Error {
  status: number
  details: ErrorDetail[]
  headers: Record<string, string>

  constructor(
    status: number,
    code: string,
    detail: string,
    extra: Partial<ErrorDetail> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail)
    this.status = status
    this.details = [{ detail, 'o:errorCode': code, ...extra }]
    this.headers = headers
  }

  toResponse(): EmuResponse {
    return {
      status: this.status,
      headers: this.headers,
      body: errorBody(this.status, this.details),
    }
  }
}

/** The 401 NetSuite answers for any failed login (bad or expired token, bad TBA signature). */
export function invalidLogin(): NetsuiteError {
  const [code, detail] = DEFAULT_DETAIL[401]!
  return new NetsuiteError(401, code, detail)
}

/** Runs a handler and converts a thrown `NetsuiteError` into its response. */
export async function catching(
  run: () => EmuResponse | Promise<EmuResponse>,
): Promise<EmuResponse> {
  try {
    return await run()
  } catch (err) {
    if (err instanceof NetsuiteError) return err.toResponse()
    throw err
  }
}
