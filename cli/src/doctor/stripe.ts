import { messageOf } from '../lib/failure.ts'
import { fail, pass, warn, type CheckResult, type ClockSample } from './check.ts'

/**
 * The Stripe events the worker acts on (worker/webhooks/stripe-events.ts): every one must reach
 * it, or invoices, payments and subscription changes stop flowing back to Salesforce.
 */
export const HANDLED_EVENTS = [
  'invoice.created',
  'invoice.finalized',
  'invoice.finalization_failed',
  'invoice.paid',
  'invoice.payment_succeeded',
  'invoice.payment_failed',
  'invoice.payment_action_required',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'invoice.overdue',
  'invoice.updated',
  'invoice_payment.paid',
  'charge.succeeded',
  'charge.failed',
  'charge.refunded',
  'charge.refund.updated',
  'credit_note.created',
  'credit_note.updated',
  'credit_note.voided',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
] as const

export interface StripeTarget {
  key?: string
  apiBase: string
  workerUrl: string
}

interface Endpoint {
  id: string
  url: string
  status: string
  enabled_events: string[]
}

/** Test or live, from the key's prefix (`sk_test_`, `rk_live_`, …). */
export function keyMode(key: string): 'test' | 'live' | undefined {
  const m = /^(?:sk|rk)_(test|live)_/.exec(key)
  return m ? (m[1] as 'test' | 'live') : undefined
}

function endpointCheck(endpoints: Endpoint[], workerUrl: string): CheckResult {
  const check = 'webhook endpoint'
  const target = `${workerUrl.replace(/\/+$/, '')}/v1/webhooks/stripe`
  const events = HANDLED_EVENTS.join(',')
  const ours = endpoints.filter((e) => e.url === target)
  if (!ours.length)
    return fail(
      'stripe',
      check,
      `no endpoint posts to ${target}${endpoints.length ? ` (found: ${endpoints.map((e) => e.url).join(', ')})` : ''}`,
      `Add one in Stripe (Developers → Webhooks) for ${target} with the events Concord handles (${events}), then set its signing secret: npx wrangler secret put STRIPE_WEBHOOK_SECRET.`,
    )
  const enabled = ours.find((e) => e.status === 'enabled')
  if (!enabled)
    return fail(
      'stripe',
      check,
      `${ours[0]?.id} for ${target} is ${ours[0]?.status}`,
      'Enable it in Stripe (Developers → Webhooks → the endpoint → Enable); Stripe disables endpoints that keep failing, so check the worker logs too.',
    )
  const all = enabled.enabled_events.includes('*')
  const missing = all ? [] : HANDLED_EVENTS.filter((e) => !enabled.enabled_events.includes(e))
  if (missing.length)
    return fail(
      'stripe',
      check,
      `${enabled.id} is enabled but does not send: ${missing.join(', ')}`,
      'Add those events to the endpoint in Stripe (Developers → Webhooks → the endpoint → Update details).',
    )
  return pass(
    'stripe',
    check,
    `${enabled.id} enabled for ${target}, ${all ? 'all events' : `${enabled.enabled_events.length} events`}`,
  )
}

/** Stripe: the key's mode, and the webhook endpoint that feeds the worker. */
export async function checkStripe(t: StripeTarget, clock: ClockSample[]): Promise<CheckResult[]> {
  if (!t.key)
    return [
      warn(
        'stripe',
        'key',
        'not checked: no key given',
        'Pass --stripe-key (or CONCORD_STRIPE_KEY): a restricted key that can read webhook endpoints is enough.',
      ),
    ]
  const mode = keyMode(t.key)
  if (!mode)
    return [
      fail(
        'stripe',
        'key',
        'this is not a Stripe secret or restricted key (sk_… / rk_…)',
        'Copy the key from Stripe (Developers → API keys).',
      ),
    ]
  const results = [pass('stripe', 'key mode', `${mode} mode`)]
  const sentAt = Date.now()
  let res: Response
  try {
    res = await fetch(`${t.apiBase.replace(/\/+$/, '')}/v1/webhook_endpoints?limit=100`, {
      headers: { authorization: `Bearer ${t.key}` },
      signal: AbortSignal.timeout(15_000),
    })
  } catch (err) {
    results.push(
      fail(
        'stripe',
        'webhook endpoint',
        `Stripe at ${t.apiBase} could not be reached (${messageOf(err)})`,
        'Check the network, or --stripe-api-base.',
      ),
    )
    return results
  }
  clock.push({ source: 'stripe', date: res.headers.get('date'), sentAt, receivedAt: Date.now() })
  const body = (await res.json().catch(() => ({}))) as {
    data?: Endpoint[]
    error?: { type?: string; message?: string }
  }
  if (!res.ok) {
    const said = body.error?.message ?? `HTTP ${res.status}`
    results.push(
      fail(
        'stripe',
        'webhook endpoint',
        `Stripe refused to list webhook endpoints (${res.status}: ${said})`,
        res.status === 401
          ? 'The key is wrong or revoked: create a new one in Stripe (Developers → API keys).'
          : 'Give the key read access to webhook endpoints.',
      ),
    )
    return results
  }
  results.push(endpointCheck(body.data ?? [], t.workerUrl))
  return results
}
