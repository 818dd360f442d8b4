import { Hono } from 'hono/tiny'
import { AccountId, type ActionRequestInput } from '../../shared/index.ts'
import {
  ExceptionsPage,
  QueueTable,
  type ExceptionsView,
  type QueueFilterValues,
} from '../console/views/exceptions.tsx'
import type { Viewer } from '../console/views/layout.tsx'
import { AppError } from '../errors.ts'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'
import { actorOf, depsOf } from './actions.ts'
import { requireConsoleRole } from './console-auth.ts'
import type { AppContext, AppEnv } from './context.ts'
import { requestAction } from './governed-actions.ts'
import { ExceptionsQuery, RetryInput, SkipInput } from './operator-schemas.ts'
import { parse } from './validate.ts'
import { workFilter } from './work-filter.ts'

const DONE: Record<string, string> = {
  retry: 'Retried: the amendment runs again from the step it stopped at.',
  skip: 'Skipped: the amendment is given up and its subscription moves on.',
  write: 'Back in line: the OrgWriter writes the record with its next flush.',
  acknowledge: 'Acknowledged: the gap leaves the queue.',
  redeliver: 'Back in line: the activation webhook is sent again with the same activation id.',
}

const viewerOf = (c: AppContext): Viewer => c.get('viewer') as Viewer
const isHtmx = (c: AppContext) => c.req.header('hx-request') === 'true'
const FILTERS = ['system', 'category', 'accountId', 'code', 'olderThan', 'q'] as const

/** A refusal the person can act on (validation, not found, conflict) as a notice's words. */
function noticeOf(err: AppError): string {
  const details = Array.isArray(err.details) ? (err.details as Array<{ message?: unknown }>) : []
  const said = details.map((d) => d.message).filter((m): m is string => typeof m === 'string')
  return said.length > 0 ? `${err.message} ${said.join('; ')}.` : err.message
}

/**
 * The page's data from the request's filters. A bad filter is shown as a notice over an empty
 * list (400), never dropped silently. `unparked`: an amendment the ledger just moved on, which
 * the queue (kept through the ledger's outbox, moments later) may still hold.
 */
async function exceptionsView(
  c: AppContext,
  notice?: ExceptionsView['notice'],
  unparked?: string,
): Promise<{ view: ExceptionsView; bad: boolean }> {
  const raw = c.req.query()
  const filter: QueueFilterValues = {}
  for (const k of FILTERS) if (raw[k]) filter[k] = raw[k]
  const registry = c.env.OPS_REGISTRY.getByName('global')
  const quarantine = await registry.listQuarantine({ limit: 50 })
  const empty = { items: [], counts: { retrying: 0, needs_data_fix: 0, needs_approval: 0 } }
  const base = { filter, quarantine, viewer: viewerOf(c), now: Date.now(), notice }
  let query
  try {
    query = parse(ExceptionsQuery, { ...filter, cursor: raw.cursor }, 'filter')
  } catch (err) {
    if (!(err instanceof AppError)) throw err
    return { view: { ...base, page: empty, notice: { text: noticeOf(err), bad: true } }, bad: true }
  }
  const page = await registry.workQueue(workFilter(query))
  const items = page.items.filter((i) => i.kind !== 'amendment' || i.ref !== unparked)
  return { view: { ...base, page: { ...page, items } }, bad: false }
}

async function listPage(c: AppContext) {
  const done = DONE[c.req.query('done') ?? '']
  const { view, bad } = await exceptionsView(c, done ? { text: done } : undefined)
  if (isHtmx(c)) return c.html(<QueueTable view={view} />, bad ? 400 : 200)
  return c.html(<ExceptionsPage view={view} />, bad ? 400 : 200)
}

/**
 * Retry or skip from a console form: the JSON API's code path (the approval rule included),
 * answered as HTML. One that needs approval leads to its request's page.
 */
async function onParkedForm(c: AppContext, kind: 'retry' | 'skip') {
  const form = await c.req.parseBody()
  const given = { reason: typeof form.reason === 'string' ? form.reason : '' }
  const amendmentId = c.req.param('id') ?? ''
  let failed: AppError | undefined
  let pending: string | undefined
  try {
    const { reason } = parse(kind === 'retry' ? RetryInput : SkipInput, given, 'form')
    const input: ActionRequestInput =
      kind === 'retry'
        ? { kind, amendmentId, reason: reason || undefined }
        : { kind, amendmentId, reason: reason ?? '' }
    const outcome = await requestAction(depsOf(c), actorOf(c), input)
    if (outcome.status === 'pending') pending = outcome.request.id
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err
    failed = err
  }
  if (pending) {
    const href = `/console/approvals/${encodeURIComponent(pending)}?done=requested`
    if (isHtmx(c)) return c.body(null, 200, { 'HX-Redirect': href })
    return c.redirect(href, 303)
  }
  const notice = failed ? { text: noticeOf(failed), bad: true } : { text: DONE[kind] ?? '' }
  const { view } = await exceptionsView(c, notice, failed ? undefined : amendmentId)
  if (isHtmx(c)) return c.html(<QueueTable view={view} />)
  if (!failed) return c.redirect(`/console/exceptions?done=${kind}`, 303)
  return c.html(<ExceptionsPage view={view} />, failed.status as 400)
}

/** The exceptions page: the work queue with its filters, and each item's action. */
export const consoleExceptions = new Hono<AppEnv>()
  .get('/', listPage)
  .post('/:id/retry', requireConsoleRole('operator'), (c) => onParkedForm(c, 'retry'))
  .post('/:id/skip', requireConsoleRole('operator'), (c) => onParkedForm(c, 'skip'))
  .post('/writes/:object/:externalId/retry', requireConsoleRole('operator'), async (c) => {
    const { object, externalId } = c.req.param()
    const found = await c.env.ORG_WRITER.getByName('org').retryParked(object, externalId)
    c.get('log').info('parked Salesforce record retried', { actor: actorOf(c).name, object, found })
    return c.redirect(`/console/exceptions?done=${found ? 'write' : ''}`, 303)
  })
  .post('/activations/:accountId/:key/redeliver', requireConsoleRole('operator'), async (c) => {
    const { accountId, key } = c.req.param()
    if (!AccountId.safeParse(accountId).success) return c.redirect('/console/exceptions', 303)
    const stub = c.env.ACCOUNT_LEDGER.getByName(accountId)
    const result = await stub.requestActivation(key, actorOf(c).name)
    c.get('log').info('activation webhook sent again', {
      actor: actorOf(c).name,
      subscriptionKey: key,
      status: result.status,
    })
    return c.redirect(
      `/console/exceptions?done=${result.status === 'redelivering' ? 'redeliver' : ''}`,
      303,
    )
  })
  .post('/gaps/:id/acknowledge', requireConsoleRole('operator'), async (c) => {
    const id = Number(c.req.param('id'))
    const stub = c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME)
    const result = Number.isInteger(id) ? await stub.acknowledgeGap(id, actorOf(c).name) : undefined
    c.get('log').info('subscriber gap acknowledged', { actor: actorOf(c).name, gapId: id })
    return c.redirect(
      `/console/exceptions?done=${result?.status === 'ok' ? 'acknowledge' : ''}`,
      303,
    )
  })
