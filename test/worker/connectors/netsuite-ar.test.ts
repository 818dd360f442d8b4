import { netsuiteReaderOf, netsuiteSection, gates } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import {
  createNetsuite,
  type ArDelta,
  type NetsuiteReader,
} from '../../../worker/connectors/netsuite/index.ts'
import { newAccountId, requestUrl, requestBody } from '../support/helpers.ts'

/**
 * AR deltas over the shared emulator: other test files may change AR at the same time, so each
 * test seeds its own customer (a fresh Account id) and looks only at that customer. Reads run
 * with no lag; `settle()` moves the emulator clock a second on, so the second the changes were
 * made in is over and a read may take it.
 */
const BASE = env.NETSUITE_BASE_URL as string

function parts() {
  const read = netsuiteSection(env)
  if (read.status !== 'ok')
    throw new Error(`the worker test env has no NetSuite settings (${read.status})`)
  return createNetsuite({ ...read.settings, writeAddress: false }, gates, {
    name: `ar-${crypto.randomUUID()}`,
  })
}

async function act<T = Record<string, unknown>>(action: string, body: unknown): Promise<T> {
  const res = await fetch(`${BASE}/__control/netsuite/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  expect(res.status, `${action} ${await res.clone().text()}`).toBe(200)
  return await res.json()
}

const settle = () => act('clock', { advanceMs: 1000 })

/** Reads until caught up; returns every page and the final watermark. */
async function drain(
  reader: NetsuiteReader,
  watermark: string | undefined,
  maxRows?: number,
  pageSize?: number,
): Promise<{ pages: ArDelta[]; watermark: string }> {
  const pages: ArDelta[] = []
  for (let i = 0; i < 200; i++) {
    const page = await reader.readArSince(watermark, { maxRows, pageSize, lagSeconds: 0 })
    pages.push(page)
    watermark = page.watermark
    if (!page.hasMore) return { pages, watermark }
  }
  throw new Error('the AR reader did not catch up in 200 reads')
}

const mine = (pages: ArDelta[], accountId: string) =>
  pages.flatMap((p) => p.customers).filter((c) => c.accountId === accountId)

async function seedCustomer(currency = 'USD'): Promise<{ accountId: string; customerId: string }> {
  const accountId = newAccountId()
  const { customerId } = await parts().erp.ensureCustomer(
    {
      accountId,
      name: `AR test ${accountId}`,
      currency,
      legalEntity: 'US-INC',
      billingCustomerId: `cus_${accountId}`,
    },
    { idempotencyKey: `${accountId}:customer:erp`, correlationId: `corr-${accountId}` },
  )
  return { accountId, customerId }
}

afterEach(() => vi.restoreAllMocks())

describe('NetSuite readArSince', () => {
  it('returns open invoices, payments and credit hold per customer, and advances the watermark past them', async () => {
    const { reader } = parts()
    const start = await drain(reader, undefined)
    const { accountId, customerId } = await seedCustomer()
    const suffix = accountId.slice(-8)
    const first = await act<{ id: number; tranId: string }>('add-invoice', {
      customer: `eid:${accountId}`,
      amount: 120,
      dueDate: '2026-01-15',
      externalId: `in_A${suffix}`,
    })
    const second = await act<{ id: number }>('add-invoice', {
      customer: `eid:${accountId}`,
      amount: 80.5,
      dueDate: '2026-12-31',
      externalId: `in_B${suffix}`,
    })
    const partial = await act<{ paymentId: number }>('pay-invoice', {
      invoice: first.id,
      amount: 20,
    })
    await act('credit-hold', { customer: `eid:${accountId}`, value: 'ON' })
    await settle()

    const afterSeed = await drain(reader, start.watermark)
    const [ar, ...dupes] = mine(afterSeed.pages, accountId)
    expect(dupes).toEqual([])
    expect(ar).toMatchObject({
      accountId,
      erpCustomerId: customerId,
      currency: 'USD',
      creditHold: true,
      creditHoldOverride: 'ON',
    })
    expect(ar?.openInvoices).toEqual([
      expect.objectContaining({
        id: String(first.id),
        tranId: first.tranId,
        externalId: `in_A${suffix}`,
        currency: 'USD',
        total: 12000,
        amountPaid: 2000,
        amountUnpaid: 10000,
        dueDate: '2026-01-15',
        status: 'Open',
      }),
      expect.objectContaining({
        id: String(second.id),
        externalId: `in_B${suffix}`,
        total: 8050,
        amountUnpaid: 8050,
        dueDate: '2026-12-31',
      }),
    ])
    expect(ar?.openInvoices[0]?.lastModified).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
    expect(ar?.payments).toEqual([
      expect.objectContaining({
        id: String(partial.paymentId),
        currency: 'USD',
        amount: 2000,
        applied: 2000,
        date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      }),
    ])
    expect(afterSeed.watermark > start.watermark).toBe(true)

    // Nothing of ours changed since: the customer does not come back.
    await settle()
    const quiet = await drain(reader, afterSeed.watermark)
    expect(mine(quiet.pages, accountId)).toEqual([])
    expect(quiet.watermark > afterSeed.watermark).toBe(true)

    // Paying the rest closes the first invoice: the open set shrinks, the payment shows up.
    const rest = await act<{ paymentId: number }>('pay-invoice', { invoice: first.id })
    await settle()
    const paid = await drain(reader, quiet.watermark)
    const [now] = mine(paid.pages, accountId)
    expect(now?.openInvoices.map((i) => i.id)).toEqual([String(second.id)])
    expect(now?.payments).toEqual([
      expect.objectContaining({ id: String(rest.paymentId), amount: 10000, applied: 10000 }),
    ])
    expect(paid.watermark > quiet.watermark).toBe(true)
  })

  it('reports a customer whose only change is the credit hold (customer rows feed the delta too)', async () => {
    const { reader } = parts()
    const { accountId } = await seedCustomer()
    await settle()
    const before = await drain(reader, undefined)
    expect(mine(before.pages, accountId)[0]?.creditHold).toBe(false)
    await act('credit-hold', { customer: `eid:${accountId}`, value: 'ON' })
    await settle()
    const after = await drain(reader, before.watermark)
    expect(mine(after.pages, accountId)).toEqual([
      expect.objectContaining({ creditHold: true, openInvoices: [], payments: [] }),
    ])
  })

  it('reads in small steps with hasMore, never splitting a second, and misses nothing', async () => {
    const { reader } = parts()
    const start = await drain(reader, undefined)
    // Changes spread over three seconds, so a one-row budget has places to cut.
    const a = await seedCustomer()
    await settle()
    for (let i = 0; i < 3; i++)
      await act('add-invoice', { customer: `eid:${a.accountId}`, amount: 10 + i })
    await settle()
    const b = await seedCustomer('EUR')
    await act('add-invoice', { customer: `eid:${b.accountId}`, amount: 99.99 })
    await act('add-invoice', { customer: `eid:${b.accountId}`, amount: 5 })
    await settle()
    const stepped = await drain(reader, start.watermark, 1, 1)
    // One-row pages and a one-row budget: the first read stops where b's second begins.
    expect(stepped.pages.length).toBeGreaterThanOrEqual(2)
    expect(stepped.pages.slice(0, -1).every((p) => p.hasMore)).toBe(true)
    const seenA = mine(stepped.pages, a.accountId)
    expect(seenA.length).toBeGreaterThan(0)
    // The last report of a customer is its current state.
    expect(seenA.at(-1)?.openInvoices.map((i) => i.amountUnpaid)).toEqual([1000, 1100, 1200])
    expect(
      mine(stepped.pages, b.accountId)
        .at(-1)
        ?.openInvoices.map((i) => [i.currency, i.amountUnpaid]),
    ).toEqual([
      ['EUR', 9999],
      ['EUR', 500],
    ])
    await settle()
    expect(mine((await drain(reader, stepped.watermark)).pages, a.accountId)).toEqual([])
  })

  it('pages the change feed by key, so a row saved again mid-read does not make the next row slip by', async () => {
    const { reader } = parts()
    const x = await seedCustomer()
    const y = await seedCustomer()
    await settle()
    const start = await drain(reader, undefined)
    const a = await act<{ id: number }>('add-invoice', {
      customer: `eid:${x.accountId}`,
      amount: 1,
    })
    await act('add-invoice', { customer: `eid:${y.accountId}`, amount: 2 })
    await act('add-invoice', { customer: `eid:${x.accountId}`, amount: 3 })
    await settle()
    // While the read is on its second feed page, invoice a (already read) is paid: it leaves
    // the window. Offset paging would now skip y's invoice; keyed paging does not.
    const real = globalThis.fetch.bind(globalThis)
    let feedPages = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      if (
        requestUrl(input).includes('/suiteql') &&
        requestBody(init).includes('INNER JOIN customer c') &&
        ++feedPages === 2
      ) {
        await act('pay-invoice', { invoice: a.id })
      }
      return real(input, init)
    })
    const read = await reader.readArSince(start.watermark, { pageSize: 1, lagSeconds: 0 })
    expect(feedPages).toBeGreaterThanOrEqual(3)
    expect(read.customers.map((c) => c.accountId)).toEqual(
      expect.arrayContaining([x.accountId, y.accountId]),
    )
    expect(
      read.customers
        .find((c) => c.accountId === y.accountId)
        ?.openInvoices.map((i) => i.amountUnpaid),
    ).toEqual([200])
  })

  it('refuses a watermark it did not write', async () => {
    const err = await parts()
      .reader.readArSince("2026-01-01 00:00:00' OR 1=1 --")
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'business', code: 'invalid_watermark' })
  })

  it('is available from the worker env', () => {
    expect(netsuiteReaderOf(env)).toBeDefined()
    expect(netsuiteReaderOf({})).toBeUndefined()
  })
})
