import { ConnectorError } from '../../failure/errors.ts'
import type { MeterEventInput, UsageBilling } from '../usage.ts'
import type { StripeClient } from './client.ts'

/**
 * Reports an aggregate as a billing meter event (`POST /v1/billing/meter_events`,
 * https://docs.stripe.com/api/billing/meter-event/create): `payload[stripe_customer_id]` and
 * `payload[value]` are the meter's default payload keys. Stripe counts an `identifier` once
 * (over a rolling 24 h), and the same identifier as the `Idempotency-Key` replays the first
 * answer, so a retry after a lost answer counts nothing more. A refusal as a duplicate means
 * it was counted before: that is success.
 * @throws ConnectorError
 */
export async function reportMeterEvent(client: StripeClient, e: MeterEventInput): Promise<void> {
  try {
    await client.post(
      '/v1/billing/meter_events',
      {
        event_name: e.eventName,
        payload: { stripe_customer_id: e.customerId, value: String(e.value) },
        identifier: e.identifier,
        timestamp: e.timestamp,
      },
      `meter-event:${e.identifier}`,
    )
  } catch (err) {
    if (err instanceof ConnectorError && err.code === 'duplicate_meter_event') return
    throw err
  }
}

export function stripeUsageBilling(client: StripeClient): UsageBilling {
  return { reportMeterEvent: (e) => reportMeterEvent(client, e) }
}
