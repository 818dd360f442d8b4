import type { Api } from '../api.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { bool, list, mergeMetadata, str } from '../form.ts'
import { filterCreated, paginate } from '../list.ts'
import { snapshot } from '../state.ts'
import type { WebhookEndpoint } from '../types.ts'

/** Adds a webhook endpoint; its `secret` (`whsec_…`) signs every delivery to it. */
export function addEndpoint(
  ctx: Ctx,
  input: { url: string; secret?: string; enabledEvents?: string[]; description?: string | null },
): WebhookEndpoint {
  const endpoint: WebhookEndpoint = {
    id: ctx.ids.next('we_', 24),
    object: 'webhook_endpoint',
    application: null,
    api_version: null,
    created: ctx.now(),
    description: input.description ?? null,
    enabled_events: input.enabledEvents ?? ['*'],
    livemode: false,
    metadata: {},
    secret: input.secret ?? `whsec_${ctx.ids.next('', 32)}`,
    status: 'enabled',
    url: input.url,
  }
  ctx.store.add(ctx.store.webhookEndpoints, endpoint)
  return endpoint
}

function typeMatches(pattern: string, type: string): boolean {
  return pattern.endsWith('.*') ? type.startsWith(pattern.slice(0, -1)) : pattern === type
}

/** Events (retrieve, list) and webhook endpoints (the secret is only shown on create, as on Stripe). */
export function eventRoutes(api: Api, ctx: Ctx): void {
  api.on('GET', '/v1/events/:id', [], (r) => {
    const event = ctx.store.events.get(r.path['id'] ?? '')
    if (!event) throw resourceMissing('event', r.path['id'] ?? '')
    return snapshot(event)
  })

  api.on(
    'GET',
    '/v1/events',
    ['type', 'types', 'created', 'delivery_success', 'limit', 'starting_after', 'ending_before'],
    (r) => {
      const type = str(r.params, 'type')
      const types = list(r.params, 'types')?.filter((t): t is string => typeof t === 'string')
      if (type && types) throw invalidRequest('You cannot specify both type and types.', 'types')
      const all = filterCreated([...ctx.store.events.values()], r.params).filter(
        (e) =>
          (!type || typeMatches(type, e.type)) &&
          (!types || types.some((t) => typeMatches(t, e.type))),
      )
      return paginate(all, r.params, '/v1/events', ctx.store)
    },
  )

  const pub = (e: WebhookEndpoint) => {
    const { secret: _secret, ...rest } = snapshot(e)
    return rest
  }

  api.on(
    'POST',
    '/v1/webhook_endpoints',
    ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect'],
    async (r) => {
      const url = str(r.params, 'url', true) as string
      const events = list(r.params, 'enabled_events')?.filter(
        (t): t is string => typeof t === 'string',
      )
      if (!events || events.length === 0)
        throw invalidRequest(
          'Missing required param: enabled_events.',
          'enabled_events',
          'parameter_missing',
        )
      await r.begin([])
      const endpoint = addEndpoint(ctx, {
        url,
        enabledEvents: events,
        description: str(r.params, 'description') ?? null,
      })
      endpoint.metadata = mergeMetadata({}, r.params)
      ctx.effect('webhook_endpoint.create', endpoint.id)
      return snapshot(endpoint)
    },
  )
  api.on('GET', '/v1/webhook_endpoints/:id', [], (r) => {
    const e = ctx.store.webhookEndpoints.get(r.path['id'] ?? '')
    if (!e) throw resourceMissing('webhook_endpoint', r.path['id'] ?? '')
    return pub(e)
  })
  api.on(
    'POST',
    '/v1/webhook_endpoints/:id',
    ['url', 'enabled_events', 'disabled', 'description', 'metadata'],
    async (r) => {
      const e = ctx.store.webhookEndpoints.get(r.path['id'] ?? '')
      if (!e) throw resourceMissing('webhook_endpoint', r.path['id'] ?? '')
      const events = list(r.params, 'enabled_events')?.filter(
        (t): t is string => typeof t === 'string',
      )
      const disabled = bool(r.params, 'disabled')
      await r.begin([e.id])
      e.url = str(r.params, 'url') ?? e.url
      if (events) e.enabled_events = events
      if (disabled !== undefined) e.status = disabled ? 'disabled' : 'enabled'
      e.metadata = mergeMetadata(e.metadata, r.params)
      return pub(e)
    },
  )
  api.on('DELETE', '/v1/webhook_endpoints/:id', [], async (r) => {
    const e = ctx.store.webhookEndpoints.get(r.path['id'] ?? '')
    if (!e) throw resourceMissing('webhook_endpoint', r.path['id'] ?? '')
    await r.begin([e.id])
    ctx.store.webhookEndpoints.delete(e.id)
    return { id: e.id, object: 'webhook_endpoint', deleted: true }
  })
  api.on('GET', '/v1/webhook_endpoints', ['limit', 'starting_after', 'ending_before'], (r) => {
    const page = paginate(
      [...ctx.store.webhookEndpoints.values()],
      r.params,
      '/v1/webhook_endpoints',
      ctx.store,
    )
    return { ...page, data: page.data.map(pub) }
  })
}
