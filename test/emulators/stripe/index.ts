import type { Effects } from '../common/effects.ts'
import { Router } from '../common/router.ts'
import { startEmulator, type EmulatorSpec, type RunningEmulator } from '../common/server.ts'
import { Api } from './api.ts'
import { advanceClock } from './billing/advance.ts'
import {
  issueCreditNote,
  refundCharge,
  voidCreditNote,
  type CreditNoteInput,
} from './billing/credits.ts'
import { finalizeInvoice } from './billing/invoices.ts'
import { failPayment, markUncollectible, payInvoice, voidInvoice } from './billing/payments.ts'
import { Ctx, type AutoPay } from './context.ts'
import { control } from './control.ts'
import { faultBody } from './errors.ts'
import { IdempotencyStore } from './idempotency.ts'
import { requireCharge, requireCreditNote, requireInvoice } from './lookup.ts'
import { catalogRoutes } from './routes/catalog.ts'
import { customerRoutes, taxIdRoutes, taxRateRoutes } from './routes/customers.ts'
import { addEndpoint, eventRoutes } from './routes/events.ts'
import { invoiceRoutes } from './routes/invoices.ts'
import { meterRoutes } from './routes/meters.ts'
import { paymentRoutes } from './routes/payments.ts'
import { scheduleRoutes } from './routes/schedules.ts'
import { subscriptionRoutes } from './routes/subscriptions.ts'
import { seed, type SeedInput, type SeedResult } from './seed.ts'
import type { Store } from './state.ts'
import type { Charge, CreditNote, Invoice, Refund, WebhookEndpoint } from './types.ts'
import type { DeliveryMode, Webhooks } from './webhooks.ts'

export type { AutoPay } from './context.ts'
export type { SeedInput, SeedResult } from './seed.ts'
export type { Delivery, DeliveryMode } from './webhooks.ts'
export { signPayload } from './webhooks.ts'
export type * from './types.ts'

/** A webhook endpoint configured up front (re-created on every reset). */
export interface WebhookEndpointOption {
  url: string
  /** Signing secret; one is generated when omitted (read it from `stripe.endpoints()`). */
  secret?: string
  /** Event types, default `['*']`. */
  enabledEvents?: string[]
}

export interface StripeEmulatorOptions {
  /** The secret key clients must send as `Authorization: Bearer …`. Default `sk_test_concord`. */
  apiKey?: string
  /** More accepted keys; idempotency keys are scoped per API key. */
  extraApiKeys?: string[]
  /** `api_version` on events and the default `Stripe-Version` header. */
  apiVersion?: string
  accountName?: string
  /** Freeze the clock at this unix time (it then moves only by `advance`). Default: wall clock. */
  startTime?: number
  /** Seed for ids; fixed seeds give reproducible ids. */
  seed?: number
  /** How automatically-collected invoices are paid on finalization. Default `succeed`. */
  autoPay?: AutoPay
  /** Each write holds its object locks this long, so overlapping writes get `lock_timeout`. */
  lockHoldMs?: number
  /** Customers become visible to search this long after creation (Stripe's search lags). */
  searchLagMs?: number
  webhooks?: WebhookEndpointOption[]
  delivery?: DeliveryMode
  /** Fixtures loaded at start and after every reset. */
  catalog?: SeedInput
}

/** The emulator spec plus typed helpers for tests (the same actions as the control API). */
export interface StripeEmulator extends EmulatorSpec {
  readonly apiKey: string
  readonly ctx: Ctx
  readonly store: Store
  readonly webhooks: Webhooks
  /** The ledger every effective change is recorded in; the server serves and resets it. */
  readonly effects: Effects
  seed(input: SeedInput): SeedResult
  now(): number
  /** Moves the clock forward by `seconds`, running renewals, phases, cancellations, overdue. */
  advance(seconds: number): { from: number; to: number; steps: number }
  advanceTo(unix: number): { from: number; to: number; steps: number }
  payInvoice(id: string, opts?: { outOfBand?: boolean }): Invoice
  failPayment(id: string, code?: string): Charge
  finalizeInvoice(id: string): Invoice
  voidInvoice(id: string): Invoice
  markUncollectible(id: string): Invoice
  refund(chargeId: string, amount?: number): Refund
  creditNote(invoiceId: string, input: CreditNoteInput): CreditNote
  voidCreditNote(id: string): CreditNote
  addWebhookEndpoint(input: WebhookEndpointOption): WebhookEndpoint
  endpoints(): WebhookEndpoint[]
  setLockHoldMs(ms: number): void
  setAutoPay(mode: AutoPay): void
}

/** A started Stripe emulator: the shared server handle plus the typed `stripe` helpers. */
export type StartedStripeEmulator = RunningEmulator & { stripe: StripeEmulator }

const DEFAULT_KEY = 'sk_test_concord'
const DEFAULT_VERSION = '2026-10-28.endive'

/** Builds a stateful Stripe emulator for the shared server kit. */
export function stripeEmulator(options: StripeEmulatorOptions = {}): StripeEmulator {
  const apiKey = options.apiKey ?? DEFAULT_KEY
  const settings = () => ({
    apiKeys: [apiKey, ...(options.extraApiKeys ?? [])],
    apiVersion: options.apiVersion ?? DEFAULT_VERSION,
    accountName: options.accountName ?? 'Concord Test Account',
    autoPay: options.autoPay ?? 'succeed',
    autoPayByCustomer: new Map(),
    searchLagMs: options.searchLagMs ?? 0,
  })
  const ctx = new Ctx(settings(), options)
  const idempotency = new IdempotencyStore()
  const router = new Router()
  const api = new Api(ctx, router, idempotency)
  customerRoutes(api, ctx)
  taxIdRoutes(api, ctx)
  taxRateRoutes(api, ctx)
  catalogRoutes(api, ctx)
  subscriptionRoutes(api, ctx)
  scheduleRoutes(api, ctx)
  invoiceRoutes(api, ctx)
  paymentRoutes(api, ctx)
  eventRoutes(api, ctx)
  meterRoutes(api, ctx)

  const init = () => {
    for (const w of options.webhooks ?? [])
      addEndpoint(ctx, { url: w.url, secret: w.secret, enabledEvents: w.enabledEvents })
    if (options.catalog) seed(ctx, options.catalog)
  }
  init()
  const act = <T>(fn: () => T): T => ctx.run(null, fn)

  return {
    name: 'stripe',
    router,
    apiKey,
    ctx,
    store: ctx.store,
    webhooks: ctx.webhooks,
    faultBody,
    reset() {
      ctx.store.reset()
      ctx.effects.reset()
      ctx.clock.reset()
      ctx.locks.reset()
      ctx.locks.holdMs = options.lockHoldMs ?? 0
      ctx.webhooks.reset(options.delivery)
      Object.assign(ctx.settings, settings())
      idempotency.reset()
      init()
    },
    state: () => ({
      now: ctx.now(),
      settings: ctx.settings,
      lockHoldMs: ctx.locks.holdMs,
      idempotencyKeys: idempotency.size(),
      ...ctx.store.dump(),
    }),
    control: (action, body) => control(ctx, action, body),
    effects: ctx.effects,
    seed: (input) => seed(ctx, input),
    now: () => ctx.now(),
    advance: (seconds) => advanceClock(ctx, ctx.now() + seconds),
    advanceTo: (unix) => advanceClock(ctx, unix),
    payInvoice: (id, opts) =>
      act(() => {
        const inv = requireInvoice(ctx, id)
        payInvoice(ctx, inv, opts)
        return inv
      }),
    failPayment: (id, code) => act(() => failPayment(ctx, requireInvoice(ctx, id), code)),
    finalizeInvoice: (id) =>
      act(() => {
        const inv = requireInvoice(ctx, id)
        finalizeInvoice(ctx, inv)
        return inv
      }),
    voidInvoice: (id) =>
      act(() => {
        const inv = requireInvoice(ctx, id)
        voidInvoice(ctx, inv)
        return inv
      }),
    markUncollectible: (id) =>
      act(() => {
        const inv = requireInvoice(ctx, id)
        markUncollectible(ctx, inv)
        return inv
      }),
    refund: (chargeId, amount) =>
      act(() => refundCharge(ctx, requireCharge(ctx, chargeId), amount)),
    creditNote: (invoiceId, input) =>
      act(() => issueCreditNote(ctx, requireInvoice(ctx, invoiceId), input)),
    voidCreditNote: (id) =>
      act(() => {
        const note = requireCreditNote(ctx, id)
        voidCreditNote(ctx, note)
        return note
      }),
    addWebhookEndpoint: (input) =>
      addEndpoint(ctx, {
        url: input.url,
        secret: input.secret,
        enabledEvents: input.enabledEvents,
      }),
    endpoints: () => [...ctx.store.webhookEndpoints.values()],
    setLockHoldMs: (ms) => {
      ctx.locks.holdMs = ms
    },
    setAutoPay: (mode) => {
      ctx.settings.autoPay = mode
    },
  }
}

/**
 * Starts the Stripe emulator on loopback (`port` 0 = any free port). `running.effects` (also
 * `GET /__control/effects`) is the emulator's ledger.
 */
export async function startStripeEmulator(
  options: StripeEmulatorOptions = {},
  port = 0,
): Promise<StartedStripeEmulator> {
  const stripe = stripeEmulator(options)
  const running = await startEmulator(stripe, port)
  const close = running.close.bind(running)
  return Object.assign(running, {
    stripe,
    close: async () => {
      stripe.webhooks.pause()
      await close()
    },
  })
}
