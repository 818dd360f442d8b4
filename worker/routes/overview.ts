import type { Overview } from '../console/views/overview.tsx'
import { errorFields, type Logger } from '../lib/log.ts'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'

/** One source's answer, or undefined (logged) when it failed: one failing object blanks one tile. */
async function settle<T>(
  log: Logger,
  source: string,
  read: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await read()
  } catch (err) {
    log.error('overview source failed', { source, ...errorFields(err) })
    return undefined
  }
}

/**
 * The backlog at a glance, from what each object already keeps: the registry's counts, the
 * writer's queue, the subscriber's cursor, the AR watermark, the backfill. No ledger is opened,
 * so the cost does not grow with the number of accounts. `GET /v1/overview` and the console's
 * overview both read it here; a source that fails is left out rather than failing the rest.
 */
export async function readOverview(env: Env, log: Logger): Promise<Overview> {
  const [backlog, writer, subscriber, arSync, backfill] = await Promise.all([
    settle(log, 'registry', () => env.OPS_REGISTRY.getByName('global').backlog()),
    settle(log, 'writer', () => env.ORG_WRITER.getByName('org').status()),
    settle(log, 'subscriber', () => env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).status()),
    settle(log, 'arSync', () => env.ERP_AR_SYNC.getByName('netsuite').status()),
    settle(log, 'backfill', () => env.BACKFILL.getByName('global').status()),
  ])
  return {
    backlog,
    writer: writer && {
      pending: writer.pending,
      parked: writer.parked.length,
      calls24h: writer.calls24h,
      usage: writer.usage,
    },
    subscriber: subscriber && {
      health: subscriber.health,
      lastEventAt: subscriber.lastEventAt,
      openGaps: subscriber.openGaps,
      nextRunAt: subscriber.nextRunAt,
    },
    arSync,
    backfill: backfill && { state: backfill.state, done: backfill.done, total: backfill.total },
  }
}
