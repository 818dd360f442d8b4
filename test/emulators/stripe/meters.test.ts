import { describe, expect, it } from 'vitest'
import { DAY, START } from './fixtures.ts'
import { useStripeSdk, refusal } from './sdk-support.ts'

// Billing meters and meter events, driven with the official `stripe` SDK; every answer is checked
// against the pinned version's shapes (spec.ts).

const sdk = useStripeSdk()

async function meterAndCustomer(eventName: string) {
  const meter = await sdk.stripe.billing.meters.create({
    display_name: `Meter ${eventName}`,
    event_name: eventName,
    default_aggregation: { formula: 'sum' },
  })
  const customer = await sdk.stripe.customers.create({ name: 'Usage Co' })
  return { meter, customer }
}

async function total(meterId: string, customer: string, start = START - DAY, end = START + DAY) {
  const page = await sdk.stripe.billing.meters.listEventSummaries(meterId, {
    customer,
    start_time: start,
    end_time: end,
  })
  return page.data[0]?.aggregated_value
}

describe('Stripe emulator: billing meters and meter events', () => {
  it('sums meter events per customer, and counts an identifier once', async () => {
    const { meter, customer } = await meterAndCustomer('api_calls_sum')
    const send = (identifier: string, value: string, timestamp = START - 120) =>
      sdk.stripe.billing.meterEvents.create({
        event_name: 'api_calls_sum',
        payload: { stripe_customer_id: customer.id, value },
        identifier,
        timestamp,
      })
    const first = await send('agg-1', '25')
    expect(first).toMatchObject({
      object: 'billing.meter_event',
      identifier: 'agg-1',
      timestamp: START - 120,
    })
    await send('agg-2', '17', START - 60)
    // The same identifier again, even with another value, counts nothing (Stripe dedupes on it).
    await send('agg-1', '25')
    await send('agg-1', '999')
    expect(await total(meter.id, customer.id)).toBe(42)
    const counted = sdk.h.emu.stripe.effects.all().filter((e) => e.kind === 'meter_event.create')
    expect(counted.filter((e) => e.detail?.['identifier'] === 'agg-1')).toHaveLength(1)
  })

  it('refuses an event for an unknown event name, customer or value, naming the problem', async () => {
    const { customer } = await meterAndCustomer('api_calls_checks')
    const unknown = await refusal(
      sdk.stripe.billing.meterEvents.create({
        event_name: 'no_such_meter',
        payload: { stripe_customer_id: customer.id, value: '1' },
      }),
    )
    expect([unknown.statusCode, unknown.code]).toEqual([400, 'no_meter'])
    const noCustomer = await refusal(
      sdk.stripe.billing.meterEvents.create({
        event_name: 'api_calls_checks',
        payload: { value: '1' },
      }),
    )
    expect([noCustomer.code, noCustomer.param]).toEqual([
      'meter_event_no_customer_defined',
      'payload[stripe_customer_id]',
    ])
    const missing = await refusal(
      sdk.stripe.billing.meterEvents.create({
        event_name: 'api_calls_checks',
        payload: { stripe_customer_id: 'cus_nobody', value: '1' },
      }),
    )
    expect(missing.code).toBe('meter_event_customer_not_found')
    const negative = await refusal(
      sdk.stripe.billing.meterEvents.create({
        event_name: 'api_calls_checks',
        payload: { stripe_customer_id: customer.id, value: '-3' },
      }),
    )
    expect(negative.code).toBe('meter_event_invalid_value')
  })

  it('refuses timestamps more than 35 days old or 5 minutes ahead', async () => {
    const { meter, customer } = await meterAndCustomer('api_calls_time')
    const at = (timestamp: number) =>
      sdk.stripe.billing.meterEvents.create({
        event_name: 'api_calls_time',
        payload: { stripe_customer_id: customer.id, value: '1' },
        timestamp,
      })
    expect((await refusal(at(START - 35 * DAY - 1))).code).toBe('timestamp_too_far_in_past')
    expect((await refusal(at(START + 301))).code).toBe('timestamp_in_future')
    await at(START - 35 * DAY + 60)
    await at(START + 300)
    expect(await total(meter.id, customer.id, START - 36 * DAY, START + 3600)).toBe(2)
  })

  it('lists meters and refuses a second active meter for one event name', async () => {
    await meterAndCustomer('api_calls_list')
    const again = await refusal(
      sdk.stripe.billing.meters.create({
        display_name: 'Again',
        event_name: 'api_calls_list',
        default_aggregation: { formula: 'sum' },
      }),
    )
    expect(again.param).toBe('event_name')
    const listed = await sdk.stripe.billing.meters.list({ status: 'active', limit: 100 })
    expect(listed.data.map((m) => m.event_name)).toContain('api_calls_list')
    const summary = await refusal(
      sdk.stripe.billing.meters.listEventSummaries(listed.data[0]!.id, {
        customer: 'cus_x',
        start_time: START + 1,
        end_time: START + 60,
      }),
    )
    expect(summary.param).toBe('start_time')
  })
})
