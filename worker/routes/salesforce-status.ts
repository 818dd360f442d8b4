import { Hono } from 'hono/tiny'
import { EVENT_RETENTION_HOURS, SetupStatus, type SetupError } from '../../shared/index.ts'
import { ValidationError } from '../errors.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'
import type { SubscriberStatus } from '../subscriber/views.ts'
import type { WriterStatus } from '../writer/org-writer.ts'
import { readRawBody, type AppEnv } from './context.ts'
import { requireSignedRequest } from './signed.ts'

const HOUR_MS = 3_600_000
const MAX_ERRORS = 5

/** One object's answer, or undefined (logged) when it failed: the page shows that part unknown. */
async function settle<T>(log: Logger, source: string, read: () => Promise<T>) {
  try {
    return await read()
  } catch (err) {
    log.error('setup status source failed', { source, ...errorFields(err) })
    return undefined
  }
}

function catchUpOf(s: SubscriberStatus, now: number): SetupStatus['catchUp'] {
  const lastGood = s.recentRuns.find((r) => r.finishedAt && !r.error && r.outcome !== 'failed')
  const lastSuccessAt = lastGood?.finishedAt
  return {
    health: s.health,
    lastSuccessAt,
    cursorAgeHours: lastSuccessAt
      ? Math.round(((now - Date.parse(lastSuccessAt)) / HOUR_MS) * 10) / 10
      : undefined,
    retentionHours: EVENT_RETENTION_HOURS,
    consecutiveFailures: s.consecutiveFailures,
  }
}

/** The last failures by code and time: their messages can carry vendor or record detail. */
function errorsOf(s: SubscriberStatus | undefined, w: WriterStatus | undefined): SetupError[] {
  const errors: SetupError[] = [
    ...(s?.lastError
      ? [{ source: 'catch_up' as const, at: s.lastError.at, code: s.lastError.code }]
      : []),
    ...(w?.parked ?? []).map((p) => ({ source: 'writer' as const, at: p.parkedAt, code: p.code })),
  ]
  return errors.sort((a, b) => b.at.localeCompare(a.at)).slice(0, MAX_ERRORS)
}

/**
 * `GET /v1/salesforce/status`: the figures the "Concord Setup" page in Salesforce shows, for a
 * signed call (so a good answer also proves the Named Credential, the signing secret and the
 * clock). Read from what the subscriber, the writer and the registry keep; no ledger is opened.
 */
export const salesforceStatus = new Hono<AppEnv>().get('/', async (c) => {
  await requireSignedRequest(c, await readRawBody(c, 1024))
  if (new URL(c.req.url).search) throw new ValidationError('This route takes no query parameters.')
  const log = c.get('log')
  const [subscriber, writer, backlog] = await Promise.all([
    settle(log, 'subscriber', () => c.env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).status()),
    settle(log, 'writer', () => c.env.ORG_WRITER.getByName('org').status()),
    settle(log, 'registry', () => c.env.OPS_REGISTRY.getByName('global').backlog()),
  ])
  const now = Date.now()
  const status: SetupStatus = {
    checkedAt: new Date(now).toISOString(),
    catchUp: subscriber ? catchUpOf(subscriber, now) : null,
    writer: writer ? { pending: writer.pending, parked: writer.parked.length } : null,
    parkedAmendments: backlog ? (backlog.exceptions.parked ?? 0) : null,
    quarantined: backlog ? backlog.quarantined : null,
    errors: errorsOf(subscriber, writer),
  }
  return c.json(SetupStatus.parse(status))
})
