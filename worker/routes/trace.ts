import { Hono } from 'hono/tiny'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { CorrelationIdParam, TraceSearchQuery } from './operator-schemas.ts'
import { readTraceOf, searchTraces } from '../console/trace-lookup.ts'
import { parse } from './validate.ts'

/**
 * `GET /v1/trace?q=` finds amendments by any id; `GET /v1/trace/:correlationId` is the trace
 * view's JSON twin: the event, each step with its attempts, vendor calls, records written back.
 */
export const trace = new Hono<AppEnv>()
  .get('/', requireRole('viewer'), async (c) => {
    const { q } = parse(TraceSearchQuery, c.req.query(), 'query')
    return c.json({ items: await searchTraces(c.env, q) })
  })
  .get('/:correlationId', requireRole('viewer'), async (c) => {
    const { correlationId } = parse(CorrelationIdParam, c.req.param(), 'path')
    return c.json(await readTraceOf(c.env, c.get('config'), correlationId))
  })
