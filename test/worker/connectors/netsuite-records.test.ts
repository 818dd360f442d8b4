import { env } from 'cloudflare:workers'
import { netsuiteControl, netsuiteParts } from './netsuite-support.ts'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Amendment, type CatalogEntry } from '../../../shared/index.ts'
import { amendmentExternalId } from '../../../worker/connectors/netsuite/external-ids.ts'
import type { NetsuiteSettings } from '../../../worker/config/types.ts'
import { loadConfig } from '../../../worker/config/load.ts'
import type { BillingResult } from '../../../worker/connectors/types.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import { newAccountId, requestUrl } from '../support/helpers.ts'

/**
 * Against the shared NetSuite emulator: every test uses a fresh Account id (so fresh external
 * ids) and reads only the effects on its own targets. Fault injection is in netsuite-faults.
 */
const BASE = env.NETSUITE_BASE_URL as string

const erpOf = (overrides: Partial<NetsuiteSettings> = {}) =>
  netsuiteParts('records', { writeAddress: false, ...overrides }).erp
const control = netsuiteControl
const record = (type: string, ref: string) =>
  control<Record<string, unknown>>('netsuite/record', { type, ref })

async function effectsOn(target: string): Promise<Array<{ kind: string; correlationId?: string }>> {
  const { effects } = await control<{
    effects: Array<{ kind: string; target: string; correlationId?: string }>
  }>('effects')
  return effects
    .filter((e) => e.target === target)
    .map(({ kind, correlationId }) => ({ kind, correlationId }))
}

const price = (key: string): CatalogEntry => {
  const entry = loadConfig(env).catalog.prices[key]
  if (!entry) throw new Error(`demo catalog has no ${key}`)
  return entry
}

function profile(accountId: string, extra: Record<string, unknown> = {}) {
  return {
    accountId,
    name: 'Acme Widgets Ltd',
    currency: 'GBP',
    legalEntity: 'UK-LTD',
    billingCustomerId: 'cus_TEST123',
    ...extra,
  }
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

const billing: BillingResult = {
  subscriptionId: 'sub_NS123',
  ref: 'sub_NS123',
  status: 'active',
  currency: 'USD',
}

afterEach(() => vi.restoreAllMocks())

describe('NetSuite ensureCustomer', () => {
  it('upserts the customer by account id once; the repeat is a noop with the same internal id', async () => {
    const account = newAccountId()
    const erp = erpOf()
    const ctx = { idempotencyKey: `${account}:customer:erp`, correlationId: 'corr-cust-1' }
    const first = await erp.ensureCustomer(profile(account), ctx)
    const second = await erp.ensureCustomer(profile(account), ctx)
    // The first finds nothing and creates; the second finds it by external id and brings it up to date.
    expect(first).toEqual({
      customerId: expect.stringMatching(/^\d+$/),
      subsidiaryId: '2',
      match: 'created',
    })
    expect(second).toEqual({ ...first, match: 'account' })
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
    expect(
      (
        await erpOf().ensureCustomer(
          profile(account, { legalEntity: 'MARS-LLC', currency: undefined }),
          ctx,
        )
      ).subsidiaryId,
    ).toBe('1')
    const err = await erpOf({ subsidiaryRules: { 'US-INC': '1' } })
      .ensureCustomer(profile(newAccountId(), { legalEntity: 'MARS-LLC' }), ctx)
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'no_subsidiary_rule' })
    expect((err as Error).message).toMatch(/MARS-LLC/)
  })

  it('parks on a currency NetSuite does not have', async () => {
    const account = newAccountId()
    const err = await erpOf()
      .ensureCustomer(profile(account, { currency: 'XTS' }), {
        idempotencyKey: 'k',
        correlationId: 'c',
      })
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'unknown_currency' })
    expect(await effectsOn(`customer:${account}`)).toEqual([])
  })

  it('writes the billing address as the default addressBook line, replacing rather than appending on a repeat', async () => {
    const account = newAccountId()
    const address = {
      street: '1 Main St\nSuite 5',
      city: 'London',
      postalCode: 'EC1A 1BB',
      country: 'gb',
    }
    const ctx = { idempotencyKey: `${account}:customer:erp`, correlationId: 'corr-addr' }
    const spy = vi.spyOn(globalThis, 'fetch')
    const erp = erpOf({ writeAddress: true })
    await erp.ensureCustomer(profile(account, { billingAddress: address }), ctx)
    await erp.ensureCustomer(profile(account, { billingAddress: address }), ctx)
    const puts = spy.mock.calls
      .filter(([, init]) => init?.method === 'PUT')
      .map(([input]) => requestUrl(input))
      .filter((url) => url.includes('/record/v1/customer/'))
    expect(puts).toEqual(
      Array(2).fill(`${BASE}/services/rest/record/v1/customer/eid:${account}?replace=addressBook`),
    )
    expect(await effectsOn(`customer:${account}`)).toEqual([
      { kind: 'customer.upsert.create', correlationId: 'corr-addr' },
      { kind: 'customer.upsert.noop', correlationId: 'corr-addr' },
    ])
    const saved = (await record('customer', `eid:${account}`)) as {
      addressBook: { items: unknown[] }
    }
    expect(saved.addressBook.items).toEqual([
      expect.objectContaining({
        defaultBilling: true,
        defaultShipping: true,
        label: 'Billing',
        addressBookAddress: {
          addr1: '1 Main St',
          addr2: 'Suite 5',
          city: 'London',
          zip: 'EC1A 1BB',
          country: 'GB',
        },
      }),
    ])
  })
})

describe('NetSuite recordAmendment', () => {
  async function customer(account: string): Promise<string> {
    return (
      await erpOf().ensureCustomer(profile(account, { currency: 'USD', legalEntity: 'US-INC' }), {
        idempotencyKey: 'k',
        correlationId: 'c',
      })
    ).customerId
  }

  it('records a create as one sales order, and a repeat changes nothing', async () => {
    const account = newAccountId()
    const customerId = await customer(account)
    const a = amendment(account)
    const eid = amendmentExternalId(a.id)
    const input = { amendment: a, customerId, billing, price: price('pro-monthly-usd') }
    const ctx = { idempotencyKey: `${a.id}:erp`, correlationId: a.correlationId }
    const first = await erpOf().recordAmendment(input, ctx)
    const again = await erpOf().recordAmendment(input, ctx)
    expect(again).toEqual(first)
    expect(first.ref).toMatch(/^salesOrder:\d+$/)
    expect(await effectsOn(`salesOrder:${eid}`)).toEqual([
      { kind: 'salesOrder.upsert.create', correlationId: a.correlationId },
      { kind: 'salesOrder.upsert.noop', correlationId: a.correlationId },
    ])
    const order = await record('salesOrder', `eid:${eid}`)
    expect(order).toMatchObject({
      id: first.ref.split(':')[1],
      entity: { id: customerId },
      tranDate: '2026-11-21',
      otherRefNum: 'sub_NS123',
      total: 500,
    })
    expect(order.memo).toBe(
      `Concord create SUB-NS-1 #1 correlationId=${a.correlationId} billingRef=sub_NS123`,
    )
    expect((order.item as { items: unknown[] }).items).toEqual([
      expect.objectContaining({
        item: expect.objectContaining({ id: '10' }),
        quantity: 10,
        rate: 50,
      }),
    ])
  })

  it('takes the item and rate of the previous order for a quantity change without a price key, then records a cancel at 0', async () => {
    const account = newAccountId()
    const customerId = await customer(account)
    const erp = erpOf()
    const create = amendment(account, { priceKey: 'team-monthly-usd' })
    const created = await erp.recordAmendment(
      { amendment: create, customerId, billing, price: price('team-monthly-usd') },
      { idempotencyKey: 'k1', correlationId: create.correlationId },
    )
    const more = amendment(account, {
      sequence: 2,
      action: 'change_quantity',
      priceKey: undefined,
      quantity: 12,
    })
    const changed = await erp.recordAmendment(
      { amendment: more, customerId, billing },
      { idempotencyKey: 'k2', correlationId: more.correlationId },
    )
    const cancel = amendment(account, {
      sequence: 3,
      action: 'cancel',
      priceKey: undefined,
      quantity: undefined,
      cancelMode: 'at_period_end',
    })
    await erp.recordAmendment(
      {
        amendment: cancel,
        customerId,
        billing: { ...billing, currentPeriodEnd: '2026-12-21T00:00:00Z' },
      },
      { idempotencyKey: 'k3', correlationId: cancel.correlationId },
    )
    const line = async (a: Amendment) =>
      (
        (await record('salesOrder', `eid:${amendmentExternalId(a.id)}`)).item as {
          items: Array<Record<string, unknown>>
        }
      ).items
    expect(await line(more)).toEqual([
      expect.objectContaining({
        item: expect.objectContaining({ id: '11' }),
        quantity: 12,
        rate: 20,
      }),
    ])
    expect(await line(cancel)).toEqual([
      expect.objectContaining({ item: expect.objectContaining({ id: '11' }), quantity: 0 }),
    ])
    expect((await record('salesOrder', `eid:${amendmentExternalId(cancel.id)}`)).memo).toMatch(
      /^Concord cancel SUB-NS-1 #3 at period end 2026-12-21 /,
    )
    expect(changed.ref).not.toBe(created.ref)
  })

  it('takes the previous line from the ledger when it kept one: one upsert, no SuiteQL or read', async () => {
    const account = newAccountId()
    const customerId = await customer(account)
    const erp = erpOf()
    const create = amendment(account, { priceKey: 'team-monthly-usd' })
    const created = await erp.recordAmendment(
      { amendment: create, customerId, billing, price: price('team-monthly-usd') },
      { idempotencyKey: 'k1', correlationId: create.correlationId },
    )
    expect(created.line).toEqual({ itemId: '11', quantity: 10, rate: 20 })
    const more = amendment(account, {
      sequence: 2,
      action: 'change_quantity',
      priceKey: undefined,
      quantity: 12,
    })
    const spy = vi.spyOn(globalThis, 'fetch')
    const changed = await erp.recordAmendment(
      { amendment: more, customerId, billing, previous: created.line },
      { idempotencyKey: 'k2', correlationId: more.correlationId },
    )
    const calls = spy.mock.calls.map(
      ([input, init]) => `${init?.method ?? 'GET'} ${requestUrl(input)}`,
    )
    expect(calls).toEqual([
      `PUT ${BASE}/services/rest/record/v1/salesOrder/eid:${amendmentExternalId(more.id)}?replace=item`,
    ])
    expect(changed.line).toEqual({ itemId: '11', quantity: 12, rate: 20 })
  })

  it('parks a quantity change when NetSuite has no earlier order to take the item from', async () => {
    const account = newAccountId()
    const a = amendment(account, {
      sequence: 2,
      action: 'change_quantity',
      priceKey: undefined,
      quantity: 3,
    })
    const err = await erpOf()
      .recordAmendment(
        { amendment: a, customerId: await customer(account), billing },
        { idempotencyKey: 'k', correlationId: 'c' },
      )
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'erp_item_unknown' })
  })

  it('answers a bad item id with a business error carrying NetSuite code and detail, and records nothing', async () => {
    const account = newAccountId()
    const a = amendment(account)
    const input = {
      amendment: a,
      customerId: await customer(account),
      billing,
      price: { ...price('pro-monthly-usd'), erpItemId: '99999' },
    }
    const err = await erpOf()
      .recordAmendment(input, { idempotencyKey: 'k', correlationId: a.correlationId })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ConnectorError)
    expect(err).toMatchObject({
      kind: 'business',
      system: 'netsuite',
      code: 'INVALID_KEY_OR_REF',
      status: 400,
    })
    expect((err as Error).message).toMatch(
      /Invalid item reference key 99999.*item\.items\[0\]\.item/,
    )
    expect((err as Error).message).not.toMatch(/Bearer|nsat\.|authorization/i)
    expect(await effectsOn(`salesOrder:${amendmentExternalId(a.id)}`)).toEqual([])
  })
})
