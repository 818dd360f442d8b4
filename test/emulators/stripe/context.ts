import { Effects, type Effect } from '../common/effects.ts'
import { Clock } from './clock.ts'
import { Locks } from './locks.ts'
import { Ids, snapshot, Store } from './state.ts'
import type { Metadata, StripeEvent } from './types.ts'
import { Webhooks, type DeliveryMode } from './webhooks.ts'

/** How invoices that charge automatically are paid when they finalize. */
export type AutoPay = 'succeed' | 'fail' | 'off'

/** The request whose synchronous execution is in progress (events and effects cite it). */
export interface ActiveRequest {
  id: string | null
  idempotencyKey: string | null
  correlationId?: string
}

/** Settings every part of the emulator reads. */
export interface Settings {
  apiKeys: string[]
  apiVersion: string
  accountName: string
  autoPay: AutoPay
  /** A customer's own mode (a card that declines, say), over `autoPay`. */
  autoPayByCustomer: Map<string, AutoPay>
  searchLagMs: number
}

/** How `customer`'s automatically collected invoices are paid. */
export function autoPayOf(settings: Settings, customer: string): AutoPay {
  return settings.autoPayByCustomer.get(customer) ?? settings.autoPay
}

/**
 * Everything a handler touches: state, clock, ids, the effects ledger, events and webhooks.
 * Handlers run synchronously once their locks are taken, so `current` is exact for the
 * duration of one execution.
 */
export class Ctx {
  readonly store = new Store()
  readonly clock: Clock
  readonly ids: Ids
  readonly locks: Locks
  readonly webhooks: Webhooks
  readonly settings: Settings
  readonly effects = new Effects()
  current: ActiveRequest | null = null
  private muted = 0

  constructor(
    settings: Settings,
    opts: { startTime?: number; seed?: number; lockHoldMs?: number; delivery?: DeliveryMode },
  ) {
    this.settings = settings
    this.clock = new Clock(opts.startTime)
    this.ids = new Ids(opts.seed ?? Date.now())
    this.locks = new Locks(opts.lockHoldMs ?? 0)
    this.webhooks = new Webhooks(opts.delivery, (eventId) => {
      const event = this.store.events.get(eventId)
      if (event && event.pending_webhooks > 0) event.pending_webhooks -= 1
    })
  }

  now(): number {
    return this.clock.now()
  }

  /** Runs `fn` as the execution of `request` (null = Stripe acting on its own, e.g. renewals). */
  run<T>(request: ActiveRequest | null, fn: () => T): T {
    const previous = this.current
    this.current = request
    try {
      return fn()
    } finally {
      this.current = previous
    }
  }

  /** Runs `fn` (fixture seeding) without recording effects or emitting events. */
  quiet<T>(fn: () => T): T {
    this.muted++
    try {
      return fn()
    } finally {
      this.muted--
    }
  }

  /**
   * Records one effective state change. The correlation id is the request's
   * `metadata[correlation_id]`, else the object's own.
   */
  effect(
    kind: string,
    target: string,
    metadata?: Metadata,
    detail?: Record<string, unknown>,
  ): Effect | undefined {
    if (this.muted) return undefined
    const correlationId = this.current?.correlationId ?? metadata?.['correlation_id']
    return this.effects.record(kind, target, correlationId, detail)
  }

  /**
   * Creates an event with a snapshot of `object` and queues it for every enabled endpoint.
   * For `*.updated` events pass the object as it was before, to fill `previous_attributes`.
   */
  emit(type: string, object: { id: string }, before?: object): StripeEvent {
    const endpoints = [...this.store.webhookEndpoints.values()].filter(
      (e) =>
        e.status === 'enabled' &&
        (e.enabled_events.includes('*') || e.enabled_events.includes(type)),
    )
    const data: StripeEvent['data'] = { object: snapshot(object) }
    if (before) data.previous_attributes = diff(before as Record<string, unknown>, object)
    const event: StripeEvent = {
      id: this.ids.next('evt_', 24),
      object: 'event',
      api_version: this.settings.apiVersion,
      created: this.now(),
      data,
      livemode: false,
      pending_webhooks: endpoints.length,
      request: {
        id: this.current?.id ?? null,
        idempotency_key: this.current?.idempotencyKey ?? null,
      },
      type,
    }
    if (this.muted) return event
    this.store.add(this.store.events, event)
    this.webhooks.enqueue(snapshot(event), endpoints)
    return event
  }
}

/** Top-level fields whose value changed, with their old values (Stripe's `previous_attributes`). */
function diff(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      out[key] = snapshot(before[key] ?? null)
  }
  return out
}
