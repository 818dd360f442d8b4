import type { Ctx } from '../context.ts'
import { invalidRequest } from '../errors.ts'
import type { Meter, MeterEvent } from '../types.ts'

/** A meter as seeds and `POST /v1/billing/meters` describe it. */
export interface MeterInput {
  id?: string
  display_name: string
  event_name: string
  formula?: Meter['default_aggregation']['formula']
  customer_key?: string
  value_key?: string
}

/** An accepted meter event and what it counted for. */
export interface StoredMeterEvent {
  event: MeterEvent
  meter: string
  customer: string
  value: number
}

/** Meter events may be at most 35 days old and 5 minutes ahead (documented on `timestamp`). */
export const MAX_AGE_SECONDS = 35 * 86_400
export const MAX_AHEAD_SECONDS = 300
/** Stripe enforces identifier uniqueness over a rolling 24 hours. */
export const IDENTIFIER_WINDOW_SECONDS = 86_400

/**
 * Stores a meter.
 * @throws StripeError 400 when an active meter already uses the event name.
 */
export function createMeter(ctx: Ctx, input: MeterInput): Meter {
  const clash = [...ctx.store.meters.values()].find(
    (m) => m.event_name === input.event_name && m.status === 'active',
  )
  if (clash)
    throw invalidRequest(
      `An active meter with event_name ${input.event_name} already exists: ${clash.id}.`,
      'event_name',
    )
  const now = ctx.now()
  const meter: Meter = {
    id: input.id ?? ctx.ids.next('mtr_test_', 24),
    object: 'billing.meter',
    created: now,
    customer_mapping: {
      event_payload_key: input.customer_key ?? 'stripe_customer_id',
      type: 'by_id',
    },
    default_aggregation: { formula: input.formula ?? 'sum' },
    display_name: input.display_name,
    event_name: input.event_name,
    event_time_window: null,
    livemode: false,
    status: 'active',
    status_transitions: { deactivated_at: null },
    updated: now,
    value_settings: { event_payload_key: input.value_key ?? 'value' },
  }
  ctx.store.add(ctx.store.meters, meter)
  ctx.effect('meter.create', meter.id)
  return meter
}

const meterError = (message: string, code: string, param: string) =>
  invalidRequest(message, param, code)

function activeMeter(ctx: Ctx, eventName: string): Meter {
  const meters = [...ctx.store.meters.values()].filter((m) => m.event_name === eventName)
  const active = meters.find((m) => m.status === 'active')
  if (active) return active
  if (meters.length > 0)
    throw meterError(
      `The meter for event_name ${eventName} is inactive.`,
      'archived_meter',
      'event_name',
    )
  throw meterError(
    `No active meter was found for event_name ${eventName}.`,
    'no_meter',
    'event_name',
  )
}

function checkTimestamp(ctx: Ctx, timestamp: number): void {
  const now = ctx.now()
  if (timestamp < now - MAX_AGE_SECONDS)
    throw meterError(
      'Timestamp must be within the past 35 calendar days.',
      'timestamp_too_far_in_past',
      'timestamp',
    )
  if (timestamp > now + MAX_AHEAD_SECONDS)
    throw meterError(
      'Timestamp must be no more than 5 minutes in the future.',
      'timestamp_in_future',
      'timestamp',
    )
}

function readValue(meter: Meter, payload: Record<string, string>): number {
  const key = meter.value_settings.event_payload_key
  const raw = payload[key]
  if (meter.default_aggregation.formula === 'count') return 1
  if (raw === undefined)
    throw meterError(
      `Value key ${key} not found in payload.`,
      'meter_event_value_not_found',
      `payload[${key}]`,
    )
  if (!/^\d+(\.\d+)?$/.test(raw))
    throw meterError(
      `Value ${raw} in payload[${key}] is not a valid non-negative number.`,
      'meter_event_invalid_value',
      `payload[${key}]`,
    )
  return Number(raw)
}

/**
 * Records a meter event, validated as Stripe documents: a meter for `event_name`, the customer
 * under the meter's customer key, a numeric value, a timestamp in the allowed window. A repeat of
 * an identifier seen in the last 24 hours counts nothing (Stripe dedupes on `identifier`) and is
 * answered with the event first stored.
 * @throws StripeError 400 naming the failed check.
 */
export function recordMeterEvent(
  ctx: Ctx,
  input: {
    event_name: string
    payload: Record<string, string>
    identifier?: string
    timestamp?: number
  },
): MeterEvent {
  const meter = activeMeter(ctx, input.event_name)
  const customerKey = meter.customer_mapping.event_payload_key
  const customer = input.payload[customerKey]
  if (!customer)
    throw meterError(
      `Customer mapping key ${customerKey} not found in payload.`,
      'meter_event_no_customer_defined',
      `payload[${customerKey}]`,
    )
  if (!ctx.store.customers.has(customer))
    throw meterError(
      `No such customer: '${customer}'`,
      'meter_event_customer_not_found',
      `payload[${customerKey}]`,
    )
  const value = readValue(meter, input.payload)
  const now = ctx.now()
  const timestamp = input.timestamp ?? now
  checkTimestamp(ctx, timestamp)
  const identifier = input.identifier ?? ctx.ids.next('mev_', 24)
  const seen = ctx.store.meterEvents.get(identifier)
  if (seen && seen.event.created > now - IDENTIFIER_WINDOW_SECONDS) {
    ctx.effect('meter_event.duplicate', meter.id, undefined, { identifier })
    return seen.event
  }
  const event: MeterEvent = {
    object: 'billing.meter_event',
    created: now,
    event_name: input.event_name,
    identifier,
    livemode: false,
    payload: { ...input.payload },
    timestamp,
  }
  ctx.store.meterEvents.set(identifier, { event, meter: meter.id, customer, value })
  ctx.effect('meter_event.create', meter.id, undefined, {
    identifier,
    customer,
    value,
    timestamp,
    event_name: input.event_name,
  })
  return event
}

/** The meter's aggregate for one customer over `[start, end)`, by its formula. */
export function aggregate(
  ctx: Ctx,
  meter: Meter,
  customer: string,
  start: number,
  end: number,
): number {
  const events = [...ctx.store.meterEvents.values()]
    .filter(
      (e) =>
        e.meter === meter.id &&
        e.customer === customer &&
        e.event.timestamp >= start &&
        e.event.timestamp < end,
    )
    .sort((a, b) => a.event.timestamp - b.event.timestamp)
  const formula = meter.default_aggregation.formula
  if (formula === 'count') return events.length
  if (formula === 'last') return events.at(-1)?.value ?? 0
  return events.reduce((sum, e) => sum + e.value, 0)
}
