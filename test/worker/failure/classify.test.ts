import { describe, expect, it } from 'vitest'
import { classify, type FailureFacts } from '../../../worker/failure/classify.ts'
import { ConnectorError, type FailureCategory } from '../../../worker/failure/errors.ts'

type Row = [string, Omit<FailureFacts, 'system'>, FailureCategory]

const cases = (system: string, rows: Row[]) =>
  rows.map(([name, facts, category]) => [system, name, category, { system, ...facts }] as const)

describe('classify', () => {
  it.each([
    ...cases('stripe', [
      ['401 (our key)', { status: 401, vendorCode: 'api_key_expired' }, 'auth'],
      ['403 (a permission)', { status: 403 }, 'auth'],
      ['401 even when Stripe says retry', { status: 401, vendorSaysRetry: true }, 'auth'],
      ['429 rate_limit', { status: 429, vendorCode: 'rate_limit' }, 'rate_limited'],
      ['429 lock_timeout', { status: 429, vendorCode: 'lock_timeout' }, 'transient'],
      [
        '409 idempotency_key_in_use',
        { status: 409, vendorCode: 'idempotency_key_in_use' },
        'transient',
      ],
      ['500 api_error', { status: 500, vendorCode: 'api_error' }, 'transient'],
      ['a replayed 500', { status: 500, vendorCode: 'api_error', replayed: true }, 'business'],
      ['a replayed 429', { status: 429, vendorCode: 'rate_limit', replayed: true }, 'rate_limited'],
      [
        '400 with Stripe-Should-Retry: true',
        { status: 400, vendorCode: 'x', vendorSaysRetry: true },
        'transient',
      ],
      ['500 with Stripe-Should-Retry: false', { status: 500, vendorSaysRetry: false }, 'business'],
      ['400 resource_missing', { status: 400, vendorCode: 'resource_missing' }, 'business'],
      ['402 card_declined', { status: 402, vendorCode: 'card_declined' }, 'business'],
      ['404', { status: 404, vendorCode: 'resource_missing' }, 'business'],
      ['400 parameter_unknown', { status: 400, vendorCode: 'parameter_unknown' }, 'bad_request'],
      ['400 parameter_missing', { status: 400, vendorCode: 'parameter_missing' }, 'bad_request'],
      // Stripe's codes name the category but never decide: a 400 lock_timeout is refused.
      ['400 lock_timeout', { status: 400, vendorCode: 'lock_timeout' }, 'business'],
      ['408 (not Stripe-retried)', { status: 408 }, 'business'],
      ['no answer', { network: true }, 'transient'],
    ]),
    ...cases('salesforce', [
      ['UNABLE_TO_LOCK_ROW on a record', { vendorCode: 'UNABLE_TO_LOCK_ROW' }, 'transient'],
      [
        'REQUEST_LIMIT_EXCEEDED (403)',
        { status: 403, vendorCode: 'REQUEST_LIMIT_EXCEEDED' },
        'rate_limited',
      ],
      ['INVALID_SESSION_ID (401)', { status: 401, vendorCode: 'INVALID_SESSION_ID' }, 'auth'],
      ['salesforce_auth_failed', { vendorCode: 'salesforce_auth_failed' }, 'auth'],
      ['UNKNOWN_EXCEPTION (500)', { status: 500, vendorCode: 'UNKNOWN_EXCEPTION' }, 'transient'],
      ['PROCESSING_HALTED', { vendorCode: 'PROCESSING_HALTED' }, 'transient'],
      [
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        { vendorCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' },
        'transient',
      ],
      [
        'a trigger that hit a lock',
        {
          vendorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
          vendorMessage:
            'MyTrigger: execution of AfterUpdate caused by: System.DmlException: UNABLE_TO_LOCK_ROW',
        },
        'transient',
      ],
      [
        'a trigger that threw otherwise',
        {
          vendorCode: 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY',
          vendorMessage: 'MyTrigger: Attempt to de-reference a null object',
        },
        'business',
      ],
      [
        'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        { status: 400, vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
        'business',
      ],
      ['MALFORMED_QUERY', { status: 400, vendorCode: 'MALFORMED_QUERY' }, 'bad_request'],
      [
        'a refusal code under a 503',
        { status: 503, vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
        'transient',
      ],
      ['a bare 429', { status: 429, vendorCode: 'http_429' }, 'rate_limited'],
      ['a bare 408', { status: 408, vendorCode: 'http_408' }, 'transient'],
      ['a bare 404', { status: 404, vendorCode: 'http_404' }, 'business'],
    ]),
    ...cases('netsuite', [
      ['401', { status: 401, vendorCode: 'INVALID_LOGIN' }, 'auth'],
      [
        '400 SSS_REQUEST_LIMIT_EXCEEDED',
        { status: 400, vendorCode: 'SSS_REQUEST_LIMIT_EXCEEDED' },
        'rate_limited',
      ],
      [
        '400 WS_CONCUR_SESSION_DISALLWD',
        { status: 400, vendorCode: 'WS_CONCUR_SESSION_DISALLWD' },
        'rate_limited',
      ],
      [
        '400 RCRD_HAS_BEEN_CHANGED',
        { status: 400, vendorCode: 'RCRD_HAS_BEEN_CHANGED' },
        'transient',
      ],
      [
        'a concurrency code second in the list',
        { status: 400, vendorCode: ['USER_ERROR', 'CONCURRENCY_LIMIT_EXCEEDED'] },
        'rate_limited',
      ],
      ['400 USER_ERROR', { status: 400, vendorCode: 'USER_ERROR' }, 'business'],
      ['400 INVALID_KEY_OR_REF', { status: 400, vendorCode: ['INVALID_KEY_OR_REF'] }, 'business'],
      [
        '400 INVALID_PARAMETER (SuiteQL)',
        { status: 400, vendorCode: 'INVALID_PARAMETER' },
        'bad_request',
      ],
      ['403', { status: 403 }, 'business'],
      ['502 with no body', { status: 502, vendorCode: [] }, 'transient'],
      ['429', { status: 429 }, 'rate_limited'],
    ]),
    ...cases('billing', [
      ['a 503 from a system without tables', { status: 503 }, 'transient'],
      ['a 401 from a system without tables', { status: 401 }, 'business'],
      [
        'a vendor code another vendor retries',
        { status: 400, vendorCode: 'UNABLE_TO_LOCK_ROW' },
        'business',
      ],
    ]),
  ])('%s: %s is %s', (_system, _name, category, facts) => {
    expect(classify(facts)).toEqual({
      category,
      kind: category === 'business' || category === 'bad_request' ? 'business' : 'transient',
    })
  })
})

describe('ConnectorError', () => {
  it('derives its category from a kind alone', () => {
    const base = { system: 'double', code: 'x', message: 'm' }
    expect(new ConnectorError({ ...base, kind: 'transient' })).toMatchObject({
      kind: 'transient',
      category: 'transient',
    })
    expect(new ConnectorError({ ...base, kind: 'business' })).toMatchObject({
      kind: 'business',
      category: 'business',
    })
  })

  it.each([
    ['rate_limited', 'transient'],
    ['auth', 'transient'],
    ['bad_request', 'business'],
  ] as const)(
    'keeps kind in step with a %s category, whatever kind was passed',
    (category, kind) => {
      const err = new ConnectorError({
        system: 'double',
        code: 'x',
        message: 'm',
        category,
        kind: kind === 'business' ? 'transient' : 'business',
      })
      expect(err).toMatchObject({ category, kind })
      expect(err).toBeInstanceOf(Error)
    },
  )
})
