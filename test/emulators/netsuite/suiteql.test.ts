import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { NetsuiteSeed } from './index.ts'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'

/** Frozen at noon so "today" and due dates are stable. */
const TODAY = '2026-03-15'

const seed: NetsuiteSeed = {
  items: [{ id: 10, itemId: 'SEAT', itemType: 'serviceSaleItem', rate: 100 }],
  customers: [
    { id: 300, externalId: 'SF-A', companyName: 'Acme', subsidiary: { id: 1 }, creditLimit: 1000 },
    {
      id: 301,
      externalId: 'SF-B',
      companyName: 'Globex',
      subsidiary: { id: 1 },
      creditHoldOverride: 'ON',
    },
    { id: 302, externalId: 'SF-C', companyName: 'Initech', subsidiary: { id: 1 } },
  ],
  invoices: [
    {
      externalId: 'I1',
      entity: 'eid:SF-A',
      amount: 500,
      tranDate: '2026-01-01',
      dueDate: '2026-01-31',
    },
    {
      externalId: 'I2',
      entity: 'eid:SF-A',
      amount: 700,
      tranDate: '2026-03-01',
      dueDate: '2026-03-31',
    },
    {
      externalId: 'I3',
      entity: 'eid:SF-B',
      amount: 300,
      tranDate: '2026-02-01',
      dueDate: '2026-03-01',
    },
    {
      externalId: 'I4',
      entity: 'eid:SF-B',
      amount: 50,
      tranDate: '2026-02-10',
      dueDate: '2026-03-10',
      memo: 'late fee',
    },
    {
      externalId: 'I5',
      entity: 'eid:SF-C',
      amount: 120,
      tranDate: '2026-03-10',
      dueDate: '2026-04-09',
    },
  ],
  payments: [
    { customer: 'eid:SF-B', payment: 100, apply: { items: [{ doc: 'eid:I3', amount: 100 }] } },
  ],
}

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture({ seed, startAt: `${TODAY}T12:00:00Z`, freezeClock: true })
})
afterAll(() => fx.emu.close())
beforeEach(() => fx.control('reset'))

interface Page {
  links: Array<{ rel: string; href: string }>
  count: number
  hasMore: boolean
  offset: number
  totalResults: number
  items: Array<Record<string, string | unknown[]>>
}

async function rows(q: string, query = ''): Promise<Page> {
  const res = await fx.suiteql(q, query)
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`)
  return (await res.json()) as Page
}

async function refused(q: string, query = '') {
  const res = await fx.suiteql(q, query)
  expect(res.status).toBe(400)
  return ((await res.json()) as NsErrorBody)['o:errorDetails'][0]!
}

describe('POST /services/rest/query/v1/suiteql', () => {
  it('looks a customer up by externalid, every value a string, NULLs left out', async () => {
    const page = await rows(
      `SELECT id, entityid, externalid, email, creditholdoverride, balancesearch, overduebalancesearch, daysoverduesearch, oncredithold FROM customer WHERE externalid = 'SF-A'`,
    )
    expect(page).toMatchObject({ count: 1, hasMore: false, offset: 0, totalResults: 1 })
    expect(page.items).toEqual([
      {
        links: [],
        id: '300',
        entityid: 'Acme',
        externalid: 'SF-A',
        creditholdoverride: 'AUTO',
        balancesearch: '1200',
        overduebalancesearch: '500',
        daysoverduesearch: '43',
        oncredithold: 'T',
      },
    ])
  })

  it('serves the AR delta: only invoices changed after the watermark, with their new amounts', async () => {
    const q = (wm: string) =>
      `SELECT t.id, t.tranid, t.externalid, c.externalid AS customer, t.foreigntotal, t.foreignamountpaid, t.foreignamountunpaid, t.duedate, BUILTIN.DF(t.status) AS status,
         TO_CHAR(t.lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS.FF3') AS modified
       FROM transaction t INNER JOIN customer c ON c.id = t.entity
       WHERE t.type = 'CustInvc' AND t.lastmodifieddate > TO_TIMESTAMP('${wm}', 'YYYY-MM-DD"T"HH24:MI:SS.FF3')
       ORDER BY t.lastmodifieddate, t.id`
    const all = await rows(q('2000-01-01T00:00:00.000'))
    // I3 sorts last: the seeded payment applied to it bumped its lastmodifieddate.
    expect(all.items.map((r) => r.externalid)).toEqual(['I1', 'I2', 'I4', 'I5', 'I3'])
    const watermark = all.items
      .map((r) => r.modified as string)
      .sort()
      .at(-1)!

    expect((await rows(q(watermark))).items).toEqual([])
    fx.emu.netsuite.clock.advance(1000)
    await fx.control('netsuite/pay-invoice', { invoice: 'eid:I2', amount: 200 })
    await fx.control('netsuite/add-invoice', {
      customer: 'eid:SF-C',
      amount: 75,
      externalId: 'I6',
      dueDate: '2026-04-14',
    })

    const delta = await rows(q(watermark))
    expect(delta.items.map(({ links: _l, modified: _m, ...r }) => r)).toEqual([
      {
        id: expect.any(String),
        tranid: expect.stringMatching(/^INV/),
        externalid: 'I2',
        customer: 'SF-A',
        foreigntotal: '700',
        foreignamountpaid: '200',
        foreignamountunpaid: '500',
        duedate: '3/31/2026',
        status: 'Invoice : Open',
      },
      {
        id: expect.any(String),
        tranid: expect.stringMatching(/^INV/),
        externalid: 'I6',
        customer: 'SF-C',
        foreigntotal: '75',
        foreignamountpaid: '0',
        foreignamountunpaid: '75',
        duedate: '4/14/2026',
        status: 'Invoice : Open',
      },
    ])
  })

  it('reads payments and overdue invoices with IN, LIKE, IS NULL, OR and dates', async () => {
    const payments = await rows(
      `SELECT entity, foreigntotal, foreignpaymentamountused, foreignpaymentamountunused FROM transaction WHERE type = 'CustPymt'`,
    )
    expect(payments.items).toEqual([
      {
        links: [],
        entity: '301',
        foreigntotal: '100',
        foreignpaymentamountused: '100',
        foreignpaymentamountunused: '0',
      },
    ])

    const overdue = await rows(`SELECT externalid, daysoverduesearch FROM transaction
      WHERE type IN ('CustInvc', 'CustCred') AND duedate < TRUNC(SYSDATE) AND foreignamountunpaid > 0 AND (memo IS NULL OR memo LIKE 'late%') ORDER BY externalid DESC`)
    expect(overdue.items.map((r) => [r.externalid, r.daysoverduesearch])).toEqual([
      ['I4', '5'],
      ['I3', '14'],
      ['I1', '43'],
    ])

    // Oracle's three-valued logic: a NULL memo is neither equal nor unequal to 'x'.
    const notX = await rows(
      `SELECT externalid FROM transaction WHERE memo <> 'x' OR NOT (memo = 'x')`,
    )
    expect(notX.items.map((r) => r.externalid)).toEqual(['I4'])
  })

  it('aggregates per customer with GROUP BY, LEFT JOIN and CASE', async () => {
    const page = await rows(`SELECT c.externalid AS customer, COUNT(t.id) AS invoices,
        SUM(CASE WHEN t.duedate < TO_DATE('${TODAY}', 'YYYY-MM-DD') THEN t.foreignamountunpaid ELSE 0 END) AS overdue
      FROM customer c LEFT JOIN transaction t ON t.entity = c.id AND t.type = 'CustInvc'
      GROUP BY c.externalid ORDER BY 1`)
    expect(page.items.map(({ links: _l, ...r }) => r)).toEqual([
      { customer: 'SF-A', invoices: '2', overdue: '500' },
      { customer: 'SF-B', invoices: '2', overdue: '250' },
      { customer: 'SF-C', invoices: '1', overdue: '0' },
    ])
  })

  it('round-trips timestamps through TO_TIMESTAMP and TO_CHAR, fractions included', async () => {
    const page =
      await rows(`SELECT TO_CHAR(TO_TIMESTAMP('2026-01-02 03:04:05.050', 'YYYY-MM-DD HH24:MI:SS.FF3'), 'DD MON YYYY HH:MI:SS.FF3 AM') AS t,
      TO_CHAR(TO_DATE('03/15/2026', 'MM/DD/YYYY') + 30, 'YYYY-MM-DD') AS d FROM currency WHERE id = 1`)
    expect(page.items).toEqual([{ links: [], t: '02 JAN 2026 03:04:05.050 AM', d: '2026-04-14' }])
  })

  it('pages with limit and offset, with hasMore, totalResults and next links', async () => {
    const q = `SELECT id FROM transaction WHERE type = 'CustInvc' ORDER BY id`
    const first = await rows(q, '?limit=2&offset=0')
    expect(first).toMatchObject({ count: 2, hasMore: true, offset: 0, totalResults: 5 })
    const next = first.links.find((l) => l.rel === 'next')!.href
    expect(new URL(next).search).toBe('?limit=2&offset=2')
    const last = await rows(q, '?limit=2&offset=4')
    expect(last).toMatchObject({ count: 1, hasMore: false, offset: 4, totalResults: 5 })
    expect(last.links.map((l) => l.rel)).not.toContain('next')
    const ids = [...first.items, ...(await rows(q, '?limit=2&offset=2')).items, ...last.items].map(
      (r) => r.id,
    )
    expect(new Set(ids).size).toBe(5)
  })

  it('refuses a limit over 1000', async () => {
    const detail = await refused('SELECT id FROM customer', '?limit=1001')
    expect(detail).toMatchObject({
      'o:errorCode': 'INVALID_PARAMETER',
      'o:errorQueryParam': 'limit',
    })
  })

  it.each([
    [
      'an unknown column',
      'SELECT id, balance FROM customer',
      /Unknown identifier 'balance'\. Available identifiers are: \{customer=customer\}/,
    ],
    [
      'an unknown qualified column',
      'SELECT t.nope FROM transaction t',
      /Unknown identifier 't\.nope'/,
    ],
    ['an unknown table', 'SELECT id FROM invoices', /Invalid search type: invoices/],
    ['bad syntax', 'SELECT id FROM customer WHERE', /Invalid or unsupported search/],
    [
      'an unsupported clause',
      'SELECT id FROM customer UNION SELECT id FROM item',
      /Invalid or unsupported search/,
    ],
  ])('refuses %s the way NetSuite does', async (_name, q, message) => {
    const detail = await refused(q)
    expect(detail['o:errorCode']).toBe('INVALID_PARAMETER')
    expect(detail['o:errorQueryParam']).toBe('q')
    expect(detail.detail).toMatch(
      /^Invalid search query\. Detailed unprocessed description follows\./,
    )
    expect(detail.detail).toMatch(message)
  })

  it('refuses a query without Prefer: transient', async () => {
    const res = await fx.call('/services/rest/query/v1/suiteql', {
      method: 'POST',
      body: JSON.stringify({ q: 'SELECT id FROM customer' }),
    })
    expect(res.status).toBe(400)
    expect(((await res.json()) as NsErrorBody)['o:errorDetails'][0]).toMatchObject({
      'o:errorHeader': 'Prefer',
    })
  })
})
