import Stripe from 'stripe'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { STRIPE_API_VERSION } from '../../../worker/connectors/stripe/client.ts'
import { harness, KEY, type Harness } from './fixtures.ts'
import { loadSpec, specProblems } from './spec.ts'

/** The emulator and an official `stripe` SDK client pointed at it, ready once `beforeAll` ran. */
export interface SdkContext {
  h: Harness
  stripe: Stripe
}

/**
 * Registers a test file's hooks: the spec's type checker (seconds to build, so built first), a
 * fresh emulator with an SDK client on the pinned API version, and after each test a check that
 * every answer the SDK got, success or error, has that version's shape (spec.ts).
 */
export function useStripeSdk(): SdkContext {
  const ctx = {} as SdkContext
  const bodies: Array<{ path: string; body: unknown }> = []
  const recording: typeof fetch = async (input, init) => {
    const res = await fetch(input, init)
    const text = await res.clone().text()
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url)
    bodies.push({ path: url.pathname, body: text ? JSON.parse(text) : undefined })
    return res
  }
  beforeAll(loadSpec, 120_000)
  beforeAll(async () => {
    ctx.h = await harness()
    const url = new URL(ctx.h.emu.url)
    ctx.stripe = new Stripe(KEY, {
      apiVersion: STRIPE_API_VERSION,
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 0,
      httpClient: Stripe.createFetchHttpClient(recording),
    })
  })
  afterAll(async () => {
    await ctx.h.emu.close()
  })
  afterEach(() => {
    const problems = bodies.flatMap((x) => specProblems(x.body).map((p) => `${x.path} ${p}`))
    bodies.length = 0
    expect(problems).toEqual([])
  })
  return ctx
}

/** The SDK's error for a request that must be refused. */
export async function refusal(p: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(Stripe.errors.StripeError)
  return err as Stripe.errors.StripeError
}
