import { gates } from '../support/connectors.ts'
import { env } from 'cloudflare:workers'
import { netsuiteControl, netsuiteSettings } from './netsuite-support.ts'
import { runDurableObjectAlarm } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createNetsuite } from '../../../worker/connectors/netsuite/index.ts'
import { sq, suiteql, suiteqlAll } from '../../../worker/connectors/netsuite/suiteql.ts'
import { requestUrl } from '../support/helpers.ts'
import { until } from '../../support/poll.ts'

const settings = () => netsuiteSettings()

interface Concurrency {
  limit: number
  inFlight: number
  peak: number
  rejected: number
  admitted: number
}

const control = <T>(path: string, body?: unknown) => netsuiteControl<T>(path, body)

const gate = (label: string) => env.NETSUITE_GATE.getByName(`${label}-${crypto.randomUUID()}`)
const ask = (size: number, waitMs = 0, leaseMs = 60_000, holder = 'test') => ({
  size,
  leaseMs,
  waitMs,
  holder,
})

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('NetsuiteGate', () => {
  it('never lets more than N requests reach NetSuite at once, however many callers there are', async () => {
    const N = 3
    const { client } = createNetsuite(settings(), gates, {
      name: `gate-peak-${crypto.randomUUID()}`,
      size: N,
    })
    const query = suiteql`SELECT id FROM currency WHERE id = ${sq.int(1)}`
    await suiteqlAll(client, query) // the token first: minting is not a governed request
    const real = globalThis.fetch.bind(globalThis)
    let inFlight = 0
    let localPeak = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      if (!requestUrl(input).includes('/suiteql')) return real(input, init)
      localPeak = Math.max(localPeak, ++inFlight)
      try {
        return await real(input, init)
      } finally {
        inFlight--
      }
    })
    await until(
      'no NetSuite request in flight',
      async () => (await control<{ concurrency: Concurrency }>('state')).concurrency.inFlight === 0,
    )
    await control('netsuite/concurrency', { latencyMs: 100, resetCounters: true })
    try {
      const results = await Promise.all(Array.from({ length: 15 }, () => suiteqlAll(client, query)))
      expect(results.every((rows) => rows[0]?.id === '1')).toBe(true)
    } finally {
      await control('netsuite/concurrency', { latencyMs: 0 })
    }
    const { concurrency } = await control<{ concurrency: Concurrency }>('state')
    expect(concurrency.peak).toBeLessThanOrEqual(N)
    expect(concurrency.rejected).toBe(0)
    expect(concurrency.admitted).toBeGreaterThanOrEqual(15)
    // The limit was reached, not just respected by a slow trickle.
    expect(localPeak).toBe(N)
  })

  it('serves waiters first come, first served as permits come back', async () => {
    const g = gate('gate-fifo')
    const first = await g.acquire(ask(1))
    expect(first.status).toBe('granted')
    const order: string[] = []
    const queued = ['b', 'c', 'd'].map((holder) => ({
      holder,
      result: undefined as Promise<unknown> | undefined,
    }))
    for (const [i, q] of queued.entries()) {
      q.result = g.acquire(ask(1, 5_000, 60_000, q.holder)).then((r) => {
        order.push(q.holder)
        return r
      })
      await until(`${i + 1} waiting`, async () => (await g.inspect()).waiting === i + 1)
    }
    let held = first.status === 'granted' ? first.permitId : ''
    for (const q of queued) {
      expect(await g.release(held)).toEqual({ released: true })
      const granted = (await q.result) as { status: string; permitId: string }
      expect(granted.status).toBe('granted')
      held = granted.permitId
    }
    expect(order).toEqual(['b', 'c', 'd'])
    expect((await g.inspect()).inUse).toBe(1)
  })

  it('answers busy after the wait, and a newcomer never overtakes a waiter', async () => {
    const g = gate('gate-busy')
    await g.acquire(ask(2))
    await g.acquire(ask(2))
    const waiter = g.acquire(ask(2, 5_000, 60_000, 'waiter'))
    await until('one waiting', async () => (await g.inspect()).waiting === 1)
    expect(await g.acquire(ask(2, 30))).toMatchObject({ status: 'busy', inUse: 2, waiting: 1 })
    const [held] = (await g.inspect()).permits
    await g.release(held!.id)
    expect(await waiter).toMatchObject({ status: 'granted' })
    expect((await g.inspect()).permits.map((p) => p.holder)).toContain('waiter')
  })

  it('reclaims the slot of a holder that never released once its lease ends, and wakes the line', async () => {
    const g = gate('gate-lease')
    expect(await g.acquire(ask(1, 0, 1_000, 'crashed'))).toMatchObject({ status: 'granted' })
    expect(await g.acquire(ask(1))).toMatchObject({ status: 'busy' })
    const waiter = g.acquire(ask(1, 30_000, 60_000, 'patient'))
    await until('one waiting', async () => (await g.inspect()).waiting === 1)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 1_001)
    expect(await runDurableObjectAlarm(g)).toBe(true)
    expect(await waiter).toMatchObject({ status: 'granted' })
    const state = await g.inspect()
    expect(state.permits.map((p) => p.holder)).toEqual(['patient'])
  })

  it('treats releasing a reclaimed permit as a no-op', async () => {
    const g = gate('gate-late')
    const permit = await g.acquire(ask(1, 0, 1_000))
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 1_001)
    expect(await g.acquire(ask(1))).toMatchObject({ status: 'granted' })
    expect(await g.release(permit.status === 'granted' ? permit.permitId : '')).toEqual({
      released: false,
    })
    expect((await g.inspect()).inUse).toBe(1)
  })

  it('makes a request that waited too long for a slot a transient netsuite_busy, without calling NetSuite', async () => {
    const name = `gate-full-${crypto.randomUUID()}`
    await env.NETSUITE_GATE.getByName(name).acquire(ask(1))
    const spy = vi.spyOn(globalThis, 'fetch')
    const { client } = createNetsuite(settings(), gates, {
      name,
      size: 1,
      maxWaitMs: 200,
    })
    const err = await suiteqlAll(client, suiteql`SELECT id FROM currency`).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'transient', code: 'netsuite_busy' })
    expect(spy.mock.calls.filter(([input]) => requestUrl(input).includes('/suiteql'))).toHaveLength(
      0,
    )
  })
})
