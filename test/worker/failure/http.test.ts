import { describe, expect, it } from 'vitest'
import { toAppError } from '../../../worker/failure/http.ts'
import type { Failure } from '../../../worker/failure/policy.ts'

const failure = (overrides: Partial<Failure> = {}): Failure => ({
  kind: 'transient',
  code: 'SERVER_UNAVAILABLE',
  message: 'try later',
  ...overrides,
})

describe('toAppError', () => {
  const opts = { unavailable: 'Billing is not answering; try again shortly.' }

  it.each(['transient', 'rate_limited', 'auth'] as const)(
    'answers %s as 503 unavailable, keeping the vendor detail out of the message',
    (category) => {
      const err = toAppError(
        failure({ category, code: 'authentication_failed', retryAfterMs: 2_500 }),
        opts,
      )
      expect(err).toMatchObject({
        status: 503,
        code: 'unavailable',
        message: opts.unavailable,
        retryable: true,
        retryAfter: '3',
        internalMessage: 'authentication_failed: try later',
      })
    },
  )

  it('answers a business refusal as 422 with its code and message', () => {
    const err = toAppError(
      failure({ kind: 'business', code: 'resource_missing', message: 'stripe: No such sub' }),
      opts,
    )
    expect(err).toMatchObject({
      status: 422,
      code: 'resource_missing',
      message: 'stripe: No such sub',
      retryable: false,
    })
    expect(err.retryAfter).toBeUndefined()
  })

  it('answers our own bad request as a generic 500', () => {
    const err = toAppError(
      failure({ kind: 'business', category: 'bad_request', code: 'parameter_unknown' }),
      opts,
    )
    expect(err).toMatchObject({ status: 500, code: 'internal_error', retryable: false })
    expect(err.message).not.toContain('parameter_unknown')
    expect(err.internalMessage).toBe('parameter_unknown: try later')
  })

  it('defaults Retry-After to 5 s when the vendor gave none', () => {
    expect(toAppError(failure(), opts).retryAfter).toBe('5')
  })
})
