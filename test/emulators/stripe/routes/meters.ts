import type { Api } from '../api.ts'
import { aggregate, createMeter, recordMeterEvent } from '../billing/meters.ts'
import type { Ctx } from '../context.ts'
import { invalidRequest, resourceMissing } from '../errors.ts'
import { hash, int, str, type Params } from '../form.ts'
import { paginate } from '../list.ts'
import { snapshot } from '../state.ts'
import type { Meter, MeterEventSummary } from '../types.ts'

const FORMULAS: readonly Meter['default_aggregation']['formula'][] = ['sum', 'count', 'last']

function stringPayload(p: Params): Record<string, string> {
  const payload = hash(p, 'payload')
  if (!payload)
    throw invalidRequest('Missing required param: payload.', 'payload', 'parameter_missing')
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v !== 'string')
      throw invalidRequest(`Invalid string: payload[${k}]`, `payload[${k}]`)
    out[k] = v
  }
  return out
}

function requireMeter(ctx: Ctx, id: string | undefined): Meter {
  const meter = ctx.store.meters.get(id ?? '')
  if (!meter) throw resourceMissing('billing.meter', id ?? '')
  return meter
}

/** Summaries need minute-aligned bounds (https://docs.stripe.com/api/billing/meter-event-summary/list). */
function minuteAligned(p: Params, name: string): number {
  const v = int(p, name, true) as number
  if (v % 60 !== 0) throw invalidRequest(`${name} must be aligned with minute boundaries.`, name)
  return v
}

/** Billing meters, meter events and meter event summaries. */
export function meterRoutes(api: Api, ctx: Ctx): void {
  api.on(
    'POST',
    '/v1/billing/meters',
    [
      'display_name',
      'event_name',
      'default_aggregation',
      'customer_mapping',
      'value_settings',
      'event_time_window',
    ],
    async (r) => {
      const p = r.params
      const formula = str(
        hash(p, 'default_aggregation') ?? {},
        'formula',
        true,
      ) as Meter['default_aggregation']['formula']
      if (!FORMULAS.includes(formula))
        throw invalidRequest(
          `Invalid default_aggregation[formula]: ${formula}`,
          'default_aggregation[formula]',
        )
      const input = {
        display_name: str(p, 'display_name', true) as string,
        event_name: str(p, 'event_name', true) as string,
        formula,
        customer_key: str(hash(p, 'customer_mapping') ?? {}, 'event_payload_key'),
        value_key: str(hash(p, 'value_settings') ?? {}, 'event_payload_key'),
      }
      await r.begin([])
      return snapshot(createMeter(ctx, input))
    },
  )
  api.on('GET', '/v1/billing/meters/:id', [], (r) => snapshot(requireMeter(ctx, r.path['id'])))
  api.on(
    'GET',
    '/v1/billing/meters',
    ['status', 'limit', 'starting_after', 'ending_before'],
    (r) => {
      const status = str(r.params, 'status')
      const all = [...ctx.store.meters.values()].filter((m) => !status || m.status === status)
      return paginate(all, r.params, '/v1/billing/meters', ctx.store)
    },
  )
  api.on(
    'GET',
    '/v1/billing/meters/:id/event_summaries',
    [
      'customer',
      'start_time',
      'end_time',
      'value_grouping_window',
      'limit',
      'starting_after',
      'ending_before',
    ],
    (r) => {
      const meter = requireMeter(ctx, r.path['id'])
      const customer = str(r.params, 'customer', true) as string
      const start = minuteAligned(r.params, 'start_time')
      const end = minuteAligned(r.params, 'end_time')
      const summary: MeterEventSummary = {
        id: `mtrsum_${meter.id}_${customer}_${start}_${end}`,
        object: 'billing.meter_event_summary',
        aggregated_value: aggregate(ctx, meter, customer, start, end),
        end_time: end,
        livemode: false,
        meter: meter.id,
        start_time: start,
      }
      return {
        object: 'list',
        data: [summary],
        has_more: false,
        url: `/v1/billing/meters/${meter.id}/event_summaries`,
      }
    },
  )
  api.on(
    'POST',
    '/v1/billing/meter_events',
    ['event_name', 'payload', 'identifier', 'timestamp'],
    async (r) => {
      const p = r.params
      const eventName = str(p, 'event_name', true) as string
      if (eventName.length > 100)
        throw invalidRequest('event_name must be at most 100 characters.', 'event_name')
      const identifier = str(p, 'identifier')
      if (identifier !== undefined && identifier.length > 100)
        throw invalidRequest('identifier must be at most 100 characters.', 'identifier')
      const input = {
        event_name: eventName,
        payload: stringPayload(p),
        identifier,
        timestamp: int(p, 'timestamp'),
      }
      await r.begin([])
      return snapshot(recordMeterEvent(ctx, input))
    },
  )
}
