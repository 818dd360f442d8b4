import { createApp } from './app.ts'
import { SUBSCRIBER_NAME } from './subscriber/event-subscriber.ts'

export { AccountLedger } from './objects/account-ledger.ts'
export { OpsRegistry } from './objects/ops-registry.ts'
export { NetsuiteGate } from './objects/netsuite-gate.ts'
export { OrgWriter } from './objects/org-writer.ts'
export { EventSubscriber } from './objects/event-subscriber.ts'
export { ErpArSync } from './objects/erp-ar-sync.ts'
export { Backfill } from './objects/backfill.ts'
export { Metrics } from './objects/metrics.ts'
export { ApprovalDesk } from './objects/approval-desk.ts'
export { Reconciler } from './objects/reconciler.ts'

const app = createApp({ accessFetch: (url) => fetch(url) })

export default {
  fetch: app.fetch,
  /** Crons only kick Durable Objects; each run happens in its object's alarm. */
  scheduled(controller, env, ctx) {
    if (controller.cron === '*/5 * * * *')
      ctx.waitUntil(env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).kick('cron'))
    else {
      ctx.waitUntil(env.ERP_AR_SYNC.getByName('netsuite').kick())
      ctx.waitUntil(env.METRICS.getByName('global').kick())
      ctx.waitUntil(env.RECONCILER.getByName('global').kick())
    }
  },
} satisfies ExportedHandler<Env>
