import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Amendment, type CatalogEntry } from '../../../shared/index.ts'
import type { VendorResponse } from '../../../worker/connectors/http.ts'
import { toConnectorError } from '../../../worker/connectors/netsuite/errors.ts'
import { amendmentExternalId, toExternalId } from '../../../worker/connectors/netsuite/external-ids.ts'
import { createNetsuite } from '../../../worker/connectors/netsuite/index.ts'
import { readSettings, type NetsuiteSettings } from '../../../worker/connectors/netsuite/settings.ts'
import { ConnectorError, type BillingResult } from '../../../worker/connectors/types.ts'
import { loadConfig } from '../../../worker/env.ts'
import { newAccountId } from '../support/helpers.ts'

/**
 * Against the shared NetSuite emulator: every test uses a fresh Account id (so fresh external
 * ids) and reads only the effects on its own targets. Fault rules are global to the emulator, so
 * every fault-injecting NetSuite test lives in this one file (tests in a file run one by one).
 */
const BASE = env.NETSUITE_BASE_URL as string

function settings(overrides: Partial<NetsuiteSettings> = {}): NetsuiteSettings {
  const read = readSettings(env)
  if (read.status !== 'ok') throw new Error(`the worker test env has no NetSuite settings (${read.status})`)
  return { ...read.settings, writeAddress: false, ...overrides }
}
const erpOf = (overrides: Partial<NetsuiteSettings> = {}) => createNetsuite(settings(overrides), env.NETSUITE_GATE, { name: `records-${crypto.randomUUID()}` }).erp

async function control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${BASE}/__control/${path}`, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}
const faults = (...rules: Array<Record<string, unknown>>) => control('faults', { rules })
const record = (type: string, ref: string) => control<Record<string, unknown>>('netsuite/record', { type, ref })

async function effectsOn(target: string): Promise<Array<{ kind: string; correlationId?: string }>> {
  const { effects } = await control<{ effects: Array<{ kind: string; target: string; correlationId?: string }> }>('effects')
  return effects.filter((e) => e.target === target).map(({ kind, correlationId }) => ({ kind, correlationId }))
}

const price = (key: string): CatalogEntry => {
  const entry = loadConfig(env).catalog.prices[key]
  if (!entry) throw new Error(`demo catalog has no ${key}`)
  return entry
}

function profile(accountId: string, extra: Record<string, unknown> = {}) {
  return { accountId, name: 'Acme Widgets Ltd', currency: 'GBP', legalEntity: 'UK-LTD', billingCustomerId: 'cus_TEST123', ...extra }
}

function amendment(accountId: string, fields: Record<string, unknown> = {}): Amendment {
  return Amendment.parse({
    id: crypto.randomUUID(),
    accountId,
    subscriptionKey: 'SUB-NS-1',
    sequence: 1,
    action: 'create',
    priceKey: 'pro-monthly-usd',
    quantity: 10,
    correlationId: `corr-${crypto.randomUUID().slice(0, 8)}`,
    createdAt: '2026-11-21T09:30:02.000Z',
    ...fields,
  })
}

const billing: BillingResult = { subscriptionId: 'sub_NS123', ref: 'sub_NS123', status: 'active', currency: 'USD' }

afterEach(async () => {
  vi.restoreAllMocks()
  await faults()
})

describe('NetSuite ensureCustomer', () => {
  it('upserts the customer by account id once; the repeat is a noop with the same internal id', async () => {
    const account = newAccountId()
    const erp = erpOf()
    const ctx = { idempotencyKey: `${account}:customer:erp`, correlationId: 'corr-cust-1' }
    const first = await erp.ensureCustomer(profile(account), ctx)
    const second = await erp.ensureCustomer(profile(account), ctx)
    expect(second).toEqual(first)
    expect(first).toEqual({ customerId: expect.stringMatching(/^\d+$/), subsidiaryId: '2' })
    expect(await effectsOn(`customer:${account}`)).toEqual([
      { kind: 'customer.upsert.create', correlationId: 'corr-cust-1' },
      { kind: 'customer.upsert.noop', correlationId: 'corr-cust-1' },
    ])
    const saved = await record('customer', `eid:${account}`)
    expect(saved).toMatchObject({
      id: first.customerId,
      externalId: account,
      companyName: 'Acme Widgets Ltd',
      isPerson: false,
      subsidiary: { id: '2' },
      currency: { id: '2', refName: 'GBP' },
      custentity_concord_stripe_customer_id: 'cus_TEST123',
      custentity_concord_correlation_id: 'corr-cust-1',
    })
  })

  it('takes the subsidiary from the * rule for an unmapped legal entity, and parks without any rule', async () => {
    const account = newAccountId()
    const ctx = { idempotencyKey: `${account}:customer:erp`, correlationId: 'corr-cust-2' }
    expect((await erpOf().ensureCustomer(profile(account, { legalEntity: 'MARS-LLC', currency: undefined }), ctx)).subsidiaryId).toBe('1')
    const err = await erpOf({ subsidiaryRules: { 'US-INC': '1' } }).ensureCustomer(profile(newAccountId(), { legalEntity: 'MARS-LLC' }), ctx).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'no_subsidiary_rule' })
    expect((err as Error).message).toMatch(/MARS-LLC/)
  })

  it('parks on a currency NetSuite does not have', async () => {
    const account = newAccountId()
    const err = await erpOf().ensureCustomer(profile(account, { currency: 'XTS' }), { idempotencyKey: 'k', correlationId: 'c' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'unknown_currency' })
    expect(await effectsOn(`customer:${account}`)).toEqual([])
  })

  it('writes the billing address as the default addressBook line, replacing rather than appending on a retry', async () => {
    const account = newAccountId()
    const real = globalThis.fetch.bind(globalThis)
    const spy = vi.spyOn(globalThis, 'fetch').mockImplementation((input, init) =>
      String(input).includes('/record/v1/customer/')
        ? Promise.resolve(new Response(null, { status: 204, headers: { location: `${BASE}/services/rest/record/v1/customer/4242` } }))
        : real(input, init),
    )
    const address = { street: '1 Main St\nSuite 5', city: 'London', postalCode: 'EC1A 1BB', country: 'gb' }
    const result = await erpOf({ writeAddress: true }).ensureCustomer(profile(account, { currency: undefined, billingAddress: address }), { idempotencyKey: 'k', correlationId: 'c' })
    expect(result.customerId).toBe('4242')
    const [url, init] = spy.mock.calls.find(([input]) => String(input).includes('/record/v1/customer/')) as [string, RequestInit]
    expect(url).toBe(`${BASE}/services/rest/record/v1/customer/eid:${account}?replace=addressBook`)
    expect(JSON.parse(init.body as string).addressBook).toEqual({
      items: [{ defaultBilling: true, defaultShipping: true, label: 'Billing', addressBookAddress: { addr1: '1 Main St', addr2: 'Suite 5', city: 'London', zip: 'EC1A 1BB', country: { id: 'GB' } } }],
    })
  })
})

describe('NetSuite recordAmendment', () => {
  async function customer(account: string): Promise<string> {
    return (await erpOf().ensureCustomer(profile(account, { currency: 'USD', legalEntity: 'US-INC' }), { idempotencyKey: 'k', correlationId: 'c' })).customerId
  }

  it('records a create as one sales order, and a retry after a lost response changes nothing', async () => {
    const account = newAccountId()
    const customerId = await customer(account)
    const a = amendment(account)
    const eid = amendmentExternalId(a.id)
    const input = { amendment: a, customerId, billing, price: price('pro-monthly-usd') }
    const ctx = { idempotencyKey: `${a.id}:erp`, correlationId: a.correlationId }
    await faults({ route: `PUT /services/rest/record/v1/salesOrder/eid:${eid}`, status: 503, count: 1, afterEffect: true })
    const lost = await erpOf().recordAmendment(input, ctx).catch((e: unknown) => e)
    expect(lost).toMatchObject({ kind: 'transient', status: 503 })
    const first = await erpOf().recordAmendment(input, ctx)
    const again = await erpOf().recordAmendment(input, ctx)
    expect(again).toEqual(first)
    expect(first.ref).toMatch(/^salesOrder:\d+$/)
    expect(await effectsOn(`salesOrder:${eid}`)).toEqual([
      { kind: 'salesOrder.upsert.create', correlationId: a.correlationId },
      { kind: 'salesOrder.upsert.noop', correlationId: a.correlationId },
      { kind: 'salesOrder.upsert.noop', correlationId: a.correlationId },
    ])
    const order = await record('salesOrder', `eid:${eid}`)
    expect(order).toMatchObject({ id: first.ref.split(':')[1], entity: { id: customerId }, tranDate: '2026-11-21', otherRefNum: 'sub_NS123', total: 500 })
    expect(order.memo).toBe(`Concord create SUB-NS-1 #1 correlationId=${a.correlationId} billingRef=sub_NS123`)
    expect((order.item as { items: unknown[] }).items).toEqual([expect.objectContaining({ item: expect.objectContaining({ id: '10' }), quantity: 10, rate: 50 })])
  })

  it('takes the item and rate of the previous order for a quantity change without a price key, then records a cancel at 0', async () => {
    const account = newAccountId()
    const customerId = await customer(account)
    const erp = erpOf()
    const create = amendment(account, { priceKey: 'team-monthly-usd' })
    const created = await erp.recordAmendment({ amendment: create, customerId, billing, price: price('team-monthly-usd') }, { idempotencyKey: 'k1', correlationId: create.correlationId })
    const more = amendment(account, { sequence: 2, action: 'change_quantity', priceKey: undefined, quantity: 12 })
    const changed = await erp.recordAmendment({ amendment: more, customerId, billing }, { idempotencyKey: 'k2', correlationId: more.correlationId })
    const cancel = amendment(account, { sequence: 3, action: 'cancel', priceKey: undefined, quantity: undefined, cancelMode: 'at_period_end' })
    await erp.recordAmendment({ amendment: cancel, customerId, billing: { ...billing, currentPeriodEnd: '2026-12-21T00:00:00Z' } }, { idempotencyKey: 'k3', correlationId: cancel.correlationId })
    const line = async (a: Amendment) => ((await record('salesOrder', `eid:${amendmentExternalId(a.id)}`)).item as { items: Array<Record<string, unknown>> }).items
    expect(await line(more)).toEqual([expect.objectContaining({ item: expect.objectContaining({ id: '11' }), quantity: 12, rate: 20 })])
    expect(await line(cancel)).toEqual([expect.objectContaining({ item: expect.objectContaining({ id: '11' }), quantity: 0 })])
    expect((await record('salesOrder', `eid:${amendmentExternalId(cancel.id)}`)).memo).toMatch(/^Concord cancel SUB-NS-1 #3 at period end 2026-12-21 /)
    expect(changed.ref).not.toBe(created.ref)
  })

  it('parks a quantity change when NetSuite has no earlier order to take the item from', async () => {
    const account = newAccountId()
    const a = amendment(account, { sequence: 2, action: 'change_quantity', priceKey: undefined, quantity: 3 })
    const err = await erpOf().recordAmendment({ amendment: a, customerId: await customer(account), billing }, { idempotencyKey: 'k', correlationId: 'c' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'erp_item_unknown' })
  })

  it('answers a bad item id with a business error carrying NetSuite code and detail, and records nothing', async () => {
    const account = newAccountId()
    const a = amendment(account)
    const input = { amendment: a, customerId: await customer(account), billing, price: { ...price('pro-monthly-usd'), erpItemId: '99999' } }
    const err = await erpOf().recordAmendment(input, { idempotencyKey: 'k', correlationId: a.correlationId }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect(err).toMatchObject({ kind: 'business', system: 'netsuite', code: 'INVALID_KEY_OR_REF', status: 400 })
    expect((err as Error).message).toMatch(/Invalid item reference key 99999.*item\.items\[0\]\.item/)
    expect((err as Error).message).not.toMatch(/Bearer|nsat\.|authorization/i)
    expect(await effectsOn(`salesOrder:${amendmentExternalId(a.id)}`)).toEqual([])
  })
})

describe('NetSuite error classification', () => {
  it('answers a 429 with its Retry-After as transient, and the retry then creates the customer once', async () => {
    const account = newAccountId()
    await faults({ route: `PUT /services/rest/record/v1/customer/eid:${account}`, status: 429, retryAfter: 7, count: 1 })
    const ctx = { idempotencyKey: 'k', correlationId: 'corr-429' }
    const err = await erpOf().ensureCustomer(profile(account), ctx).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'CONCURRENCY_LIMIT_EXCEEDED', status: 429, retryAfterMs: 7000 })
    await erpOf().ensureCustomer(profile(account), ctx)
    expect(await effectsOn(`customer:${account}`)).toEqual([{ kind: 'customer.upsert.create', correlationId: 'corr-429' }])
  })

  it('answers 5xx and a timeout as transient', async () => {
    const account = newAccountId()
    await faults({ route: `customer/eid:${account}`, status: 500, count: 1 })
    expect(await erpOf().ensureCustomer(profile(account), { idempotencyKey: 'k', correlationId: 'c' }).catch((e: unknown) => e)).toMatchObject({ kind: 'transient', code: 'UNEXPECTED_ERROR', status: 500 })
    await faults({ route: `customer/eid:${account}`, hang: true, count: 1 })
    const timedOut = await erpOf({ timeoutMs: 300 }).ensureCustomer(profile(account), { idempotencyKey: 'k', correlationId: 'c' }).catch((e: unknown) => e)
    expect(timedOut).toMatchObject({ kind: 'transient', code: 'timeout' })
  })

  it('re-mints once on a 401, then gives up with a transient INVALID_LOGIN', async () => {
    const account = newAccountId()
    await faults({ route: `customer/eid:${account}`, status: 401, count: 2 })
    const err = await erpOf().ensureCustomer(profile(account), { idempotencyKey: 'k', correlationId: 'c' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'INVALID_LOGIN', status: 401 })
    expect((err as Error).message).not.toMatch(/Bearer|nsat\./)
  })

  const response = (status: number, body: unknown, retryAfterMs?: number): VendorResponse => ({ status, headers: new Headers(), text: JSON.stringify(body), json: body, retryAfterMs })
  const details = (code: string, detail: string, path?: string) => ({ type: 'x', title: 'x', status: 400, 'o:errorDetails': [{ detail, 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }] })

  it.each([
    ['SSS_REQUEST_LIMIT_EXCEEDED', 'transient'],
    ['WS_CONCUR_SESSION_DISALLWD', 'transient'],
    ['RCRD_HAS_BEEN_CHANGED', 'transient'],
    ['INVALID_KEY_OR_REF', 'business'],
    ['USER_ERROR', 'business'],
  ])('classifies a 400 with %s as %s', (code, kind) => {
    expect(toConnectorError(response(400, details(code, 'Something about it.', 'entity')), 'the upsert')).toMatchObject({ kind, code, status: 400 })
  })

  it('keeps NetSuite detail and path in a business message, and copes with a body that is not NetSuite-shaped', () => {
    expect(toConnectorError(response(400, details('USER_ERROR', 'Please enter value(s) for: Company Name', 'companyName')), 'the upsert of customer eid:X').message).toBe(
      'NetSuite refused the upsert of customer eid:X: Please enter value(s) for: Company Name (at companyName)',
    )
    expect(toConnectorError(response(404, '<html>gateway</html>'), 'the read')).toMatchObject({ kind: 'business', code: 'http_404', message: 'NetSuite refused the read: HTTP 404' })
    expect(toConnectorError(response(502, null, 3000), 'the read')).toMatchObject({ kind: 'transient', code: 'http_502', retryAfterMs: 3000 })
  })
})

describe('NetSuite external ids', () => {
  it('derives valid, deterministic, one-to-one eids', () => {
    expect(amendmentExternalId('0F8FAD5B-D9CB-469F-A165-70867728950E')).toBe('concord-amd-0f8fad5b-d9cb-469f-a165-70867728950e')
    expect(toExternalId('a_b|c d/é')).toBe('a_5Fb_7Cc_20d_2F_C3_A9')
    expect(toExternalId('a_5Fb')).not.toBe(toExternalId('a_b'))
    for (const raw of ['x|y', 'Ünïcode', '__', 'eid:1']) expect(toExternalId(raw)).toMatch(/^[A-Za-z0-9_-]+$/)
  })
})
