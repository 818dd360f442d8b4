import { Hono } from 'hono/tiny'
import {
  ActionApproveInput,
  ActionListQuery,
  ActionRejectInput,
  ActionRequestInput,
} from '../../shared/index.ts'
import { NotFoundError } from '../errors.ts'
import { auditCsv } from '../ops/audit-csv.ts'
import { parseJson, readRawBody, type AppContext, type AppEnv } from './context.ts'
import {
  approveAction,
  rejectAction,
  requestAction,
  type Actor,
  type GovernedDeps,
} from './governed-actions.ts'
import { requireRole } from './operator-auth.ts'
import { parse } from './validate.ts'

/** Most audit lines one export holds. */
export const AUDIT_EXPORT_LIMIT = 50_000

async function body(c: AppContext): Promise<unknown> {
  const raw = await readRawBody(c, 64 * 1024)
  return raw.byteLength === 0 ? {} : parseJson(raw)
}

export const depsOf = (c: AppContext): GovernedDeps => ({
  env: c.env,
  config: c.get('config'),
  log: c.get('log'),
})

/** The signed-in actor; the auth middleware (token or session) has set both. */
export const actorOf = (c: AppContext): Actor => ({
  name: c.get('actor') ?? '',
  role: c.get('role') ?? 'viewer',
})

/** The audit export as a download. */
export async function auditDownload(c: AppContext) {
  const lines = await c.env.APPROVAL_DESK.getByName('global').auditLines({
    limit: AUDIT_EXPORT_LIMIT,
  })
  return c.body(auditCsv(lines), 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': 'attachment; filename="concord-audit.csv"',
  })
}

/**
 * Governed actions (`/v1/actions`): ask for one, list and read them with their diff and audit,
 * approve or reject (approvers, never one's own request), and the audit as CSV.
 */
export const actions = new Hono<AppEnv>()
  .post('/', requireRole('operator'), async (c) => {
    const input = parse(ActionRequestInput, await body(c), 'body')
    const outcome = await requestAction(depsOf(c), actorOf(c), input)
    return c.json(outcome, outcome.status === 'pending' ? 202 : 200)
  })
  .get('/', requireRole('viewer'), async (c) => {
    const q = parse(ActionListQuery, c.req.query(), 'query')
    return c.json({ items: await c.env.APPROVAL_DESK.getByName('global').list(q) })
  })
  .get('/audit.csv', requireRole('viewer'), auditDownload)
  .get('/:id', requireRole('viewer'), async (c) => {
    const desk = c.env.APPROVAL_DESK.getByName('global')
    const id = c.req.param('id')
    const request = await desk.get(id)
    if (!request) throw new NotFoundError('Action request')
    return c.json({ request, audit: await desk.auditLines({ requestId: id, limit: 500 }) })
  })
  .post('/:id/approve', requireRole('approver'), async (c) => {
    parse(ActionApproveInput, await body(c), 'body')
    return c.json(await approveAction(depsOf(c), actorOf(c), c.req.param('id')))
  })
  .post('/:id/reject', requireRole('approver'), async (c) => {
    const { reason } = parse(ActionRejectInput, await body(c), 'body')
    const request = await rejectAction(depsOf(c), actorOf(c), c.req.param('id'), reason)
    return c.json({ status: 'rejected', request })
  })
