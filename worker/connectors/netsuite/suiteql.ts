import type { NetsuiteClient } from './client.ts'

/**
 * SuiteQL without string pasting. A query is written as a tagged template whose every
 * interpolation must be a fragment made by `sq.*` (or another `suiteql` query): strings are
 * quoted with `'` doubled, numbers, dates and timestamps are validated before they are written,
 * identifiers must look like identifiers. A raw string or number is refused by the types, and
 * anything not made here (a look-alike `{text}` object included) by the run-time brand check.
 *
 *   suiteql`SELECT id FROM customer WHERE externalid = ${sq.str(accountId)}`
 */

const fragments = new WeakSet<object>()

/** A piece of SuiteQL the binder produced; only `sq.*` and `suiteql` can make one. */
export interface SqlFragment {
  readonly text: string
}

function fragment(text: string): SqlFragment {
  const f = Object.freeze({ text })
  fragments.add(f)
  return f
}

/** Thrown for a value the binder will not put into a query. */
export class SuiteqlBindError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SuiteqlBindError'
  }
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})$/
const IDENT = /^[A-Za-z][A-Za-z0-9_]{0,127}(\.[A-Za-z][A-Za-z0-9_]{0,127})?$/
/** Oracle's limit for a character literal. */
const MAX_STRING = 4000

function realDate(value: string): boolean {
  const m = DATE.exec(value)
  if (!m) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

export const sq = {
  /** A string literal; `'` is doubled, control characters are refused. */
  str(value: string): SqlFragment {
    if (typeof value !== 'string') throw new SuiteqlBindError('sq.str takes a string')
    if (value.length > MAX_STRING)
      throw new SuiteqlBindError(`string longer than ${MAX_STRING} characters`)
    // eslint-disable-next-line no-control-regex -- refusing control characters is this check's job
    if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value))
      throw new SuiteqlBindError('string contains control characters')
    return fragment(`'${value.replace(/'/g, "''")}'`)
  },
  /** A safe integer. */
  int(value: number): SqlFragment {
    if (!Number.isSafeInteger(value))
      throw new SuiteqlBindError(`not a safe integer: ${String(value)}`)
    return fragment(value < 0 ? `(${value})` : String(value))
  },
  /** A finite decimal number, written without exponent. */
  num(value: number): SqlFragment {
    const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : ''
    if (!/^-?\d+(\.\d+)?$/.test(text))
      throw new SuiteqlBindError(`not a plain finite number: ${String(value)}`)
    return fragment(value < 0 ? `(${text})` : text)
  },
  /** A calendar date `YYYY-MM-DD`. */
  date(value: string): SqlFragment {
    if (typeof value !== 'string' || !realDate(value))
      throw new SuiteqlBindError(`not a YYYY-MM-DD date: ${JSON.stringify(value)}`)
    return fragment(`TO_DATE('${value}', 'YYYY-MM-DD')`)
  },
  /** A timestamp `YYYY-MM-DD HH:MM:SS` in the account's time zone (as TO_CHAR printed it). */
  timestamp(value: string): SqlFragment {
    const m = typeof value === 'string' ? TIMESTAMP.exec(value) : null
    if (!m || !realDate(m[1]!) || Number(m[2]) > 23 || Number(m[3]) > 59 || Number(m[4]) > 59) {
      throw new SuiteqlBindError(`not a YYYY-MM-DD HH:MM:SS timestamp: ${JSON.stringify(value)}`)
    }
    return fragment(`TO_TIMESTAMP('${value}', 'YYYY-MM-DD HH24:MI:SS')`)
  },
  /** A table or column name (optionally `alias.column`), never user input. */
  ident(value: string): SqlFragment {
    if (typeof value !== 'string' || !IDENT.test(value))
      throw new SuiteqlBindError(`not an identifier: ${JSON.stringify(value)}`)
    return fragment(value)
  },
  /** `(a, b, c)` for IN; empty lists are refused (`IN ()` is not SQL). */
  list(values: readonly SqlFragment[]): SqlFragment {
    if (values.length === 0) throw new SuiteqlBindError('an IN list needs at least one value')
    for (const v of values) assertFragment(v)
    return fragment(`(${values.map((v) => v.text).join(', ')})`)
  },
  /** Nothing: for an optional clause, `${cond ? suiteql`AND ...` : sq.empty}`. */
  empty: fragment(''),
}

function assertFragment(value: unknown): asserts value is SqlFragment {
  if (typeof value !== 'object' || value === null || !fragments.has(value)) {
    throw new SuiteqlBindError(
      'SuiteQL values must be bound with sq.str/int/num/date/timestamp/ident/list',
    )
  }
}

/** Whether a value is what a tagged template passes (a check, not a narrowing: it stays typed). */
const isTemplateStrings = (value: unknown): boolean => Array.isArray(value) && 'raw' in value

/** Builds a query from a template; see the module comment. */
export function suiteql(strings: TemplateStringsArray, ...values: SqlFragment[]): SqlFragment {
  if (!isTemplateStrings(strings)) throw new SuiteqlBindError('suiteql is a template tag')
  let text = strings[0] ?? ''
  values.forEach((value, i) => {
    assertFragment(value)
    text += value.text + (strings[i + 1] ?? '')
  })
  return fragment(text)
}

/** One SuiteQL result row: lower-case column names, every value a string, NULL columns absent. */
export type SuiteqlRow = Record<string, string | undefined>

const SUITEQL_PATH = '/services/rest/query/v1/suiteql'
/** NetSuite's page cap. */
export const MAX_PAGE = 1000

/** A column value as text: SuiteQL answers scalars; anything else would keep its JSON form. */
function columnText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

interface SuiteqlPage {
  items?: Array<Record<string, unknown>>
  hasMore?: boolean
}

/**
 * One page of a query (`limit`/`offset`, `Prefer: transient`, body `{"q": ...}`).
 * @throws ConnectorError as `NetsuiteClient.send` does.
 */
export async function suiteqlPage(
  client: NetsuiteClient,
  query: SqlFragment,
  limit = MAX_PAGE,
  offset = 0,
): Promise<{ rows: SuiteqlRow[]; hasMore: boolean }> {
  assertFragment(query)
  const res = await client.send({
    method: 'POST',
    path: SUITEQL_PATH,
    query: { limit: Math.min(Math.max(1, Math.floor(limit)), MAX_PAGE), offset },
    headers: { prefer: 'transient' },
    body: { q: query.text },
    what: 'a SuiteQL query',
  })
  const page = (res.json ?? {}) as SuiteqlPage
  const rows = (page.items ?? []).map((item) => {
    const row: SuiteqlRow = {}
    for (const [k, v] of Object.entries(item))
      if (k !== 'links' && v !== null && v !== undefined) row[k] = columnText(v)
    return row
  })
  return { rows, hasMore: page.hasMore === true && rows.length > 0 }
}

/**
 * Runs a query page by page, following `hasMore`; stop early by breaking out of the loop.
 * Offsets assume the result does not change between pages: for a window whose rows can move
 * (a lastmodifieddate range), page by key instead, as the AR feed does.
 * @throws ConnectorError as `NetsuiteClient.send` does.
 */
export async function* suiteqlPages(
  client: NetsuiteClient,
  query: SqlFragment,
  pageSize = MAX_PAGE,
): AsyncGenerator<SuiteqlRow[]> {
  const limit = Math.min(Math.max(1, Math.floor(pageSize)), MAX_PAGE)
  for (let offset = 0; ; offset += limit) {
    const page = await suiteqlPage(client, query, limit, offset)
    yield page.rows
    if (!page.hasMore) return
  }
}

/** Every row of a query (for lookups known to be small). */
export async function suiteqlAll(
  client: NetsuiteClient,
  query: SqlFragment,
  pageSize = MAX_PAGE,
): Promise<SuiteqlRow[]> {
  const out: SuiteqlRow[] = []
  for await (const rows of suiteqlPages(client, query, pageSize)) out.push(...rows)
  return out
}
