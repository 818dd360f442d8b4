import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../../../worker/config/load.ts'
import { stripeConnector } from '../../../worker/connectors/stripe/index.ts'
import { PRODUCTION } from '../../../worker/objects/wiring.ts'
import { freezeClockAhead, drain, ledger } from '../support/helpers.ts'
import { stripeEffects } from '../support/vendors.ts'
import { useConnectorFactory } from '../support/wiring.ts'
import {
  monthStart,
  postUsageOk,
  stripeMeterTotal,
  subscribedAccount,
  usageRecord,
} from './support.ts'

/**
 * Faults between the ledger and the real Stripe emulator, on meter events only: each answer in
 * `script` replaces one call's — `before` fails it before Stripe sees it, `lost` lets Stripe take
 * it and then loses the answer (a timeout whose effect landed), `throttled` is a 429, `ok` passes.
 */
type Fault = 'before' | 'lost' | 'throttled' | 'ok'
let script: Fault[] = []
let meterCalls = 0

const faulty: typeof fetch = async (input, init) => {
  const url = input instanceof Request ? input.url : input.toString()
  if (!url.endsWith('/v1/billing/meter_events')) return fetch(input, init)
  meterCalls++
  const fault = script.shift()
  if (fault === 'before')
    return new Response('{"error":{"type":"api_error","message":"boom"}}', { status: 500 })
  if (fault === 'throttled')
    return new Response(
      '{"error":{"type":"invalid_request_error","message":"Too many requests"}}',
      {
        status: 429,
        headers: { 'retry-after': '2' },
      },
    )
  const res = await fetch(input, init)
  if (fault === 'lost') throw new TypeError('Network connection lost.')
  return res
}

const minutesAgo = (n: number) => Math.max(Date.now() - n * 60_000, monthStart())

beforeEach(() => {
  script = []
  meterCalls = 0
  useConnectorFactory((e) => {
    const config = loadConfig(e)
    const base = PRODUCTION.connectors(e, config)
    const stripe = stripeConnector(config.stripe, faulty, { lockRetries: 0 })
    return { ...base, usage: { billing: stripe!.usage, erp: base.usage!.erp } }
  })
})
afterEach(() => {
  useConnectorFactory()
  vi.useRealTimers()
})

/** Moves the ledger's clock on and runs what became due. */
async function after(accountId: string, ms: number): Promise<void> {
  vi.setSystemTime(Date.now() + ms)
  await drain(accountId, 50)
}

describe('usage under injected Stripe faults', () => {
  it(
    'reports every aggregate exactly once through 5xx, lost answers and 429s',
    { timeout: 30_000 },
    async () => {
      const s = await subscribedAccount()
      const records = [3, 4, 5, 6].flatMap((m) =>
        Array.from({ length: 5 }, (_, i) =>
          usageRecord(s, minutesAgo(m), { quantity: m * 10 + i }),
        ),
      )
      const expected = records.reduce((sum, r) => sum + Number(r.quantity), 0)
      const aggregates = new Set(
        records.map((r) => Math.floor(Date.parse(String(r.timestamp)) / 60_000)),
      ).size
      // Three aggregates meet two faults each (a lost answer among them), the fourth none.
      script = ['lost', 'before', 'ok', 'before', 'lost', 'ok', 'throttled', 'lost', 'ok']
      freezeClockAhead()
      await postUsageOk(records)
      await drain(s.accountId, 50)
      for (
        let i = 0;
        i < 30 && (await ledger(s.accountId).usage(1)).aggregates.reported !== aggregates;
        i++
      )
        await after(s.accountId, 65_000)
      expect((await ledger(s.accountId).usage(1)).aggregates).toEqual({ reported: aggregates })
      expect(script).toEqual([])
      expect(meterCalls).toBe(aggregates + 6)
      const created = (await stripeEffects()).filter(
        (e) => e.kind === 'meter_event.create' && e.detail?.['customer'] === s.customerId,
      )
      expect(created).toHaveLength(aggregates)
      expect(await stripeMeterTotal(s.customerId)).toBe(expected)
    },
  )

  it('parks an aggregate billing refuses, with the reason, and sends it again on an operator retry', async () => {
    const s = await subscribedAccount()
    const record = usageRecord(s, minutesAgo(2), { quantity: 11 })
    // Stripe refuses the event (a business failure): nothing to retry until an operator acts.
    script = []
    useConnectorFactory((e) => {
      const config = loadConfig(e)
      const base = PRODUCTION.connectors(e, config)
      const refusing = stripeConnector(config.stripe, async (input, init) => {
        const url = input instanceof Request ? input.url : input.toString()
        if (!url.endsWith('/v1/billing/meter_events')) return fetch(input, init)
        meterCalls++
        return meterCalls === 1
          ? new Response(
              '{"error":{"type":"invalid_request_error","code":"meter_event_customer_not_found","message":"No such customer"}}',
              { status: 400 },
            )
          : fetch(input, init)
      })
      return { ...base, usage: { billing: refusing!.usage, erp: base.usage!.erp } }
    })
    await postUsageOk([record])
    await drain(s.accountId, 50)
    const parked = (await ledger(s.accountId).usage(5)).parkedAggregates
    expect(parked).toHaveLength(1)
    expect(parked[0]?.error).toMatchObject({ code: 'meter_event_customer_not_found' })
    expect(await stripeMeterTotal(s.customerId)).toBe(0)
    const retried = await ledger(s.accountId).retryUsageAggregate(
      parked[0]!.identifier,
      'ops-alice',
    )
    expect(retried).toEqual({ status: 'ok' })
    await drain(s.accountId, 50)
    expect((await ledger(s.accountId).usage(5)).aggregates).toEqual({ reported: 1 })
    expect(await stripeMeterTotal(s.customerId)).toBe(11)
    expect(
      await ledger(s.accountId).retryUsageAggregate(parked[0]!.identifier, 'ops-alice'),
    ).toMatchObject({
      status: 'conflict',
    })
  })
})
