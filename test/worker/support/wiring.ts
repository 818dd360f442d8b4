import { ProvisioningReceiver } from '../../support/provisioning-receiver.ts'
import { TEST_PROVISIONING_SECRET } from './test-config.ts'
import type { SubscriberSettings } from '../../../worker/config/types.ts'
import type { Connectors } from '../../../worker/connectors/types.ts'
import { PRODUCTION, type Wiring } from '../../../worker/objects/wiring.ts'
import type { WriterClient } from '../../../worker/writer/types.ts'

/**
 * The worker tests' wiring: production's, unless a test swaps a part. The Durable Objects get it
 * through their constructors (see entry.ts); the mutable part lives here, in test code only.
 */
interface Overrides {
  connectors?: (env: Env) => Connectors
  writerClient?: (env: Env) => WriterClient | undefined
  subscriber?: Partial<SubscriberSettings>
  /** `STRIPE_TAX` as a test sets it (objects built after the change see it). */
  stripeTax?: boolean
  provisioningFetch?: typeof fetch
}

let overrides: Overrides = {}

/** The provisioning system every worker test's activations reach unless a test swaps it. */
export const PROVISIONING = new ProvisioningReceiver(TEST_PROVISIONING_SECRET)

export const TEST_WIRING: Wiring = {
  config(env) {
    const base = withStripeTax(PRODUCTION.config(env))
    // A getter, so a test may change the subscriber's settings between runs of one object.
    return Object.defineProperty({ ...base }, 'subscriber', {
      get: () => ({ ...base.subscriber, ...overrides.subscriber }),
      enumerable: true,
    })
  },
  connectors: (env, config, calls) =>
    overrides.connectors?.(env) ?? PRODUCTION.connectors(env, config, calls),
  writerClient: (env, config) =>
    overrides.writerClient ? overrides.writerClient(env) : PRODUCTION.writerClient(env, config),
  salesforceTokens: (env, config) => PRODUCTION.salesforceTokens(env, config),
  netsuiteReader: (env, config) => PRODUCTION.netsuiteReader(env, config),
  // Read at each call, so a test may swap the receiver after the objects were built.
  provisioningFetch: () => (input, init) =>
    (overrides.provisioningFetch ?? PROVISIONING.fetch)(input, init),
}

function withStripeTax<C extends ReturnType<Wiring['config']>>(config: C): C {
  const tax = overrides.stripeTax
  if (tax === undefined || config.stripe.status !== 'ok') return config
  return {
    ...config,
    stripe: { ...config.stripe, settings: { ...config.stripe.settings, automaticTax: tax } },
  }
}

/** Turns Stripe Tax on or off for the objects built from now on (fresh accounts' ledgers). */
export function useStripeTax(on?: boolean): void {
  overrides = { ...overrides, stripeTax: on }
}

/** Runs the ledgers' sagas against `make()` (doubles); nothing restores production's. */
export function useConnectorFactory(make?: (env: Env) => Connectors): void {
  overrides = { ...overrides, connectors: make }
}

/** Flushes the OrgWriter through `make()` (a double); nothing restores production's. */
export function useWriterClient(make?: (env: Env) => WriterClient | undefined): void {
  overrides = { ...overrides, writerClient: make }
}

/** Overrides the subscriber's settings (the shared emulator's idle long-poll is 110 s). */
export function useSubscriberSettings(next: Partial<SubscriberSettings> = {}): void {
  overrides = { ...overrides, subscriber: next }
}

/** Sends activations' webhooks to `send` (a receiver of the test's); undefined: `PROVISIONING`. */
export function useProvisioningFetch(send?: typeof fetch): void {
  overrides = { ...overrides, provisioningFetch: send }
}
