import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { METRICS } from '../../../worker/lib/metric-catalog.ts'
import { createLogger } from '../../../worker/lib/log.ts'
import { MetricBuffer, rollUp, type MetricBatch } from '../../../worker/lib/metrics.ts'
import { bucketOf, bucketValue, quantile, add } from '../../../worker/lib/histogram.ts'
import { MetricStore, MINUTE_RETENTION_MS } from '../../../worker/ops/metrics.ts'
import { until } from '../../support/poll.ts'
import { DoubleConnectors } from '../../doubles/connectors.ts'
import {
  amendmentChain,
  drain,
  newAccountId,
  operatorFetch,
  postEvents,
  useRecordSink,
} from '../support/helpers.ts'
import { TEST_VIEWER_TOKEN } from '../support/test-config.ts'
import { useConnectorFactory } from '../support/wiring.ts'

const MINUTE = 60_000
/** A Metrics instance of its own, so other tests' samples never mix in. */
const scratch = () => env.METRICS.getByName(`scratch-${crypto.randomUUID()}`)
const withStore = <T>(stub: DurableObjectStub, fn: (store: MetricStore, sql: SqlStorage) => T) =>
  runInDurableObject(stub, (_o, state) => fn(new MetricStore(state.storage.sql), state.storage.sql))

afterEach(() => {
  useConnectorFactory()
  vi.restoreAllMocks()
})

describe('the log histogram', () => {
  it('places every value within 9% of the value its bucket stands for', () => {
    for (const v of [1.5, 7, 99, 1234, 86_400_000, 3.3e9]) {
      const rep = bucketValue(bucketOf(v))
      expect(Math.abs(rep - v) / v).toBeLessThan(0.095)
    }
  })

  it('answers a single value exactly (clamped to min and max)', () => {
    expect(quantile(add({}, 1234), 0.95, { min: 1234, max: 1234 })).toBe(1234)
    expect(quantile({}, 0.5, { min: 0, max: 0 })).toBeUndefined()
  })
})

describe('MetricBuffer', () => {
  const log = createLogger({}, 'error')

  it('adds observations up per minute as they come, so 10,000 samples make one small batch', async () => {
    const batches: MetricBatch[] = []
    const buffer = new MetricBuffer(() => ({ record: (b) => Promise.resolve(batches.push(b)) }), {
      intervalMs: 60_000,
      log,
    })
    const at = Math.floor(Date.now() / MINUTE) * MINUTE + 10
    for (let i = 1; i <= 10_000; i++) buffer.observe(METRICS.statusBack.name, i, at)
    for (let i = 0; i < 50; i++) buffer.gauge(METRICS.writerPending.name, 'org', i)
    await buffer.flush()
    expect(batches).toHaveLength(1)
    const [rollup] = batches[0]?.rollups ?? []
    expect(batches[0]?.rollups).toHaveLength(1)
    expect(rollup).toMatchObject({ count: 10_000, sum: 50_005_000, min: 1, max: 10_000 })
    expect(Object.values(rollup?.hist ?? {}).reduce((a, b) => a + b, 0)).toBe(10_000)
    expect(batches[0]?.gauges).toEqual([
      expect.objectContaining({ name: METRICS.writerPending.name, subject: 'org', value: 49 }),
    ])
  })

  it('keeps a batch the metrics object did not take and sends it with the next one', async () => {
    const batches: MetricBatch[] = []
    let fail = true
    const sink = {
      record: (b: MetricBatch) =>
        fail ? Promise.reject(new Error('metrics object away')) : Promise.resolve(batches.push(b)),
    }
    const buffer = new MetricBuffer(() => sink, { intervalMs: 60_000, log })
    const at = Date.now()
    buffer.observe(METRICS.applied.name, 1, at)
    await buffer.flush()
    fail = false
    buffer.observe(METRICS.applied.name, 1, at)
    await buffer.flush()
    expect(batches.flatMap((b) => b.rollups).reduce((n, r) => n + r.count, 0)).toBe(2)
  })
})

describe('Metrics roll-ups', () => {
  it('rolls samples up per minute: count, sum, min, max, and 15-minute slots for a day', async () => {
    const stub = scratch()
    const now = Date.now()
    const m0 = Math.floor(now / MINUTE) * MINUTE
    const name = METRICS.statusBack.name
    await stub.record({
      rollups: rollUp([
        { name, value: 100, at: m0 + 1 },
        { name, value: 300, at: m0 + 2 },
        { name, value: 50, at: m0 - MINUTE },
        { name: METRICS.applied.name, value: 1, at: m0 },
        { name: 'not.a.metric', value: 7, at: m0 },
      ]),
      gauges: [],
    })
    await withStore(stub, (store, sql) => {
      const hour = store.series(name, 'hour', now)
      expect(hour.points).toEqual([
        { at: m0 - MINUTE, count: 1, sum: 50, min: 50, max: 50 },
        { at: m0, count: 2, sum: 400, min: 100, max: 300 },
      ])
      expect(hour.summary).toMatchObject({ count: 3, sum: 450, min: 50, max: 300, mean: 150 })
      const slot = Math.floor(m0 / (15 * MINUTE)) * 15 * MINUTE
      const prior = Math.floor((m0 - MINUTE) / (15 * MINUTE)) * 15 * MINUTE
      const day = store.series(name, 'day', now)
      expect(day.points.reduce((n, p) => n + p.count, 0)).toBe(3)
      expect(day.points.map((p) => p.at)).toEqual([...new Set([prior, slot])])
      expect(store.series(METRICS.applied.name, 'hour', now).summary.count).toBe(1)
      const names = sql.exec<{ name: string }>('SELECT DISTINCT name FROM metric_minute').toArray()
      expect(names.map((r) => r.name)).not.toContain('not.a.metric')
    })
  })

  it('computes p50 and p95 within the histogram error of the exact percentiles', async () => {
    const stub = scratch()
    const now = Date.now()
    const name = METRICS.activation.name
    // 1..2000 ms spread over the last 50 minutes: exact p50 = 1000, p95 = 1900.
    const observations = Array.from({ length: 2000 }, (_, i) => ({
      name,
      value: i + 1,
      at: now - (i % 50) * MINUTE,
    }))
    await stub.record({ rollups: rollUp(observations), gauges: [] })
    await withStore(stub, (store) => {
      for (const range of ['hour', 'day', 'week'] as const) {
        const { summary } = store.series(name, range, now)
        expect(summary.count).toBe(2000)
        expect(Math.abs((summary.p50 ?? 0) - 1000) / 1000).toBeLessThan(0.1)
        expect(Math.abs((summary.p95 ?? 0) - 1900) / 1900).toBeLessThan(0.1)
        expect(summary.min).toBe(1)
        expect(summary.max).toBe(2000)
      }
    })
  })

  it('sums gauges over subjects, ages the oldest, and samples them once per minute', async () => {
    const stub = scratch()
    const now = Date.now()
    const waiting = 'backlog.waiting.billing'
    await stub.record({
      rollups: [],
      gauges: [
        { name: waiting, subject: 'a', value: 3, at: now },
        { name: waiting, subject: 'b', value: 4, at: now },
        { name: METRICS.oldestOpen.name, subject: 'a', value: now - 10 * MINUTE, at: now },
        { name: METRICS.oldestOpen.name, subject: 'b', value: now - 2 * MINUTE, at: now },
      ],
    })
    // An older reading of the same subject never overwrites a newer one; zero removes it.
    await stub.record({
      rollups: [],
      gauges: [
        { name: waiting, subject: 'a', value: 99, at: now - 1 },
        { name: waiting, subject: 'b', value: 0, at: now + 1 },
      ],
    })
    const gauges = await stub.gauges()
    expect(gauges[waiting]).toBe(3)
    expect(gauges[METRICS.oldestOpen.name]).toBeGreaterThanOrEqual(10 * MINUTE)
    await runDurableObjectAlarm(stub)
    await runDurableObjectAlarm(stub)
    await withStore(stub, (store) => {
      // One sample per minute however often the alarm runs (two runs may straddle a minute).
      const points = store.series(waiting, 'hour', Date.now()).points
      for (const p of points) expect(p.count).toBe(1)
      expect(points.at(-1)).toMatchObject({ count: 1, sum: 3 })
    })
  })

  it('prunes minute rows past the retention on its alarm', async () => {
    const stub = scratch()
    const now = Date.now()
    const name = METRICS.statusBack.name
    const count = (sql: SqlStorage) =>
      sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM metric_minute WHERE name = ?', name).one()
        .n
    // Stored straight into SQLite, so no alarm can prune before the rows are counted.
    await withStore(stub, (store, sql) => {
      store.record({
        rollups: rollUp([
          { name, value: 1, at: now - MINUTE_RETENTION_MS - 5 * MINUTE },
          { name, value: 2, at: now - MINUTE_RETENTION_MS + 60 * MINUTE },
          { name, value: 3, at: now },
        ]),
        gauges: [],
      })
      expect(count(sql)).toBe(3)
    })
    await stub.kick()
    await until('the alarm to prune', async () => {
      await runDurableObjectAlarm(stub)
      return (await withStore(stub, (_s, sql) => count(sql))) === 2
    })
    await withStore(stub, (_s, sql) => {
      expect(count(sql)).toBe(2)
      const oldest = sql
        .exec<{ m: number }>('SELECT MIN(minute) AS m FROM metric_minute WHERE name = ?', name)
        .one().m
      expect(oldest * MINUTE).toBeGreaterThan(now - MINUTE_RETENTION_MS)
    })
  })
})

describe('KPI producers', () => {
  let doubles: DoubleConnectors
  beforeEach(() => {
    doubles = new DoubleConnectors()
    useConnectorFactory(() => doubles)
    useRecordSink(doubles.writer)
  })

  it('records activation time and the applied count when a ledger applies an amendment', async () => {
    const metrics = env.METRICS.getByName('global')
    const applied = async () => (await metrics.report('hour')).series[METRICS.applied.name]
    const before = (await applied())?.summary.count ?? 0
    const account = newAccountId()
    const committed = new Date(Date.now() - 4_000).toISOString().replace('Z', '+0000')
    const [create] = amendmentChain(1, { Account_Id__c: account, CreatedDate: committed })
    await postEvents([create])
    await drain(account)
    // Activation (on create, the default rule) follows the applied status: wait for both.
    const report = await until(
      'the applied amendment and its activation to reach the roll-ups',
      async () => {
        const r = await metrics.report('hour')
        const activated = (r.series[METRICS.activation.name]?.summary.count ?? 0) > 0
        return (r.series[METRICS.applied.name]?.summary.count ?? 0) > before && activated && r
      },
    )
    const activation = report.series[METRICS.activation.name]?.summary
    expect(activation?.max).toBeGreaterThanOrEqual(4_000)
    expect(activation?.min).toBeLessThan(10 * MINUTE)
  })
})

describe('GET /v1/overview', () => {
  it('feeds the overview from the roll-ups, not by counting the quarantine', async () => {
    const read = async () => {
      const res = await operatorFetch('/v1/overview', { token: TEST_VIEWER_TOKEN })
      return (await res.json<{ backlog: { quarantined: number } }>()).backlog.quarantined
    }
    const before = await read()
    // A reading only the metrics object holds: the registry's quarantine table has no such rows.
    await env.METRICS.getByName('global').record({
      rollups: [],
      gauges: [{ name: METRICS.quarantine.name, subject: 'elsewhere', value: 40, at: Date.now() }],
    })
    expect(await read()).toBe(before + 40)
    await env.METRICS.getByName('global').record({
      rollups: [],
      gauges: [{ name: METRICS.quarantine.name, subject: 'elsewhere', value: 0, at: Date.now() }],
    })
    expect(await read()).toBe(before)
  })
})
