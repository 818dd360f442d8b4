import { describe, expect, it } from 'vitest'
import type { VendorResponse } from '../../../worker/connectors/http.ts'
import { toConnectorError } from '../../../worker/connectors/netsuite/errors.ts'
import {
  amendmentExternalId,
  toExternalId,
} from '../../../worker/connectors/netsuite/external-ids.ts'

describe('NetSuite error classification', () => {
  const response = (status: number, body: unknown, retryAfterMs?: number): VendorResponse => ({
    status,
    headers: new Headers(),
    text: JSON.stringify(body),
    json: body,
    retryAfterMs,
  })
  const details = (code: string, detail: string, path?: string) => ({
    type: 'x',
    title: 'x',
    status: 400,
    'o:errorDetails': [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }],
  })

  it.each([
    ['SSS_REQUEST_LIMIT_EXCEEDED', 'transient'],
    ['WS_CONCUR_SESSION_DISALLWD', 'transient'],
    ['RCRD_HAS_BEEN_CHANGED', 'transient'],
    ['INVALID_KEY_OR_REF', 'business'],
    ['USER_ERROR', 'business'],
  ])('classifies a 400 with %s as %s', (code, kind) => {
    expect(
      toConnectorError(response(400, details(code, 'Something about it.', 'entity')), 'the upsert'),
    ).toMatchObject({ kind, code, status: 400 })
  })

  it('keeps NetSuite detail and path in a business message, and copes with a body that is not NetSuite-shaped', () => {
    expect(
      toConnectorError(
        response(
          400,
          details('USER_ERROR', 'Please enter value(s) for: Company Name', 'companyName'),
        ),
        'the upsert of customer eid:X',
      ).message,
    ).toBe(
      'NetSuite refused the upsert of customer eid:X: Please enter value(s) for: Company Name (at companyName)',
    )
    expect(toConnectorError(response(404, '<html>gateway</html>'), 'the read')).toMatchObject({
      kind: 'business',
      code: 'http_404',
      message: 'NetSuite refused the read: HTTP 404',
    })
    expect(toConnectorError(response(502, null, 3000), 'the read')).toMatchObject({
      kind: 'transient',
      code: 'http_502',
      retryAfterMs: 3000,
    })
  })
})

describe('NetSuite external ids', () => {
  it('derives valid, deterministic, one-to-one eids', () => {
    expect(amendmentExternalId('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe(
      'concord-amd-0f8fad5b-d9cb-469f-a165-70867728950e',
    )
    expect(toExternalId('a_b|c d/é')).toBe('a_5Fb_7Cc_20d_2F_C3_A9')
    expect(toExternalId('a_5Fb')).not.toBe(toExternalId('a_b'))
    for (const raw of ['x|y', 'Ünïcode', '__', 'eid:1'])
      expect(toExternalId(raw)).toMatch(/^[A-Za-z0-9_-]+$/)
  })
})
