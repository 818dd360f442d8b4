import type { EmuResponse, Handler } from '../common/router.ts'
import type { ApiCtx, ApiRoute } from './api.ts'
import { SalesforceApiError } from './errors.ts'
import { runSoql } from './soql-exec.ts'
import { parseSoql } from './soql-parser.ts'
import { TOOLING_ONLY } from './setup-schema.ts'

const MAX_CURSORS = 200

/** `Sforce-Query-Options: batchSize=N` (200–2,000; default 2,000). */
function batchSize(ctx: ApiCtx): number {
  const asked = Number(
    /batchSize=(\d+)/i.exec(ctx.req.headers['sforce-query-options'] ?? '')?.[1] ?? 2000,
  )
  return Math.min(2000, Math.max(200, asked))
}

function page(
  ctx: ApiCtx,
  locator: string,
  rows: unknown[],
  position: number,
  size: number,
  totalSize: number,
): EmuResponse {
  const records = rows.slice(position, position + size)
  const next = position + size
  const body: Record<string, unknown> = { totalSize, done: next >= rows.length, records }
  if (next < rows.length)
    body.nextRecordsUrl = `/services/data/v${ctx.version}/query/${locator}-${next}`
  return { status: 200, body }
}

/**
 * `GET /query?q=`: the first batch of results, with `nextRecordsUrl` when more remain.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
 */
function query(ctx: ApiCtx, tooling = false): EmuResponse {
  const q = ctx.req.query.get('q')
  if (!q) throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified')
  const parsed = parseSoql(q)
  if (!tooling && TOOLING_ONLY.has(parsed.object.toLowerCase()))
    throw new SalesforceApiError(
      400,
      'INVALID_TYPE',
      `sObject type '${parsed.object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    )
  const { count, rows } = runSoql(ctx.org, parsed, ctx.version)
  if (parsed.fields === 'count')
    return { status: 200, body: { totalSize: count, done: true, records: [] } }
  const size = batchSize(ctx)
  if (rows.length <= size)
    return { status: 200, body: { totalSize: count, done: true, records: rows } }
  const locator = ctx.org.ids.next('01g')
  ctx.org.cursors.set(locator, { rows, position: size, batchSize: size })
  for (const key of ctx.org.cursors.keys()) {
    if (ctx.org.cursors.size <= MAX_CURSORS) break
    ctx.org.cursors.delete(key)
  }
  return page(ctx, locator, rows, 0, size, count)
}

/** `GET /query/{locator}-{position}`: the next batch. */
function queryMore(ctx: ApiCtx): EmuResponse {
  const [locator = '', position = ''] = (ctx.req.params.locator ?? '').split('-')
  const cursor = ctx.org.cursors.get(locator)
  if (!cursor || !/^\d+$/.test(position))
    throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator')
  return page(ctx, locator, cursor.rows, Number(position), cursor.batchSize, cursor.rows.length)
}

/**
 * `GET /limits`, the allocations that matter here. DailyApiRequests counts this call too.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_limits.htm
 */
function limits(ctx: ApiCtx): EmuResponse {
  const { usage, bus } = ctx.org
  return {
    status: 200,
    body: {
      DailyApiRequests: { Max: usage.max, Remaining: Math.max(0, usage.max - usage.used()) },
      HourlyPublishedPlatformEvents: {
        Max: 250_000,
        Remaining: Math.max(0, 250_000 - bus.published),
      },
      DailyDeliveredPlatformEvents: { Max: 50_000, Remaining: 50_000 },
    },
  }
}

function resources(ctx: ApiCtx): EmuResponse {
  const base = `/services/data/v${ctx.version}`
  const names = ['sobjects', 'query', 'queryAll', 'composite', 'limits']
  return { status: 200, body: Object.fromEntries(names.map((n) => [n, `${base}/${n}`])) }
}

/** Query, limits and the version's resource list. */
export const QUERY_ROUTES: ApiRoute[] = [
  { method: 'GET', path: '/query', handler: (ctx) => query(ctx), kind: 'query' },
  // The Tooling API's query (setup objects such as PlatformEventSubscriberConfig):
  // https://developer.salesforce.com/docs/atlas.en-us.api_tooling.meta/api_tooling/intro_rest_resources.htm
  { method: 'GET', path: '/tooling/query', handler: (ctx) => query(ctx, true), kind: 'query' },
  { method: 'GET', path: '/queryAll', handler: (ctx) => query(ctx), kind: 'query' },
  { method: 'GET', path: '/query/:locator', handler: queryMore, kind: 'query' },
  { method: 'GET', path: '/limits', handler: limits },
  { method: 'GET', path: '', handler: resources },
]

/** `GET /services/data`: the versions list (needs no session and does not count). */
export const VERSIONS: Handler = () => ({
  status: 200,
  body: ['60.0', '61.0', '62.0', '63.0', '64.0', '65.0', '66.0'].map((version) => ({
    label: `v${version}`,
    url: `/services/data/v${version}`,
    version,
  })),
})
