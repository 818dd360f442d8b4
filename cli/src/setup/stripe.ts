import { HANDLED_EVENTS } from '../doctor/stripe.ts'
import { failure, messageOf } from '../lib/failure.ts'

/** A webhook endpoint as Stripe answers it (`secret` only when it was just created). */
export interface WebhookEndpoint {
  id: string
  url: string
  status: 'enabled' | 'disabled'
  enabled_events: string[]
  secret?: string
}

export type EndpointPlan =
  | { action: 'create' }
  | { action: 'unchanged'; endpoint: WebhookEndpoint }
  | { action: 'update'; endpoint: WebhookEndpoint; why: string }

const sameEvents = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((e, i) => e === [...b].sort()[i])

/** What to do with the endpoint that posts to `url`: exactly Concord's events, enabled. */
export function planEndpoint(existing: WebhookEndpoint | undefined): EndpointPlan {
  if (!existing) return { action: 'create' }
  const why = [
    existing.status !== 'enabled' ? 'it is disabled' : '',
    sameEvents(existing.enabled_events, HANDLED_EVENTS)
      ? ''
      : 'its events differ from the ones Concord handles',
  ].filter(Boolean)
  return why.length
    ? { action: 'update', endpoint: existing, why: why.join(' and ') }
    : { action: 'unchanged', endpoint: existing }
}

/** Stripe's REST API with a secret key, form-encoded, as the official clients send it. */
export class StripeClient {
  private readonly base: string
  private readonly key: string

  constructor(base: string, key: string) {
    this.base = base.replace(/\/+$/, '')
    this.key = key
  }

  /** @throws SfError naming Stripe's error type and message (never the key). */
  async call<T>(method: string, path: string, doing: string, form?: URLSearchParams): Promise<T> {
    let res: Response
    try {
      res = await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form?.toString(),
        signal: AbortSignal.timeout(20_000),
      })
    } catch (err) {
      throw failure(
        {
          doing,
          said: `${this.base} could not be reached (${messageOf(err)})`,
          next: ['Check --stripe-api-base and the network.'],
        },
        [this.key],
      )
    }
    const body = (await res.json().catch(() => ({}))) as T & {
      error?: { type?: string; message?: string }
    }
    if (res.ok) return body
    throw failure(
      {
        doing,
        said: `Stripe answered ${res.status}${body.error ? ` ${body.error.type ?? ''}: ${body.error.message ?? ''}` : ''}`,
        next: [
          res.status === 401
            ? 'Pass a secret key (sk_…) or a restricted key with Webhook Endpoints: Write, via --stripe-key or CONCORD_STRIPE_KEY.'
            : 'Correct what Stripe names, then run setup again.',
        ],
        code: `Stripe${res.status}`,
      },
      [this.key],
    )
  }

  async findEndpoint(url: string): Promise<WebhookEndpoint | undefined> {
    let after: string | undefined
    for (;;) {
      const q = new URLSearchParams({ limit: '100', ...(after ? { starting_after: after } : {}) })
      const page = await this.call<{ data: WebhookEndpoint[]; has_more: boolean }>(
        'GET',
        `/v1/webhook_endpoints?${q.toString()}`,
        'Listing Stripe webhook endpoints',
      )
      const hit = page.data.find((e) => e.url === url)
      if (hit) return hit
      if (!page.has_more || page.data.length === 0) return undefined
      after = page.data.at(-1)?.id
    }
  }

  private eventsForm(extra: Record<string, string>): URLSearchParams {
    const form = new URLSearchParams(extra)
    HANDLED_EVENTS.forEach((e, i) => form.append(`enabled_events[${i}]`, e))
    return form
  }

  createEndpoint(url: string): Promise<WebhookEndpoint> {
    return this.call(
      'POST',
      '/v1/webhook_endpoints',
      'Registering the Stripe webhook endpoint',
      this.eventsForm({ url, description: 'Concord worker' }),
    )
  }

  updateEndpoint(id: string): Promise<WebhookEndpoint> {
    return this.call(
      'POST',
      `/v1/webhook_endpoints/${id}`,
      `Updating Stripe webhook endpoint ${id}`,
      this.eventsForm({ disabled: 'false' }),
    )
  }

  deleteEndpoint(id: string): Promise<unknown> {
    return this.call(
      'DELETE',
      `/v1/webhook_endpoints/${id}`,
      `Deleting Stripe webhook endpoint ${id}`,
    )
  }
}
