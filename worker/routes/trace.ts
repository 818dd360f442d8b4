import { Hono } from 'hono'
import * as z from 'zod/mini'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { readTraceOf, searchTraces } from '../console/trace-lookup.ts'
import { parse } from './validate.ts'

/** What a trace search takes: any id an amendment is known by. */
export const TraceSearchQuery = z.object({
  q: z.string().check(z.trim(), z.minLength(1, 'give an id to search for'), z.maxLength(200)),
})

/** A correlation id as Salesforce sends it (`Correlation_Id__c`, at most 64 characters). */
export const CorrelationIdParam = z.object({
  correlationId: z.string().check(z.minLength(1), z.maxLength(64)),
})

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
