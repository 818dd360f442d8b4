import { Hono } from 'hono/tiny'
import { readTraceOf, searchTraces } from '../console/trace-lookup.ts'
import type { Viewer } from '../console/views/layout.tsx'
import { TracePage, TraceSearchPage } from '../console/views/trace.tsx'
import type { AppEnv } from './context.ts'
import { CorrelationIdParam, TraceSearchQuery } from './operator-schemas.ts'
import { parse } from './validate.ts'

/**
 * The console's trace pages, mounted after sign-in: `/console/trace?q=` searches by any id (one
 * match opens its trace), `/console/trace/:correlationId` shows one correlation id end to end.
 */
export const consoleTrace = new Hono<AppEnv>()
  .get('/', async (c) => {
    const viewer = c.get('viewer') as Viewer
    const given = c.req.query('q')
    if (given === undefined) return c.html(<TraceSearchPage viewer={viewer} />)
    const { q } = parse(TraceSearchQuery, { q: given }, 'query')
    const matches = await searchTraces(c.env, q)
    const ids = [...new Set(matches.map((m) => m.correlationId))]
    if (ids.length === 1 && ids[0])
      return c.redirect(`/console/trace/${encodeURIComponent(ids[0])}`, 303)
    return c.html(<TraceSearchPage q={q} matches={matches} viewer={viewer} />)
  })
  .get('/:correlationId', async (c) => {
    const { correlationId } = parse(CorrelationIdParam, c.req.param(), 'path')
    const result = await readTraceOf(c.env, c.get('config'), correlationId)
    return c.html(<TracePage result={result} viewer={c.get('viewer') as Viewer} />)
  })
