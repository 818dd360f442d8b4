import { netsuiteSection, gates } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { toMinor } from '../../../worker/connectors/netsuite/amounts.ts'
import { createNetsuite } from '../../../worker/connectors/netsuite/index.ts'
import { requestUrl } from '../support/helpers.ts'
import {
  sq,
  suiteql,
  suiteqlAll,
  SuiteqlBindError,
  type SqlFragment,
} from '../../../worker/connectors/netsuite/suiteql.ts'

function client() {
  const read = netsuiteSection(env)
  if (read.status !== 'ok')
    throw new Error(`the worker test env has no NetSuite settings (${read.status})`)
  return createNetsuite(read.settings, gates, {
    name: `suiteql-${crypto.randomUUID()}`,
  }).client
}

/** What string pasting would send; only here to show the bound query is different. */
const pasted = (text: string): SqlFragment => suiteql(Object.assign([text], { raw: [text] }))

afterEach(() => vi.restoreAllMocks())

describe('SuiteQL binder', () => {
  it('quotes strings with doubled quotes, so an injection attempt stays a value', async () => {
    const evil = "x' OR '1'='1"
    const bound = suiteql`SELECT id FROM currency WHERE symbol = ${sq.str(evil)}`
    expect(bound.text).toBe("SELECT id FROM currency WHERE symbol = 'x'' OR ''1''=''1'")
    expect(await suiteqlAll(client(), bound)).toEqual([])
    // The same value pasted in matches every row: the binder is what stops it.
    expect(
      (await suiteqlAll(client(), pasted(`SELECT id FROM currency WHERE symbol = '${evil}'`)))
        .length,
    ).toBeGreaterThanOrEqual(4)
  })

  it('keeps comment and statement tricks inside the literal', async () => {
    for (const evil of ["USD'--", "USD'; DELETE FROM customer --", "USD' /*", 'USD\\']) {
      expect(
        await suiteqlAll(client(), suiteql`SELECT id FROM currency WHERE symbol = ${sq.str(evil)}`),
      ).toEqual([])
    }
    expect(sq.str("O'Brien").text).toBe("'O''Brien'")
  })

  it('refuses anything that is not a bound fragment', () => {
    const raw = '1 OR 1=1' as unknown as SqlFragment
    expect(() => suiteql`SELECT id FROM customer WHERE id = ${raw}`).toThrow(SuiteqlBindError)
    expect(() => suiteql`SELECT id FROM customer WHERE id = ${{ text: '1 OR 1=1' }}`).toThrow(
      /must be bound/,
    )
    expect(() => suiteql`SELECT ${42 as unknown as SqlFragment}`).toThrow(SuiteqlBindError)
  })

  it.each([
    ['int 1.5', () => sq.int(1.5)],
    ['int beyond 2^53', () => sq.int(2 ** 60)],
    ['num NaN', () => sq.num(Number.NaN)],
    ['num Infinity', () => sq.num(Number.POSITIVE_INFINITY)],
    ['num in exponent form', () => sq.num(1e21)],
    ['an impossible date', () => sq.date('2026-02-30')],
    ['a date with a tail', () => sq.date("2026-01-01' OR 1=1 --")],
    ['a timestamp out of range', () => sq.timestamp('2026-01-01 24:00:00')],
    ['an ISO timestamp', () => sq.timestamp('2026-01-01T00:00:00Z')],
    ['an identifier with a space', () => sq.ident('id FROM customer --')],
    ['a quoted identifier', () => sq.ident('"id"')],
    ['an identifier with a semicolon', () => sq.ident('id;')],
    ['an empty IN list', () => sq.list([])],
    ['a NUL in a string', () => sq.str('a\u0000b')],
    ['an over-long string', () => sq.str('x'.repeat(4001))],
  ])('refuses %s', (_name, bind) => {
    expect(bind).toThrow(SuiteqlBindError)
  })

  it('writes numbers, dates, timestamps, identifiers and lists in forms SuiteQL reads', async () => {
    const q = suiteql`SELECT ${sq.ident('c.id')} FROM currency c
      WHERE c.id IN ${sq.list([sq.int(1), sq.int(2), sq.int(-7)])} AND c.id > ${sq.num(-0.5)}
        AND TO_DATE('2026-03-15', 'YYYY-MM-DD') = ${sq.date('2026-03-15')}
        AND TO_TIMESTAMP('2026-03-15 10:11:12', 'YYYY-MM-DD HH24:MI:SS') = ${sq.timestamp('2026-03-15 10:11:12')}
      ORDER BY c.id`
    expect(q.text).toContain('IN (1, 2, (-7)) AND c.id > (-0.5)')
    expect((await suiteqlAll(client(), q)).map((r) => r.id)).toEqual(['1', '2'])
  })
})

describe('SuiteQL paging', () => {
  it('pages with limit and offset until hasMore is false, always with Prefer: transient', async () => {
    const spy = vi.spyOn(globalThis, 'fetch')
    const rows = await suiteqlAll(
      client(),
      suiteql`SELECT id FROM currency WHERE id <= 4 ORDER BY id`,
      2,
    )
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3', '4'])
    const calls = spy.mock.calls.filter(([input]) => requestUrl(input).includes('/suiteql'))
    expect(calls.map(([input]) => new URL(requestUrl(input)).search)).toEqual([
      '?limit=2&offset=0',
      '?limit=2&offset=2',
    ])
    for (const [, init] of calls) {
      expect(new Headers((init as RequestInit).headers).get('prefer')).toBe('transient')
      expect(JSON.parse((init as RequestInit).body as string)).toEqual({
        q: 'SELECT id FROM currency WHERE id <= 4 ORDER BY id',
      })
    }
  })

  it('answers a query NetSuite refuses as a business error with its detail', async () => {
    const err = await suiteqlAll(client(), suiteql`SELECT nope FROM currency`).catch(
      (e: unknown) => e,
    )
    expect(err).toMatchObject({ kind: 'business', code: 'INVALID_PARAMETER', status: 400 })
    expect((err as Error).message).toMatch(/Unknown identifier 'nope'/)
  })
})

describe('NetSuite amounts', () => {
  it.each([
    ['700', 'USD', 70000],
    ['12.5', 'USD', 1250],
    ['-0.35', 'USD', -35],
    ['.5', 'EUR', 50],
    ['1.005', 'USD', 101],
    ['0.1', 'USD', 10],
    ['1234', 'JPY', 1234],
    ['1.2345', 'KWD', 1235],
  ])('reads %s %s as %i minor units, exactly', (text, currency, minor) => {
    expect(toMinor(text, currency)).toBe(minor)
  })

  it('answers undefined for no amount', () => {
    expect(toMinor(undefined, 'USD')).toBeUndefined()
    expect(toMinor('', 'USD')).toBeUndefined()
    expect(toMinor('abc', 'USD')).toBeUndefined()
  })
})
