import { Hono } from 'hono/tiny'
import { WORKER_VERSION } from './lib/version.ts'
import { createAccessVerifier } from './console/access.ts'
import { requestContext, describeFailure, type AppEnv } from './routes/context.ts'
import { actions } from './routes/actions.ts'
import { amendments } from './routes/amendments.ts'
import { catalog } from './routes/catalog.ts'
import { consoleRoutes } from './routes/console.tsx'
import { operator } from './routes/operator.ts'
import { salesforceEvents } from './routes/salesforce-events.ts'
import { salesforceStatus } from './routes/salesforce-status.ts'
import { stripeWebhooks } from './routes/stripe-webhooks.ts'
import { subscriber } from './routes/subscriber.ts'
import { trace } from './routes/trace.ts'
import { usage } from './routes/usage.ts'
import { usageOperator } from './routes/usage-operator.ts'
// Generated at build and test time (`npm run openapi`), so the generator stays out of the bundle.
import openapi from './routes/openapi.json'

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
  app.get('/v1/openapi.json', (c) => c.json(openapi))
  app.route('/v1/salesforce/events', salesforceEvents)
  app.route('/v1/salesforce/status', salesforceStatus)
  app.route('/v1/catalog', catalog)
  app.route('/v1/amendments', amendments)
  app.route('/v1/webhooks/stripe', stripeWebhooks)
  app.route('/v1/subscriber', subscriber)
  app.route('/v1/actions', actions)
  app.route('/v1/trace', trace)
  app.route('/v1/usage', usage)
  app.route('/v1', usageOperator)
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
