import type { Context } from 'hono'
import { Hono } from 'hono/tiny'
import * as z from 'zod/mini'
import { AccountId } from '../../shared/index.ts'
import { NotFoundError, ValidationError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { requireRole } from './operator-auth.ts'
import { actorOf, depsOf } from './actions.ts'
import { requestAction } from './governed-actions.ts'
import { RetryInput, SkipInput } from './parked-actions.ts'
import {
  BackfillInput,
  ExceptionsQuery,
  QuarantineQuery,
  WebhookEventsQuery,
} from './operator-schemas.ts'
import { startBackfill } from './direct-actions.ts'
import { readOverview } from './overview.ts'
import { parse } from './validate.ts'
import { workFilter } from './work-filter.ts'

async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text()
  if (!text) return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
}

/**
 * Retry or skip from the JSON API, through the approval rule like the console's buttons: done
 * now (200, the amendment), or a request waiting for an approver (202, the request and its diff).
 */
async function onParked(c: Context<AppEnv>, kind: 'retry' | 'skip', reason: string | undefined) {
  const amendmentId = c.req.param('id') ?? ''
  const input =
    kind === 'retry' ? { kind, amendmentId, reason } : { kind, amendmentId, reason: reason ?? '' }
  const outcome = await requestAction(depsOf(c), actorOf(c), input)
  if (outcome.status === 'executed') return c.json({ amendment: outcome.result })
  return c.json({ status: 'approval_required', request: outcome.request }, 202)
}

/** Operator API: the overview, quarantine, exceptions (list, retry, skip), accounts and amendments. */
export const operator = new Hono<AppEnv>()
  .get('/overview', requireRole('viewer'), async (c) =>
    c.json(await readOverview(c.env, c.get('log'))),
  )
  .get('/quarantine', requireRole('viewer'), async (c) => {
    const q = parse(QuarantineQuery, c.req.query(), 'query')
    const items = await c.env.OPS_REGISTRY.getByName('global').listQuarantine(q)
    return c.json({ items, next: items.length === q.limit ? items.at(-1)?.id : undefined })
  })
  .get('/exceptions', requireRole('viewer'), async (c) => {
    const q = parse(ExceptionsQuery, c.req.query(), 'query')
    const registry = c.env.OPS_REGISTRY.getByName('global')
    if (q.state) return c.json({ items: await registry.listExceptions({ ...q, state: q.state }) })
    return c.json(await registry.workQueue(workFilter(q)))
  })
  .post('/exceptions/:id/retry', requireRole('operator'), async (c) => {
    const body = parse(RetryInput, await jsonBody(c.req.raw), 'body')
    return onParked(c, 'retry', body.reason)
  })
  .post('/exceptions/:id/skip', requireRole('operator'), async (c) => {
    const body = parse(SkipInput, await jsonBody(c.req.raw), 'body')
    return onParked(c, 'skip', body.reason)
  })
  .get('/webhooks/stripe/events', requireRole('viewer'), async (c) => {
    const q = parse(WebhookEventsQuery, c.req.query(), 'query')
    return c.json(await c.env.OPS_REGISTRY.getByName('global').webhookReport(q))
  })
  .get('/writer', requireRole('viewer'), async (c) =>
    c.json(await c.env.ORG_WRITER.getByName('org').status()),
  )
  .post('/backfill', requireRole('operator'), async (c) => {
    const body = parse(BackfillInput, await jsonBody(c.req.raw), 'body')
    return c.json(await startBackfill(c.env, c.get('actor') ?? 'operator', body.accountId), 202)
  })
  .get('/backfill', requireRole('viewer'), async (c) =>
    c.json(await c.env.BACKFILL.getByName('global').status()),
  )
  .get('/erp/ar-sync', requireRole('viewer'), async (c) =>
    c.json(await c.env.ERP_AR_SYNC.getByName('netsuite').status()),
  )
  .post('/erp/ar-sync/run', requireRole('operator'), async (c) => {
    await c.env.ERP_AR_SYNC.getByName('netsuite').kick()
    return c.json({ started: true }, 202)
  })
  .get('/accounts/:accountId/standing', requireRole('viewer'), async (c) => {
    const accountId = parse(AccountId, c.req.param('accountId'), 'account id')
    const standing = await c.env.ACCOUNT_LEDGER.getByName(accountId).financialStanding()
    if (!standing) throw new NotFoundError('Standing')
    return c.json(standing)
  })
  .get('/accounts/:accountId', requireRole('viewer'), async (c) => {
    const accountId = parse(AccountId, c.req.param('accountId'), 'account id')
    const summary = await c.env.ACCOUNT_LEDGER.getByName(accountId).summary()
    if (!summary) throw new NotFoundError('Account')
    return c.json(summary)
  })
  .get('/lookup/:id', requireRole('viewer'), async (c) => {
    const id = parse(
      z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
      c.req.param('id'),
      'id',
    )
    const items = await c.env.OPS_REGISTRY.getByName('global').findAmendments(id)
    if (items.length === 0) throw new NotFoundError('Amendment')
    return c.json({ items })
  })
  .get('/accounts/:accountId/amendments/:id', requireRole('viewer'), async (c) => {
    const accountId = parse(AccountId, c.req.param('accountId'), 'account id')
    const detail = await c.env.ACCOUNT_LEDGER.getByName(accountId).amendment(c.req.param('id'))
    if (!detail) throw new NotFoundError('Amendment')
    return c.json(detail)
  })
