import type { Config } from '../config/types.ts'
import { createLogger, errorFields } from '../lib/log.ts'
import type { WorkItem, WorkKind } from '../ops/work-queue.ts'

/**
 * How a singleton object reports its current set of work-queue items to the OpsRegistry: the
 * whole set each time (idempotent, and a lost report is mended by the next), but only when it
 * changed since this isolate's last report, so a busy alarm costs no call. A failed report is
 * logged and tried again next time; it never fails the caller's own work.
 */
export function workReporter(
  env: Env,
  config: Config,
  kind: WorkKind,
): (items: () => WorkItem[] | Promise<WorkItem[]>) => Promise<void> {
  const log = createLogger({ component: 'WorkReport', kind }, config.logLevel)
  let last: string | undefined
  return async (items) => {
    try {
      const now = await items()
      const text = JSON.stringify(now)
      if (text === last) return
      await env.OPS_REGISTRY.getByName('global').reportWork(kind, now)
      last = text
    } catch (err) {
      log.warn('work queue report failed; the next one mends it', errorFields(err))
    }
  }
}
