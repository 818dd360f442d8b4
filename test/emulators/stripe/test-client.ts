import type { StripeErrorBody } from './errors.ts'
import { asText } from '../common/text.ts'

/**
 * A minimal Stripe client for the emulator's own tests: plain fetch and form-encoded bodies,
 * the way the worker's connector talks to Stripe.
 */

/** Encodes nested params the way Stripe clients do: `items[0][price]=…`, `metadata[k]=…`. */
export function encodeForm(params: Record<string, unknown>): string {
  const out = new URLSearchParams()
  const walk = (value: unknown, key: string) => {
    if (value === undefined) return
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${key}[${i}]`))
    else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, key ? `${key}[${k}]` : k)
    } else out.append(key, value === null ? '' : asText(value))
  }
  walk(params, '')
  return out.toString()
}

/** A response typed as the Stripe object the caller expects (errors carry `error`). */
export interface StripeResponse<T = Record<string, unknown>> {
  status: number
  headers: Headers
  body: T & { error?: StripeErrorBody }
}

/** Talks to one emulator with one secret key. */
export class StripeTestClient {
  readonly url: string
  readonly key: string | undefined

  constructor(url: string, key: string | undefined) {
    this.url = url
    this.key = key
  }

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    params: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<StripeResponse<T>> {
    const form = encodeForm(params)
    const isGet = method === 'GET' || method === 'DELETE'
    const target = `${this.url}${path}${isGet && form ? `?${form}` : ''}`
    const res = await fetch(target, {
      method,
      headers: {
        ...(this.key ? { authorization: `Bearer ${this.key}` } : {}),
        ...(isGet ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...headers,
      },
      body: isGet ? undefined : form,
    })
    const text = await res.text()
    // The caller names the Stripe object it expects; the assertions on it check the shape.
    const body = (text ? JSON.parse(text) : {}) as StripeResponse<T>['body']
    return { status: res.status, headers: res.headers, body }
  }

  post<T = Record<string, unknown>>(
    path: string,
    params: Record<string, unknown> = {},
    idempotencyKey?: string,
  ): Promise<StripeResponse<T>> {
    return this.request<T>(
      'POST',
      path,
      params,
      idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    )
  }

  get<T = Record<string, unknown>>(
    path: string,
    params: Record<string, unknown> = {},
  ): Promise<StripeResponse<T>> {
    return this.request<T>('GET', path, params)
  }

  del<T = Record<string, unknown>>(
    path: string,
    params: Record<string, unknown> = {},
  ): Promise<StripeResponse<T>> {
    return this.request<T>('DELETE', path, params)
  }

  /** `POST /__control/<action>` with a JSON body. */
  async control<T = Record<string, unknown>>(
    action: string,
    body: unknown = {},
  ): Promise<StripeResponse<T>> {
    const res = await fetch(`${this.url}/__control/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const answer = (await res.json()) as StripeResponse<T>['body']
    return { status: res.status, headers: res.headers, body: answer }
  }
}
