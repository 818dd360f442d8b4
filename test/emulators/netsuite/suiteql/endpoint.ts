import type { EmuRequest, EmuResponse } from '../../common/router.ts'
import { NetsuiteError } from '../errors.ts'
import type { RecordContext } from '../records/model.ts'
import { SuiteqlError } from './ast.ts'
import { runQuery } from './evaluate.ts'
import { parseQuery } from './parse.ts'
import { renderValue } from './values.ts'

/**
 * `POST /services/rest/query/v1/suiteql?limit=&offset=` with `Prefer: transient` and `{"q": ...}`
 * (https://docs.oracle.com/en/cloud/saas/netsuite/ns-online-help/section_158394344595.html),
 * answered as a collection page `{links, count, hasMore, items, offset, totalResults}` whose items
 * carry `links: []`, lower-case keys, every value as a string and NULL columns left out.
 *
 * The SuiteQL subset (an honest one: anything else is refused the way NetSuite refuses a bad
 * query — 400, `INVALID_PARAMETER`, `o:errorQueryParam: "q"`):
 * - `SELECT [DISTINCT] [TOP n] *|expr [[AS] alias], ... FROM table [alias]`
 *   `[[INNER|LEFT [OUTER]] JOIN table [alias] ON cond]... [WHERE cond] [GROUP BY expr, ...]`
 *   `[ORDER BY expr|alias|position [ASC|DESC] [NULLS FIRST|LAST], ...]`; no HAVING, UNION,
 *   subqueries, `t.*` or ROWNUM.
 * - Conditions: AND, OR, NOT, = <> != < > <= >=, [NOT] IN (...), IS [NOT] NULL, [NOT] LIKE with
 *   % and _, [NOT] BETWEEN; three-valued NULL logic. Expressions: 'strings', numbers, + - * /
 *   (dates ± days), ||, CASE [subject] WHEN ... THEN ... [ELSE ...] END.
 * - Functions: TO_CHAR(date[, mask]), TO_DATE / TO_TIMESTAMP(text[, mask]) with Oracle masks
 *   (YYYY MM MON DD HH24 HH MI SS FF AM "text"), TRUNC, NVL, COALESCE, NULLIF, UPPER, LOWER,
 *   LENGTH, SUBSTR, ABS, ROUND, SYSDATE / CURRENT_DATE / CURRENT_TIMESTAMP, BUILTIN.DF(field),
 *   and COUNT(*) / COUNT / SUM / MIN / MAX / AVG with optional DISTINCT.
 * - Tables and columns: see `tables.ts` (transaction, customer, item, subsidiary, currency,
 *   subscription, subscriptionchangeorder). Unknown columns answer "Unknown identifier 'x'.
 *   Available identifiers are: {...}", unknown tables "Invalid search type: x".
 * - Dates: compared as instants; text compared with a date is read as ISO or the account date
 *   format. Session time zone UTC. DATE and TIMESTAMP values print in the account's date format
 *   (default M/D/YYYY) without time — use TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') for
 *   a watermark. (How NetSuite prints a bare datetime depends on user preferences; not verified.)
 */

export interface SuiteqlDeps {
  ctx: RecordContext
  dateFormat: string
  requirePreferTransient: boolean
  baseUrl(req: EmuRequest): string
}

/** NetSuite's page size cap for collections and SuiteQL. */
const MAX_LIMIT = 1000

function intParam(
  req: EmuRequest,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = req.query.get(name)
  if (raw === null) return fallback
  const n = Number(raw)
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new NetsuiteError(
      400,
      'INVALID_PARAMETER',
      `Invalid value for the '${name}' query parameter. Provide an integer from ${min} to ${max}.`,
      { 'o:errorQueryParam': name },
    )
  }
  return n
}

export function suiteqlEndpoint(deps: SuiteqlDeps, req: EmuRequest): EmuResponse {
  if (deps.requirePreferTransient && !/\btransient\b/i.test(req.headers.prefer ?? '')) {
    throw new NetsuiteError(
      400,
      'INVALID_HEADER',
      "SuiteQL requests need the header 'Prefer: transient'.",
      { 'o:errorHeader': 'Prefer' },
    )
  }
  const limit = intParam(req, 'limit', MAX_LIMIT, 1, MAX_LIMIT)
  const offset = intParam(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
  let q: unknown
  try {
    q = (JSON.parse(req.rawBody) as { q?: unknown }).q
  } catch {
    q = undefined
  }
  if (typeof q !== 'string' || q.trim() === '') {
    throw new NetsuiteError(
      400,
      'INVALID_CONTENT',
      'The request body must be a JSON object with the query in "q".',
    )
  }
  let rows
  try {
    rows = runQuery(parseQuery(q), deps.ctx, deps.dateFormat)
  } catch (err) {
    if (err instanceof SuiteqlError)
      throw new NetsuiteError(400, 'INVALID_PARAMETER', err.detail, { 'o:errorQueryParam': 'q' })
    throw err
  }
  const page = rows.slice(offset, offset + limit)
  const items = page.map((row) => {
    const item: Record<string, unknown> = { links: [] }
    for (const [key, value] of row.values) {
      const text = renderValue(value, deps.dateFormat)
      if (text !== undefined) item[key] = text
    }
    return item
  })
  const href = (o: number) =>
    `${deps.baseUrl(req)}/services/rest/query/v1/suiteql?limit=${limit}&offset=${o}`
  const hasMore = offset + page.length < rows.length
  const lastOffset = rows.length === 0 ? 0 : Math.floor((rows.length - 1) / limit) * limit
  const links = [
    { rel: 'first', href: href(0) },
    ...(offset > 0 ? [{ rel: 'previous', href: href(Math.max(0, offset - limit)) }] : []),
    ...(hasMore ? [{ rel: 'next', href: href(offset + limit) }] : []),
    { rel: 'last', href: href(lastOffset) },
    { rel: 'self', href: href(offset) },
  ]
  return {
    status: 200,
    headers: { 'content-type': 'application/vnd.oracle.resource+json; type=collection' },
    body: { links, count: items.length, hasMore, items, offset, totalResults: rows.length },
  }
}
