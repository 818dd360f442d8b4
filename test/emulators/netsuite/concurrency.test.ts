import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ConcurrencyState } from './concurrency.ts'
import { startFixture, type Fixture, type NsErrorBody } from './test-support.ts'
import { until } from '../../support/poll.ts'

let fx: Fixture
let token: string

beforeAll(async () => {
  fx = await startFixture()
})
afterAll(() => fx.emu.close())
beforeEach(async () => {
  await fx.control('reset')
  token = await fx.token()
})

const get = () => fx.call('/services/rest/record/v1/currency/1', { token })
const governance = async () =>
  (
    (await (await fetch(`${fx.emu.url}/__control/state`)).json()) as {
      concurrency: ConcurrencyState
    }
  ).concurrency

/** The client side of governance: never more than `size` requests in flight. */
function semaphore(size: number) {
  let free = size
  const waiting: Array<() => void> = []
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve))
    else free -= 1
    try {
      return await work()
    } finally {
      const next = waiting.shift()
      if (next) next()
      else free += 1
    }
  }
}

describe('account concurrency governance', () => {
  it('answers 429 to requests beyond the limit while others are in flight, and records the peak', async () => {
    await fx.control('netsuite/concurrency', { limit: 2, latencyMs: 250, resetCounters: true })
    const responses = await Promise.all(Array.from({ length: 5 }, () => get()))
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 429, 429, 429])
    const refused = (await responses.find((r) => r.status === 429)!.json()) as NsErrorBody
    expect(refused).toMatchObject({ status: 429, title: 'Too Many Requests' })
    expect(refused['o:errorDetails'][0]!['o:errorCode']).toBe('CONCURRENCY_LIMIT_EXCEEDED')
    // Refused requests are answered at once, so they never overlap one another: the peak is the
    // limit plus the one arrival that found it full, and any peak above the limit means a client
    // overran it.
    expect(await governance()).toMatchObject({
      limit: 2,
      inFlight: 0,
      peak: 3,
      peakAdmitted: 2,
      admitted: 2,
      rejected: 3,
    })
  })

  it('never refuses a client that keeps its own semaphore at the limit, and shows it stayed there', async () => {
    await fx.control('netsuite/concurrency', { limit: 3, latencyMs: 40, resetCounters: true })
    const limit = semaphore(3)
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () => limit(async () => (await get()).status)),
    )
    expect(statuses).toEqual(Array(12).fill(200))
    expect(await governance()).toMatchObject({ peak: 3, rejected: 0, admitted: 12 })
  })

  it('shares one pool between record writes and SuiteQL, and a refused write changes nothing', async () => {
    await fx.control('netsuite/concurrency', { limit: 1, latencyMs: 200, resetCounters: true })
    const [write, query] = await Promise.all([
      fx.call('/services/rest/record/v1/customer/eid:C-1', {
        method: 'PUT',
        token,
        body: JSON.stringify({ companyName: 'C', subsidiary: { id: 1 } }),
      }),
      fx.call('/services/rest/query/v1/suiteql', {
        method: 'POST',
        token,
        headers: { prefer: 'transient' },
        body: JSON.stringify({ q: 'SELECT id FROM customer' }),
      }),
    ])
    expect([write.status, query.status].sort()).toEqual([204, 429])
    expect(fx.emu.effects.all().length).toBe(write.status === 204 ? 1 : 0)
  })

  it('leaves the token endpoint out of the pool', async () => {
    await fx.control('netsuite/concurrency', { limit: 1, latencyMs: 300, resetCounters: true })
    const slow = get()
    await until('the slow request to be admitted', async () => (await governance()).inFlight === 1)
    await expect(fx.token()).resolves.toMatch(/^nsat\./)
    expect((await slow).status).toBe(200)
    expect(await governance()).toMatchObject({ admitted: 1, rejected: 0 })
  })
})

describe('GET /services/rest/system/v1/governanceLimits', () => {
  it('reports the account limit as Oracle documents it, and follows a changed limit', async () => {
    await fx.control('netsuite/concurrency', { limit: 15 })
    const res = await fx.call('/services/rest/system/v1/governanceLimits', { token })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      accountConcurrencyLimit: 15,
      accountUnallocatedConcurrencyLimit: 15,
      integrationLimitType: 'accountLimit',
    })
  })

  it('refuses a caller without a valid token', async () => {
    const res = await fx.call('/services/rest/system/v1/governanceLimits', { token: 'nope' })
    expect(res.status).toBe(401)
  })
})
