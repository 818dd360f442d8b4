import type { Overview } from '../console/views/overview.tsx'
import { BACKLOG_STATES, BACKLOG_SYSTEMS, backlogMetric, METRICS } from '../lib/metric-catalog.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { METRICS_NAME } from '../objects/metric-port.ts'
import type { Backlog } from '../ops/ops-registry.ts'
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

/** The exception and quarantine counts, from the gauges the metrics object keeps up. */
function backlogOf(gauges: Record<string, number>, now: number): Backlog {
  const exceptions: Record<string, number> = {}
  for (const state of BACKLOG_STATES)
    exceptions[state] = BACKLOG_SYSTEMS.reduce(
      (n, system) => n + (gauges[backlogMetric(state, system)] ?? 0),
      0,
    )
  const oldestAge = gauges[METRICS.quarantineOldest.name] ?? 0
  return {
    exceptions,
    quarantined: gauges[METRICS.quarantine.name] ?? 0,
    oldestQuarantinedAt: oldestAge > 0 ? new Date(now - oldestAge).toISOString() : undefined,
  }
}

/**
 * The backlog at a glance, from what the objects already keep: the metrics object's roll-ups
 * (exceptions and quarantine, summed over accounts as each reports its own), the writer's
 * queue, the subscriber's cursor, the AR watermark, the backfill. Nothing is counted on load and
 * no ledger is opened, so the cost does not grow with the number of accounts or exceptions. `GET /v1/overview` and the console's
 * overview both read it here; a source that fails is left out rather than failing the rest.
 */
export async function readOverview(env: Env, log: Logger): Promise<Overview> {
  const [backlog, writer, subscriber, arSync, backfill] = await Promise.all([
    settle(log, 'metrics', () => env.METRICS.getByName(METRICS_NAME).gauges()),
    settle(log, 'writer', () => env.ORG_WRITER.getByName('org').status()),
    settle(log, 'subscriber', () => env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).status()),
    settle(log, 'arSync', () => env.ERP_AR_SYNC.getByName('netsuite').status()),
    settle(log, 'backfill', () => env.BACKFILL.getByName('global').status()),
  ])
  return {
    backlog: backlog && backlogOf(backlog, Date.now()),
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
