import { AppError, UnavailableError } from '../errors.ts'
import { categoryOf } from './errors.ts'
import type { Failure } from './policy.ts'

/**
 * The one mapping from a connector failure to the HTTP error model, for routes that answer a
 * vendor's failure to their caller:
 *
 * | category                 | status | code             | message                                 |
 * |--------------------------|--------|------------------|-----------------------------------------|
 * | transient, rate_limited  | 503    | `unavailable`    | `opts.unavailable`, with `Retry-After`  |
 * | auth (our credentials)   | 503    | `unavailable`    | `opts.unavailable`, with `Retry-After`  |
 * | business                 | 422    | the vendor code  | the failure's message                   |
 * | bad_request (our defect) | 500    | `internal_error` | a generic one                           |
 *
 * The caller never learns that our credentials were refused or that we built a bad request:
 * the vendor's code and message go to `internalMessage` (logs) only. A business message is
 * shown as is: connectors build those safe to show (secrets redacted).
 */
export function toAppError(failure: Failure, opts: { unavailable: string }): AppError {
  const internal = `${failure.code}: ${failure.message}`
  switch (categoryOf(failure)) {
    case 'business':
      return new AppError({ code: failure.code, status: 422, message: failure.message })
    case 'bad_request':
      return new AppError({
        code: 'internal_error',
        status: 500,
        message: 'Something went wrong inside Concord.',
        internalMessage: internal,
      })
    default:
      return new UnavailableError(opts.unavailable, internal, failure.retryAfterMs)
  }
}
