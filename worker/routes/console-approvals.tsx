import { Hono } from 'hono/tiny'
import { ActionRejectInput } from '../../shared/index.ts'
import { ApprovalPage, ApprovalsPage, type ApprovalView } from '../console/views/approvals.tsx'
import type { Viewer } from '../console/views/layout.tsx'
import { AppError, NotFoundError } from '../errors.ts'
import { actorOf, depsOf } from './actions.ts'
import { requireConsoleRole } from './console-auth.ts'
import type { AppContext, AppEnv } from './context.ts'
import { approveAction, rejectAction } from './governed-actions.ts'
import { parse } from './validate.ts'

const viewerOf = (c: AppContext): Viewer => c.get('viewer') as Viewer

/** What a decision led to, as the notice the request's page shows after the redirect. */
const DONE: Record<string, { text: string; bad?: boolean }> = {
  executed: { text: 'Approved and run.' },
  superseded: { text: 'Approved, but the amendment had moved on: nothing ran.', bad: true },
  needs_reapproval: {
    text: "The vendors' state changed since the request: the diff below is new and needs approval again.",
    bad: true,
  },
  rejected: { text: 'Rejected.' },
  requested: { text: 'Requested: it waits for a second person with the approver role.' },
}

async function requestView(c: AppContext, notice?: ApprovalView['notice']) {
  const desk = c.env.APPROVAL_DESK.getByName('global')
  const id = c.req.param('id') ?? ''
  const request = await desk.get(id)
  if (!request) throw new NotFoundError('Action request')
  const audit = await desk.auditLines({ requestId: id, limit: 500 })
  return { request, audit, viewer: viewerOf(c), notice }
}

/** A refusal a person can act on (self-approval, expired, not pending) shown on the request's page. */
async function decide(c: AppContext, run: () => Promise<string>) {
  let failed: AppError | undefined
  let status = ''
  try {
    status = await run()
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err
    failed = err
  }
  const id = encodeURIComponent(c.req.param('id') ?? '')
  if (!failed) return c.redirect(`/console/approvals/${id}?done=${status}`, 303)
  const view = await requestView(c, { text: failed.message, bad: true })
  return c.html(<ApprovalPage view={view} />, failed.status as 400)
}

/**
 * The console's Approvals pages (mounted behind the console's sign-in and CSRF check): the
 * pending list, one request with its diff and audit, and the approve and reject forms, which
 * take the JSON API's code path with the signed-in person as the actor.
 */
export const consoleApprovals = new Hono<AppEnv>()
  .get('/', async (c) => {
    const desk = c.env.APPROVAL_DESK.getByName('global')
    const [pending, recent] = await Promise.all([
      desk.list({ state: 'pending', limit: 200 }),
      desk.list({ limit: 50 }),
    ])
    return c.html(<ApprovalsPage view={{ pending, recent, viewer: viewerOf(c) }} />)
  })
  .get('/:id', async (c) => {
    const done = DONE[c.req.query('done') ?? '']
    return c.html(<ApprovalPage view={await requestView(c, done)} />)
  })
  .post('/:id/approve', requireConsoleRole('approver'), (c) =>
    decide(c, async () => {
      const outcome = await approveAction(depsOf(c), actorOf(c), c.req.param('id'))
      return outcome.status
    }),
  )
  .post('/:id/reject', requireConsoleRole('approver'), (c) =>
    decide(c, async () => {
      const form = await c.req.parseBody()
      const given = { reason: typeof form.reason === 'string' ? form.reason : '' }
      const { reason } = parse(ActionRejectInput, given, 'form')
      await rejectAction(depsOf(c), actorOf(c), c.req.param('id'), reason)
      return 'rejected'
    }),
  )
