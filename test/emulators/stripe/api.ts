import type { EmuRequest, EmuResponse, Router } from '../common/router.ts'
import type { Ctx } from './context.ts'
import { authError, StripeError, unknownParameter, invalidRequest } from './errors.ts'
import { expand } from './list.ts'
import { canonical, parseForm, type Params } from './form.ts'
import type { IdempotencyStore } from './idempotency.ts'

/** What a Stripe route handler sees. */
export interface ApiRequest {
  params: Params
  path: Record<string, string>
  apiKey: string
  requestId: string
  idempotencyKey: string | null
  /**
   * Marks the start of execution: takes the object locks (429 `lock_timeout` if another
   * request holds one) and makes this request the one events and effects are attributed to.
   * Everything after it must run synchronously.
   */
  begin(lockIds: readonly (string | null | undefined)[]): Promise<void>
}

/** Returns the response body (status 200) or throws a StripeError. */
export type ApiHandler = (req: ApiRequest) => unknown

/** Parameters every endpoint accepts besides its own. */
const COMMON = ['expand']

function apiKeyOf(headers: Record<string, string>): string | undefined {
  const auth = headers['authorization']
  if (!auth) return undefined
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth)
  if (bearer) return bearer[1]
  // Stripe also takes the key as the HTTP Basic username (curl -u sk_test_…:).
  const basic = /^Basic\s+(\S+)$/i.exec(auth)
  if (basic)
    return Buffer.from(basic[1] ?? '', 'base64')
      .toString('utf8')
      .split(':')[0]
  return auth
}

/** Registers Stripe routes on the shared router, wrapped in auth, parsing and idempotency. */
export class Api {
  private readonly ctx: Ctx
  private readonly router: Router
  private readonly idempotency: IdempotencyStore

  constructor(ctx: Ctx, router: Router, idempotency: IdempotencyStore) {
    this.ctx = ctx
    this.router = router
    this.idempotency = idempotency
  }

  /** `allowed` lists the endpoint's parameters; anything else is refused like Stripe does. */
  on(method: string, path: string, allowed: readonly string[] | '*', handler: ApiHandler): this {
    this.router.on(method, path, (req) => this.handle(req, allowed, handler))
    return this
  }

  private async handle(
    req: EmuRequest,
    allowed: readonly string[] | '*',
    handler: ApiHandler,
  ): Promise<EmuResponse> {
    const { ctx } = this
    const requestId = ctx.ids.next('req_', 14)
    const version = req.headers['stripe-version'] ?? ctx.settings.apiVersion
    const headers: Record<string, string> = { 'request-id': requestId, 'stripe-version': version }
    const fail = (err: StripeError): EmuResponse => ({
      status: err.status,
      headers: { ...headers, ...err.headers },
      body: {
        error: {
          ...err.body,
          request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}`,
        },
      },
    })

    const apiKey = apiKeyOf(req.headers)
    if (!apiKey || !ctx.settings.apiKeys.includes(apiKey)) return fail(authError(apiKey))

    const isPost = req.method === 'POST'
    if (isPost && (req.headers['content-type'] ?? '').includes('application/json')) {
      return fail(
        invalidRequest(
          'Invalid request: request parameters must be form-encoded (application/x-www-form-urlencoded).',
        ),
      )
    }
    const params = parseForm(isPost ? req.rawBody : req.query)
    const key = isPost ? (req.headers['idempotency-key'] ?? null) : null
    if (key !== null) headers['idempotency-key'] = key
    const endpoint = `${req.method} ${req.path}`

    if (key !== null) {
      if (key.length > 255)
        return fail(
          invalidRequest('Idempotency-Key must be at most 255 characters long.', 'Idempotency-Key'),
        )
      try {
        const stored = this.idempotency.begin(
          apiKey,
          key,
          endpoint,
          canonical(params),
          requestId,
          ctx.now(),
        )
        if (stored) {
          return {
            status: stored.status,
            headers: {
              ...headers,
              'idempotent-replayed': 'true',
              'original-request': stored.requestId,
            },
            body: stored.body,
          }
        }
      } catch (err) {
        if (err instanceof StripeError) return fail(err)
        throw err
      }
    }

    const releases: (() => void)[] = []
    const apiReq: ApiRequest = {
      params,
      path: req.params,
      apiKey,
      requestId,
      idempotencyKey: key,
      begin: async (lockIds) => {
        releases.push(
          await ctx.locks.acquire(lockIds.filter((id): id is string => typeof id === 'string')),
        )
        const metadata = params['metadata']
        const correlationId =
          metadata &&
          typeof metadata === 'object' &&
          !Array.isArray(metadata) &&
          typeof metadata['correlation_id'] === 'string'
            ? metadata['correlation_id']
            : undefined
        ctx.current = { id: requestId, idempotencyKey: key, correlationId }
      },
    }

    let out: EmuResponse
    try {
      if (allowed !== '*') {
        for (const name of Object.keys(params)) {
          if (!allowed.includes(name) && !COMMON.includes(name)) throw unknownParameter(name)
        }
      }
      const body = await handler(apiReq)
      out = { status: 200, headers, body: expand(body, params['expand'], ctx.store) }
    } catch (err) {
      if (err instanceof StripeError) out = fail(err)
      else {
        console.error('[stripe] handler error', err)
        out = fail(
          new StripeError(
            500,
            { type: 'api_error', message: 'An unknown error occurred' },
            { 'stripe-should-retry': 'true' },
          ),
        )
      }
    } finally {
      ctx.current = null
      for (const release of releases) release()
    }
    // Stripe stores results once execution began, 500s included; validation (400/404) and
    // concurrency conflicts (409/429) are not stored and may be retried with the same key.
    if (key !== null) {
      const store = out.status < 400 || out.status >= 500 || out.status === 402
      this.idempotency.finish(apiKey, key, out.status, out.body, store)
    }
    return out
  }
}
