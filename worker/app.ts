import { Hono } from 'hono/tiny'
import { WORKER_VERSION } from './lib/version.ts'
import { createAccessVerifier } from './console/access.ts'
import { requestContext, describeFailure, type AppEnv } from './routes/context.ts'
import { actions } from './routes/actions.ts'
import { credits, refunds, salesforceMoney } from './routes/money.ts'
import { amendments } from './routes/amendments.ts'
import { catalog } from './routes/catalog.ts'
import { consoleRoutes } from './routes/console.tsx'
import { operator } from './routes/operator.ts'
import { reconcile } from './routes/reconcile.ts'
import { activations, salesforceActivations } from './routes/activations.ts'
import { salesforceEvents } from './routes/salesforce-events.ts'
import { salesforcePing } from './routes/salesforce-ping.ts'
import { salesforceStatus } from './routes/salesforce-status.ts'
import { stripeWebhooks } from './routes/stripe-webhooks.ts'
import { subscriber } from './routes/subscriber.ts'
import { trace } from './routes/trace.ts'
import { usage } from './routes/usage.ts'
import { usageOperator } from './routes/usage-operator.ts'
import { accountChangesOperator, salesforceAccountChanges } from './routes/account-changes.ts'

/** What the app takes from outside: the `fetch` Access keys are read with. */
export interface AppDeps {
  accessFetch: (url: string) => Promise<Response>
}

/**
 * The HTTP app: every route, the JSON API's 404 and its `onError`, the only place an error
 * becomes a JSON response (the console renders its own, from the same `describeFailure`).
 */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/healthz', (c) => c.json({ ok: true, version: WORKER_VERSION }))
  app.get('/', (c) => c.redirect('/console', 302))
  app.route('/console', consoleRoutes(createAccessVerifier({ fetch: deps.accessFetch })))
  app.use('/v1/*', requestContext)
  app.route('/v1/salesforce/events', salesforceEvents)
  app.route('/v1/salesforce/status', salesforceStatus)
  app.route('/v1/salesforce/ping', salesforcePing)
  app.route('/v1/salesforce/account-changes', salesforceAccountChanges)
  app.route('/v1/catalog', catalog)
  app.route('/v1/amendments', amendments)
  app.route('/v1/webhooks/stripe', stripeWebhooks)
  app.route('/v1/subscriber', subscriber)
  app.route('/v1/actions', actions)
  app.route('/v1/credits', credits)
  app.route('/v1/refunds', refunds)
  app.route('/v1/salesforce/money', salesforceMoney)
  app.route('/v1/salesforce/activations', salesforceActivations)
  app.route('/v1/trace', trace)
  app.route('/v1/reconcile', reconcile)
  app.route('/v1/activations', activations)
  app.route('/v1/usage', usage)
  app.route('/v1', usageOperator)
  app.route('/v1', accountChangesOperator)
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

  app.onError((err, c) => {
    const { status, code, message, requestId, details, retryAfter } = describeFailure(err, c)
    if (retryAfter) c.header('Retry-After', retryAfter)
    const body = { code, message, requestId, ...(details === undefined ? {} : { details }) }
    return c.json({ error: body }, status as 400)
  })
  return app
}
