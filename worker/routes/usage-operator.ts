import { Hono } from 'hono/tiny'
import type { Context } from 'hono'
import * as z from 'zod/mini'
import { AccountId } from '../../shared/index.ts'
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { parse } from './validate.ts'

const Page = z.object({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
  after: z.optional(z.string().check(z.minLength(1))),
})
const Period = z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month: YYYY-MM'))
const Resolve = z.object({ reason: z.string().check(z.trim(), z.minLength(3), z.maxLength(1000)) })

/** Parses with a zod/mini schema. @throws ValidationError naming each field that failed. */
function check<T extends z.ZodMiniType>(schema: T, input: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new ValidationError(
    `Invalid ${where}.`,
    result.error.issues.map((i) => ({ field: i.path.join('.') || where, message: i.message })),
  )
}

async function jsonBody(req: Request): Promise<unknown> {
  try {
    const text = await req.text()
    return text ? (JSON.parse(text) as unknown) : {}
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
}

const ledgerOf = (c: Context<AppEnv>) =>
  c.env.ACCOUNT_LEDGER.getByName(parse(AccountId, c.req.param('accountId'), 'account id'))

function answer(
  result: { status: 'ok' } | { status: 'not_found' } | { status: 'conflict'; message: string },
  what: string,
) {
  if (result.status === 'not_found') throw new NotFoundError(what)
  if (result.status === 'conflict') throw new ConflictError(result.message)
}

/**
 * Operator API for usage: an account's periods and exceptions, the trail of an invoice line
 * (which meter events and which records made up a meter's usage in a period), one meter event's
 * records, and the two actions (send a parked aggregate again, resolve a late record).
 */
export const usageOperator = new Hono<AppEnv>()
  .get('/accounts/:accountId/usage', requireRole('viewer'), async (c) => {
    const q = check(Page, c.req.query(), 'query')
    return c.json(await ledgerOf(c).usage(q.limit))
  })
  .get('/accounts/:accountId/usage/lines/:period/:meter', requireRole('viewer'), async (c) => {
    const q = check(Page, c.req.query(), 'query')
    const period = check(Period, c.req.param('period'), 'period')
    return c.json(await ledgerOf(c).usageLine({ period, meter: c.req.param('meter'), ...q }))
  })
  .get('/accounts/:accountId/usage/aggregates/:identifier', requireRole('viewer'), async (c) => {
    const found = await ledgerOf(c).usageAggregate(c.req.param('identifier'))
    if (!found) throw new NotFoundError('Usage aggregate')
    return c.json(found)
  })
  .post(
    '/accounts/:accountId/usage/aggregates/:identifier/retry',
    requireRole('operator'),
    async (c) => {
      const ledger = ledgerOf(c)
      answer(
        await ledger.retryUsageAggregate(c.req.param('identifier'), c.get('actor') ?? 'operator'),
        'Usage aggregate',
      )
      return c.json(await ledger.usageAggregate(c.req.param('identifier')))
    },
  )
  .post('/accounts/:accountId/usage/periods/:period/close', requireRole('operator'), async (c) => {
    const period = check(Period, c.req.param('period'), 'period')
    await ledgerOf(c).closeUsagePeriod(period, c.get('actor') ?? 'operator')
    return c.json({ period, closed: true })
  })
  .post('/accounts/:accountId/usage/records/:id/resolve', requireRole('operator'), async (c) => {
    const body = check(Resolve, await jsonBody(c.req.raw), 'body')
    const result = await ledgerOf(c).resolveUsageRecord(
      c.req.param('id'),
      c.get('actor') ?? 'operator',
      body.reason,
    )
    answer(result, 'Usage record')
    return c.json({ id: c.req.param('id'), state: 'resolved' })
  })
