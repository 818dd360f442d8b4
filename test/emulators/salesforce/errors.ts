import type { EmuResponse } from '../common/router.ts'

/**
 * Salesforce REST error shapes. A request-level failure is an array of
 * `{message, errorCode, fields?}`; a per-record failure inside a SaveResult/UpsertResult is
 * `{statusCode, message, fields}`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export interface RestError {
  message: string
  errorCode: string
  fields?: string[]
}

export interface RecordError {
  statusCode: string
  message: string
  fields: string[]
}

/** A request-level failure raised anywhere in a handler and turned into its response. */
export class SalesforceApiError extends Error {
  readonly status: number
  readonly errorCode: string
  readonly fields?: string[]

  constructor(status: number, errorCode: string, message: string, fields?: string[]) {
    super(message)
    this.status = status
    this.errorCode = errorCode
    this.fields = fields
  }

  toResponse(): EmuResponse {
    const body: RestError = { message: this.message, errorCode: this.errorCode }
    if (this.fields) body.fields = this.fields
    return { status: this.status, body: [body] }
  }
}

/** One `[{message, errorCode}]` response. */
export function restError(status: number, errorCode: string, message: string): EmuResponse {
  return { status, body: [{ message, errorCode }] }
}

export const INVALID_SESSION: EmuResponse = restError(
  401,
  'INVALID_SESSION_ID',
  'Session expired or invalid',
)

export const NOT_FOUND: EmuResponse = restError(
  404,
  'NOT_FOUND',
  'The requested resource does not exist',
)

/** Record-level error. */
export function recordError(
  statusCode: string,
  message: string,
  fields: string[] = [],
): RecordError {
  return { statusCode, message, fields }
}

/** What an injected HTTP fault looks like coming from Salesforce's REST tier. */
export function faultBody(status: number): unknown {
  switch (status) {
    case 401:
      return [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]
    case 403:
    case 429:
      return [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]
    case 404:
      return [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]
    case 502:
    case 503:
    case 504:
      return [{ message: 'Server temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }]
    default:
      if (status >= 500) {
        return [
          {
            message:
              'An unexpected error occurred. Please include this ErrorId if you contact support: 1482311452-61543 (-1317946021)',
            errorCode: 'UNKNOWN_EXCEPTION',
          },
        ]
      }
      return [{ message: `Request failed with status ${status}`, errorCode: 'BAD_REQUEST' }]
  }
}
