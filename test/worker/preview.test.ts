import { exports } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useConnectorFactory } from './support/wiring.ts'
import { signRequest } from '../../worker/lib/signature.ts'
import { business, DoubleConnectors, transient } from '../doubles/connectors.ts'
import { expectSafeError, newAccountId } from './support/helpers.ts'
import { TEST_EVENTS_SECRET } from './support/test-config.ts'

let doubles: DoubleConnectors
beforeEach(() => {
  doubles = new DoubleConnectors()
  useConnectorFactory(() => doubles)
})
afterEach(() => useConnectorFactory())

async function preview(
  fields: Record<string, unknown>,
  secret = TEST_EVENTS_SECRET,
): Promise<Response> {
  const body = JSON.stringify({
    Account_Id__c: newAccountId(),
    Subscription_Key__c: 'SUB-PREVIEW',
    Action__c: 'change_quantity',
    Quantity__c: 7,
    Proration__c: 'create_prorations',
    Price_Key__c: null,
    Cancel_Mode__c: null,
    Effective_Date__c: null,
    ...fields,
  })
  const headers = await signRequest(secret, {
    method: 'POST',
    target: '/v1/amendments/preview',
    body,
  })
  return exports.default.fetch('https://concord.test/v1/amendments/preview', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  })
}

describe('POST /v1/amendments/preview', () => {
  it('answers billing’s proration lines and totals in minor units', async () => {
    const res = await preview({})
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      currency: 'USD',
      lines: [{ description: '7 × seat (prorated)', amount: 7000, quantity: 7, proration: true }],
      subtotal: 7000,
      total: 7000,
      amountDueNow: 7000,
      prorationDate: expect.any(Number) as number,
      previewToken: expect.stringMatching(/^v1\.\d+\.0\.-\.[0-9a-f]{64}$/) as string,
    })
    expect(doubles.effects).toEqual([])
  })

  it('names the invalid field', async () => {
    const res = await preview({ Quantity__c: null })
    expect(res.status).toBe(400)
    expect((await expectSafeError(res)).details).toEqual([
      { field: 'Quantity__c', message: 'is required for a quantity change' },
    ])
  })

  it('refuses an unsigned or wrongly signed request', async () => {
    const res = await preview({}, 'y'.repeat(40))
    expect(res.status).toBe(401)
    await expectSafeError(res)
  })

  it('passes a billing refusal through as 422 and an outage as 503', async () => {
    doubles.failNext(
      'billing.previewAmendment',
      business('resource_missing', 'No such subscription'),
    )
    const refused = await preview({})
    expect(refused.status).toBe(422)
    expect((await expectSafeError(refused)).message).toBe('double: No such subscription')
    doubles.failNext('billing.previewAmendment', transient('service_unavailable'))
    const down = await preview({})
    expect(down.status).toBe(503)
    expect((await expectSafeError(down)).message).not.toContain('service_unavailable')
  })

  it('tells the caller when to ask again: billing’s Retry-After, else 5 s', async () => {
    doubles.failNext('billing.previewAmendment', transient('rate_limited', 12_000))
    const limited = await preview({})
    expect(limited.status).toBe(503)
    expect(limited.headers.get('retry-after')).toBe('12')
    expect((await expectSafeError(limited)).code).toBe('unavailable')
    doubles.failNext('billing.previewAmendment', transient('service_unavailable'))
    expect((await preview({})).headers.get('retry-after')).toBe('5')
    doubles.failNext('billing.previewAmendment', business('resource_missing'))
    expect((await preview({})).headers.get('retry-after')).toBeNull()
  })
})
