import { Hono } from 'hono'
import { AppError } from './errors.ts'
import { requestContext, type AppEnv } from './routes/context.ts'
import { createLogger, errorFields } from './lib/log.ts'
import { amendments } from './routes/amendments.ts'
import { catalog } from './routes/catalog.ts'
import { operator } from './routes/operator.ts'
import { salesforceEvents } from './routes/salesforce-events.ts'
import { stripeWebhooks } from './routes/stripe-webhooks.ts'
import { subscriber } from './routes/subscriber.ts'
import { SUBSCRIBER_NAME } from './subscriber/event-subscriber.ts'

export { AccountLedger } from './objects/account-ledger.ts'
export { OpsRegistry } from './objects/ops-registry.ts'
export { NetsuiteGate } from './objects/netsuite-gate.ts'
export { OrgWriter } from './objects/org-writer.ts'
export { EventSubscriber } from './objects/event-subscriber.ts'
export { ErpArSync } from './objects/erp-ar-sync.ts'
export { Backfill } from './objects/backfill.ts'

const app = new Hono<AppEnv>()

app.get('/healthz', (c) => c.json({ ok: true }))
app.use('/v1/*', requestContext)
app.route('/v1/salesforce/events', salesforceEvents)
app.route('/v1/catalog', catalog)
app.route('/v1/amendments', amendments)
app.route('/v1/webhooks/stripe', stripeWebhooks)
app.route('/v1/subscriber', subscriber)
app.route('/v1', operator)

app.notFound((c) =>
  c.json(
    {
      error: {
        code: 'not_found',
        message: `No route for ${c.req.method} ${c.req.path}.`,
        requestId: c.get('requestId') ?? '',
      },
    },
    404,
  ),
)

/** The only place an error becomes a response: known errors by their safe message, others generic. */
app.onError((err, c) => {
  const requestId = c.get('requestId') ?? crypto.randomUUID()
  const log = c.get('log') ?? createLogger({ requestId })
  if (err instanceof AppError) {
    log[err.status >= 500 ? 'error' : 'warn']('request failed', {
      code: err.code,
      status: err.status,
      ...errorFields(err),
    })
    const body = {
      error: {
        code: err.code,
        message: err.message,
        requestId,
        ...(err.details === undefined ? {} : { details: err.details }),
      },
    }
    if (err.retryAfter) c.header('Retry-After', err.retryAfter)
    return c.json(body, err.status as 400)
  }
  log.error('unhandled error', errorFields(err))
  return c.json(
    {
      error: { code: 'internal_error', message: 'Something went wrong inside Concord.', requestId },
    },
    500,
  )
})

export default {
  fetch: app.fetch,
  /** Crons only kick Durable Objects; each run happens in its object's alarm. */
  scheduled(controller, env, ctx) {
    if (controller.cron === '*/5 * * * *')
      ctx.waitUntil(env.EVENT_SUBSCRIBER.getByName(SUBSCRIBER_NAME).kick('cron'))
    else ctx.waitUntil(env.ERP_AR_SYNC.getByName('netsuite').kick())
  },
} satisfies ExportedHandler<Env>
