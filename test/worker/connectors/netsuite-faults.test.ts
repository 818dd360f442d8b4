import { env } from 'cloudflare:workers'
import { netsuiteControl, netsuiteParts } from './netsuite-support.ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import { TOKEN_PATH } from '../../../worker/connectors/netsuite/auth-m2m.ts'
import { amendmentExternalId } from '../../../worker/connectors/netsuite/external-ids.ts'
import type { NetsuiteSettings } from '../../../worker/config/types.ts'
import type { BillingResult } from '../../../worker/connectors/types.ts'
import { loadConfig } from '../../../worker/config/load.ts'
import { newAccountId, requestUrl } from '../support/helpers.ts'

/**
 * NetSuite failures injected into the shared emulator. Fault rules are global to it (each call
 * replaces them all), so every fault-injecting NetSuite test lives in this one file, where tests
 * run one by one; rules name this test's own record route and are cleared after each test.
 */
const erpOf = (overrides: Partial<NetsuiteSettings> = {}) =>
  netsuiteParts('faults', { writeAddress: false, ...overrides }).erp
const control = netsuiteControl
const faults = (...rules: Array<Record<string, unknown>>) => control('faults', { rules })

async function effectsOn(target: string): Promise<string[]> {
  const { effects } = await control<{ effects: Array<{ kind: string; target: string }> }>('effects')
  return effects.filter((e) => e.target === target).map((e) => e.kind)
}

const profile = (accountId: string) => ({
  accountId,
  name: 'Faulty Ltd',
  currency: 'USD',
  legalEntity: 'US-INC',
  billingCustomerId: 'cus_FAULT',
})
const ctx = { idempotencyKey: 'k', correlationId: 'corr-fault' }

afterEach(async () => {
  vi.restoreAllMocks()
  await faults()
})

describe('NetSuite under faults', () => {
  it('retries an order whose response was lost after it took effect: one order, one line', async () => {
    const account = newAccountId()
    const { customerId } = await erpOf().ensureCustomer(profile(account), ctx)
    const a = Amendment.parse({
      id: crypto.randomUUID(),
      accountId: account,
      subscriptionKey: 'SUB-FAULT',
      sequence: 1,
      action: 'create',
      priceKey: 'pro-monthly-usd',
      quantity: 4,
      correlationId: 'corr-lost',
      createdAt: '2026-11-21T09:30:02.000Z',
    })
    const eid = amendmentExternalId(a.id)
    const billing: BillingResult = {
      subscriptionId: 'sub_FAULT',
      ref: 'sub_FAULT',
      status: 'active',
    }
    const input = {
      amendment: a,
      customerId,
      billing,
      price: loadConfig(env).catalog.prices['pro-monthly-usd'],
    }
    await faults({
      route: `PUT /services/rest/record/v1/salesOrder/eid:${eid}`,
      status: 503,
      count: 1,
      afterEffect: true,
    })
    const lost = await erpOf()
      .recordAmendment(input, ctx)
      .catch((e: unknown) => e)
    expect(lost).toMatchObject({ kind: 'transient', status: 503 })
    const retried = await erpOf().recordAmendment(input, ctx)
    expect(retried.ref).toMatch(/^salesOrder:\d+$/)
    expect(await effectsOn(`salesOrder:${eid}`)).toEqual([
      'salesOrder.upsert.create',
      'salesOrder.upsert.noop',
    ])
    const order = await control<{ item: { items: unknown[] }; total: number }>('netsuite/record', {
      type: 'salesOrder',
      ref: `eid:${eid}`,
    })
    expect(order.item.items).toHaveLength(1)
    expect(order.total).toBe(200)
  })

  it('answers a 429 with its Retry-After as transient, and the retry then creates the customer once', async () => {
    const account = newAccountId()
    await faults({
      route: `PUT /services/rest/record/v1/customer/eid:${account}`,
      status: 429,
      retryAfter: 7,
      count: 1,
    })
    const err = await erpOf()
      .ensureCustomer(profile(account), ctx)
      .catch((e: unknown) => e)
    expect(err).toMatchObject({
      kind: 'transient',
      code: 'CONCURRENCY_LIMIT_EXCEEDED',
      status: 429,
      retryAfterMs: 7000,
    })
    await erpOf().ensureCustomer(profile(account), ctx)
    expect(await effectsOn(`customer:${account}`)).toEqual(['customer.upsert.create'])
  })

  it('answers 5xx and a timeout as transient', async () => {
    const account = newAccountId()
    await faults({ route: `customer/eid:${account}`, status: 500, count: 1 })
    expect(
      await erpOf()
        .ensureCustomer(profile(account), ctx)
        .catch((e: unknown) => e),
    ).toMatchObject({ kind: 'transient', code: 'UNEXPECTED_ERROR', status: 500 })
    await faults({ route: `customer/eid:${account}`, hang: true, count: 1 })
    const timedOut = await erpOf({ timeoutMs: 300 })
      .ensureCustomer(profile(account), ctx)
      .catch((e: unknown) => e)
    expect(timedOut).toMatchObject({ kind: 'transient', code: 'timeout' })
  })

  it('re-mints the token once on a 401, then gives up with a transient INVALID_LOGIN', async () => {
    const account = newAccountId()
    await faults({ route: `customer/eid:${account}`, status: 401, count: 2 })
    const spy = vi.spyOn(globalThis, 'fetch')
    const err = await erpOf()
      .ensureCustomer(profile(account), ctx)
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'INVALID_LOGIN', status: 401 })
    expect((err as Error).message).not.toMatch(/Bearer|nsat\./)
    const calls = spy.mock.calls.map(([input]) => requestUrl(input))
    expect(calls.filter((url) => url.endsWith(TOKEN_PATH))).toHaveLength(1)
    expect(calls.filter((url) => url.includes(`/customer/eid:${account}`))).toHaveLength(2)
  })
})
