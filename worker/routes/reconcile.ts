import { Hono } from 'hono/tiny'
import { ConflictError, ValidationError } from '../errors.ts'
import type { AppEnv } from './context.ts'
import { ReconcileInput, ReconcileQuery } from './contract/reconcile.ts'
import { requireRole } from './operator-auth.ts'
import { parse } from './validate.ts'

async function jsonBody(req: Request): Promise<unknown> {
  const text = await req.text()
  if (!text) return {}
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new ValidationError('Request body is not valid JSON.')
  }
}

/** The drift reconciler: run it now (an operator), or read its latest reports. */
export const reconcile = new Hono<AppEnv>()
  .post('/', requireRole('operator'), async (c) => {
    const body = parse(ReconcileInput, await jsonBody(c.req.raw), 'body')
    const result = await c.env.RECONCILER.getByName('global').run({
      trigger: 'operator',
      accountId: body.accountId,
      repair: body.repair,
    })
    if (result.status === 'busy')
      throw new ConflictError('The reconciler is running; read its report with GET /v1/reconcile.')
    if (result.status === 'no_customer')
      throw new ValidationError('That account has no billing customer linked yet.', [
        { field: 'accountId', message: 'no billing customer linked' },
      ])
    c.get('log').info('reconcile run by an operator', {
      actor: c.get('actor'),
      findings: result.report.findings.length,
    })
    return c.json(result.report)
  })
  .get('/', requireRole('viewer'), async (c) => {
    const q = parse(ReconcileQuery, c.req.query(), 'query')
    return c.json({ items: await c.env.RECONCILER.getByName('global').lastReports(q.limit) })
  })
