import { stripeClientOf } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { Amendment } from '../../../shared/index.ts'
import { DEMO_CATALOG } from '../../stack/demo.ts'
import {
  StripeBilling,
  StripeClient,
  type StripeClientOptions,
} from '../../../worker/connectors/stripe/index.ts'
import { classifyResponse } from '../../../worker/connectors/stripe/errors.ts'
import { ConnectorError } from '../../../worker/failure/errors.ts'
import type { StepContext } from '../../../worker/connectors/types.ts'
import { newAccountId } from '../support/helpers.ts'

// Faults are set on routes that name this test's own objects, so other files sharing the
// emulator are untouched; `count` retires each rule after use.
const STRIPE = env.STRIPE_API_BASE as string
const KEY = env.STRIPE_SECRET_KEY as string

async function control(action: string, body: unknown): Promise<void> {
  const res = await fetch(`${STRIPE}/__control/${action}`, {
    method: 'POST',
    body: JSON.stringify(body),
  })
  expect(res.status, action).toBe(200)
}
async function effectsOn(target: string): Promise<string[]> {
  const res = await fetch(`${STRIPE}/__control/effects`)
  return (await res.json<{ effects: Array<{ kind: string; target: string }> }>()).effects
    .filter((e) => e.target === target)
    .map((e) => e.kind)
}

function billing(options: Partial<StripeClientOptions> = {}): StripeBilling {
  return new StripeBilling(stripeClientOf(env, options) as StripeClient)
}

function amendment(
  accountId: string,
  subscriptionKey: string,
  fields: Record<string, unknown>,
): Amendment {
  return Amendment.parse({
    id: crypto.randomUUID(),
    accountId,
    subscriptionKey,
    sequence: 2,
    correlationId: crypto.randomUUID(),
    createdAt: new Date().toISOString(),
    ...fields,
  })
}
const stepOf = (a: Amendment): StepContext => ({
  idempotencyKey: `${a.id}:billing`,
  correlationId: a.correlationId,
})

async function subscribed(stripe = billing()) {
  const accountId = newAccountId()
  const { customerId } = await stripe.ensureCustomer(
    { accountId, name: 'Faulty Co' },
    { idempotencyKey: `${accountId}:customer:billing`, correlationId: crypto.randomUUID() },
  )
  const subscriptionKey = `SUB-${crypto.randomUUID().slice(0, 8)}`
  const create = amendment(accountId, subscriptionKey, {
    sequence: 1,
    action: 'create',
    priceKey: 'pro-monthly-usd',
    quantity: 5,
  })
  const { subscriptionId } = await stripe.applyAmendment(
    { amendment: create, customerId, price: DEMO_CATALOG.prices['pro-monthly-usd'] },
    stepOf(create),
  )
  const change = (quantity: number) => {
    const a = amendment(accountId, subscriptionKey, { action: 'change_quantity', quantity })
    return {
      a,
      run: (s = stripe) =>
        s.applyAmendment({ amendment: a, customerId, subscriptionId }, stepOf(a)),
    }
  }
  return { accountId, customerId, subscriptionId, subscriptionKey, change }
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ConnectorError)
  return err as ConnectorError
}

/** A Stripe answer as `vendorFetch` hands it over. */
function answer(
  status: number,
  error: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const body = { error }
  return {
    status,
    headers: new Headers(headers),
    text: JSON.stringify(body),
    json: body,
    retryAfterMs: headers['retry-after'] ? Number(headers['retry-after']) * 1000 : undefined,
  }
}

describe('Stripe connector errors', () => {
  it('classifies an injected 429 as transient with Retry-After, and the retry applies once', async () => {
    const { subscriptionId, change } = await subscribed()
    await control('faults', {
      rules: [
        { route: `POST /v1/subscriptions/${subscriptionId}`, status: 429, retryAfter: 7, count: 1 },
      ],
    })
    const step = change(9)
    const err = await failure(step.run())
    expect(err).toMatchObject({
      kind: 'transient',
      system: 'stripe',
      code: 'rate_limit',
      status: 429,
      retryAfterMs: 7000,
    })
    expect(await step.run()).toMatchObject({ status: 'active' })
    expect(await effectsOn(subscriptionId)).toEqual(['subscription.create', 'subscription.update'])
  })

  it('classifies an injected 503 as transient with Retry-After', async () => {
    const { subscriptionId, change } = await subscribed()
    await control('faults', {
      rules: [
        { route: `POST /v1/subscriptions/${subscriptionId}`, status: 503, retryAfter: 2, count: 1 },
      ],
    })
    const err = await failure(change(9).run())
    expect(err).toMatchObject({
      kind: 'transient',
      code: 'api_error',
      status: 503,
      retryAfterMs: 2000,
    })
    expect(await effectsOn(subscriptionId)).toEqual(['subscription.create'])
  })

  it('makes one change when Stripe applied it but the answer was lost', async () => {
    const { subscriptionId, change } = await subscribed()
    await control('faults', {
      rules: [
        {
          route: `POST /v1/subscriptions/${subscriptionId}`,
          status: 502,
          afterEffect: true,
          count: 1,
        },
      ],
    })
    const step = change(11)
    expect(await failure(step.run())).toMatchObject({ kind: 'transient', status: 502 })
    expect(await step.run()).toMatchObject({ subscriptionId })
    expect(await effectsOn(subscriptionId)).toEqual(['subscription.create', 'subscription.update'])
  })

  it('gives up on a hanging request at its deadline, as transient', async () => {
    const { subscriptionId, change } = await subscribed()
    await control('faults', {
      rules: [{ route: `POST /v1/subscriptions/${subscriptionId}`, hang: true, count: 1 }],
    })
    const err = await failure(change(3).run(billing({ timeoutMs: 300 })))
    expect(err).toMatchObject({ kind: 'transient', code: 'timeout' })
  })

  it('answers a 429 lock_timeout as transient, and rides one out with short in-call retries', async () => {
    const { subscriptionId, change } = await subscribed()
    const impatient = billing({ lockRetries: 0 })
    await control('stripe/lock', { holdMs: 300 })
    try {
      const results = await Promise.allSettled([change(6).run(impatient), change(7).run(impatient)])
      const errors = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as ConnectorError] : [],
      )
      expect(errors).toHaveLength(1)
      expect(errors[0]).toMatchObject({ kind: 'transient', code: 'lock_timeout', status: 429 })
      await control('stripe/lock', { holdMs: 120 })
      const patient = await Promise.allSettled([change(8).run(), change(9).run()])
      expect(patient.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    } finally {
      await control('stripe/lock', { holdMs: 0 })
    }
    expect(
      (await effectsOn(subscriptionId)).filter((k) => k === 'subscription.update'),
    ).toHaveLength(3)
  })

  it('parks a request Stripe refuses (400) with its code and message', async () => {
    const { subscriptionId, accountId, subscriptionKey, customerId } = await subscribed()
    // A preview's proration date from before the current period (a stale preview).
    const a = amendment(accountId, subscriptionKey, { action: 'change_quantity', quantity: 4 })
    const err = await failure(
      billing().applyAmendment(
        { amendment: a, customerId, subscriptionId, prorationDate: 1_000_000_000 },
        stepOf(a),
      ),
    )
    expect(err).toMatchObject({ kind: 'business', system: 'stripe', status: 400 })
    expect(err.message).toMatch(/proration_date/)
    expect(await effectsOn(subscriptionId)).toEqual(['subscription.create'])
  })

  it('refuses a price in another currency before calling Stripe', async () => {
    const { subscriptionId, accountId, subscriptionKey, customerId } = await subscribed()
    const a = amendment(accountId, subscriptionKey, {
      action: 'change_price',
      priceKey: 'pro-monthly-gbp',
    })
    const err = await failure(
      billing().applyAmendment(
        { amendment: a, customerId, subscriptionId, price: DEMO_CATALOG.prices['pro-monthly-gbp'] },
        stepOf(a),
      ),
    )
    expect(err).toMatchObject({ kind: 'business', code: 'currency_mismatch' })
    expect(await effectsOn(subscriptionId)).toEqual(['subscription.create'])
  })

  it('parks a change to a subscription id Stripe does not have (404)', async () => {
    const { accountId, subscriptionKey, customerId } = await subscribed()
    const a = amendment(accountId, subscriptionKey, { action: 'change_quantity', quantity: 2 })
    const err = await failure(
      billing().applyAmendment(
        { amendment: a, customerId, subscriptionId: 'sub_doesnotexist' },
        stepOf(a),
      ),
    )
    expect(err).toMatchObject({ kind: 'business', code: 'resource_missing', status: 404 })
  })

  it('waits (transient) on a refused API key and never echoes the key', async () => {
    const wrong = 'sk_test_wrong_0123456789abcdef'
    const stripe = new StripeBilling(new StripeClient({ apiKey: wrong, apiBase: STRIPE }))
    const accountId = newAccountId()
    const err = await failure(
      stripe.ensureCustomer(
        { accountId, name: 'Nope' },
        { idempotencyKey: 'k', correlationId: 'c' },
      ),
    )
    expect(err).toMatchObject({
      kind: 'transient',
      code: 'authentication_failed',
      status: 401,
      retryAfterMs: 60_000,
    })
    expect(err.message).not.toContain('0123456789abcdef')
    expect(err.message).not.toContain(KEY)
  })

  it('treats an unreachable Stripe as transient', async () => {
    const stripe = new StripeBilling(
      new StripeClient({ apiKey: KEY, apiBase: 'http://127.0.0.1:9' }),
    )
    const err = await failure(
      stripe.ensureCustomer(
        { accountId: newAccountId(), name: 'Nope' },
        { idempotencyKey: 'k', correlationId: 'c' },
      ),
    )
    expect(err).toMatchObject({ kind: 'transient', code: 'network_error' })
  })
})

describe('classifyResponse', () => {
  it('follows Stripe-Should-Retry over the status', () => {
    expect(
      classifyResponse(
        answer(
          400,
          { type: 'invalid_request_error', code: 'x' },
          { 'stripe-should-retry': 'true' },
        ),
        'POST',
        '/v1/x',
      ),
    ).toMatchObject({ kind: 'transient', code: 'x' })
    expect(
      classifyResponse(
        answer(500, { type: 'api_error' }, { 'stripe-should-retry': 'false' }),
        'POST',
        '/v1/x',
      ),
    ).toMatchObject({ kind: 'business', code: 'api_error' })
  })

  it('retries 409 idempotency_key_in_use and parks a mismatched idempotency key', () => {
    expect(
      classifyResponse(
        answer(409, { type: 'idempotency_error', code: 'idempotency_key_in_use', message: 'busy' }),
        'POST',
        '/v1/x',
      ),
    ).toMatchObject({ kind: 'transient', code: 'idempotency_key_in_use' })
    expect(
      classifyResponse(
        answer(400, { type: 'idempotency_error', message: 'Keys for idempotent requests…' }),
        'POST',
        '/v1/x',
      ),
    ).toMatchObject({ kind: 'business', code: 'idempotency_error' })
  })

  it('parks a 5xx that Stripe replays from an idempotency key', () => {
    const err = classifyResponse(
      answer(500, { type: 'api_error', message: 'boom' }, { 'idempotent-replayed': 'true' }),
      'POST',
      '/v1/subscriptions/sub_1',
    )
    expect(err).toMatchObject({ kind: 'business', code: 'api_error', status: 500 })
  })

  it('keeps the decline code of a 402 and redacts anything key-like from messages', () => {
    const card = classifyResponse(
      answer(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        message: 'Your card was declined.',
      }),
      'POST',
      '/v1/invoices/in_1/pay',
    )
    expect(card).toMatchObject({
      kind: 'business',
      code: 'card_declined',
      message: 'Your card was declined. (insufficient_funds)',
    })
    const leaky = classifyResponse(
      answer(400, {
        type: 'invalid_request_error',
        message: 'Bad key sk_live_abc123XYZ and whsec_zzz',
      }),
      'GET',
      '/v1/x',
    )
    expect(leaky.message).toBe('Bad key [redacted] and [redacted]')
  })
})
