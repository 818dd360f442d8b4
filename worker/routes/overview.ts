import type { Overview } from '../console/views/overview.tsx'
import { SUBSCRIBER_NAME } from '../subscriber/event-subscriber.ts'

/**
 * The backlog at a glance, from what each object already keeps: the registry's counts, the
 * writer's queue, the subscriber's cursor, the AR watermark, the backfill. No ledger is opened,
 * so the cost does not grow with the number of accounts. `GET /v1/overview` and the console's
 * overview both read it here.
 */
export async function readOverview(env: Env): Promise<Overview> {
  const [backlog, writer, subscriber, arSync, backfill] = await Promise.all([
    env.OPS_REGISTRY.getByName('global').backlog(),
    env.ORG_WRITER.getByName('org').status(),
    env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).status(),
    env.ERP_AR_SYNC.getByName('netsuite').status(),
    env.BACKFILL.getByName('global').status(),
  ])
  return {
    backlog,
    writer: {
      pending: writer.pending,
      parked: writer.parked.length,
      calls24h: writer.calls24h,
      usage: writer.usage,
    },
    subscriber: {
      health: subscriber.health,
      lastEventAt: subscriber.lastEventAt,
      openGaps: subscriber.openGaps,
      nextRunAt: subscriber.nextRunAt,
    },
    arSync,
    backfill: { state: backfill.state, done: backfill.done, total: backfill.total },
  }
}
