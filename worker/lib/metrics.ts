import { add, merge, type Histogram } from './histogram.ts'
import { errorFields, type Logger } from './log.ts'
import { METRIC_DEFS } from './metric-catalog.ts'

/** One measurement or event count (`distribution`, `counter` metrics). */
export interface Observation {
  name: string
  value: number
  /** When it happened (ms). */
  at: number
}

/** A producer's own current value of a gauge, under its subject (an account, a gate). */
export interface GaugeReading {
  name: string
  subject: string
  value: number
  at: number
}

/** Observations of one metric in one minute, already added up by the producer. */
export interface Rollup {
  name: string
  /** The minute's start (ms). */
  minute: number
  count: number
  sum: number
  min: number
  max: number
  /** Distributions only: the log histogram (`histogram.ts`). */
  hist?: Histogram
}

/** One batch for the metrics object. */
export interface MetricBatch {
  rollups: Rollup[]
  gauges: GaugeReading[]
}

const MINUTE_MS = 60_000

/** Adds one observation into its minute's roll-up (created on first use). */
export function fold(into: Map<string, Rollup>, o: Observation): void {
  const def = METRIC_DEFS.get(o.name)
  if (!def || def.kind === 'gauge' || !Number.isFinite(o.value)) return
  const minute = Math.floor(o.at / MINUTE_MS) * MINUTE_MS
  const key = `${o.name}\u0000${minute}`
  const r = into.get(key)
  if (!r) {
    const hist = def.kind === 'distribution' ? add({}, o.value) : undefined
    into.set(key, {
      name: o.name,
      minute,
      count: 1,
      sum: o.value,
      min: o.value,
      max: o.value,
      hist,
    })
    return
  }
  r.count += 1
  r.sum += o.value
  r.min = Math.min(r.min, o.value)
  r.max = Math.max(r.max, o.value)
  if (r.hist) add(r.hist, o.value)
}

/** Observations as per-minute roll-ups (what a batch carries). */
export function rollUp(observations: Observation[]): Rollup[] {
  const out = new Map<string, Rollup>()
  for (const o of observations) fold(out, o)
  return [...out.values()]
}

/** Adds roll-up `b` into `a` (same metric and minute). */
export function combine(a: Rollup, b: Rollup): Rollup {
  return {
    ...a,
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
    hist: a.hist || b.hist ? merge(merge({}, a.hist ?? {}), b.hist ?? {}) : undefined,
  }
}

/** Where batches go: the metrics Durable Object (`objects/metrics.ts`). */
export interface MetricSink {
  record(batch: MetricBatch): Promise<unknown>
}

/** What producers call; `NO_METRICS` when there is nowhere to send them. */
export interface MetricPort {
  observe(name: string, value: number, at?: number): void
  gauge(name: string, subject: string, value: number, at?: number): void
}

export const NO_METRICS: MetricPort = { observe: () => {}, gauge: () => {} }

/** Minutes of roll-ups held at most while the sink is failing; the oldest go first. */
const MAX_HELD = 2_000

/**
 * Accumulates samples in memory and sends them as one batch at most once per `intervalMs`, so a
 * producer's hot path never waits on another object: the first sample after a quiet spell goes
 * out on the next tick, later ones ride along with the next batch. Observations are added up
 * per metric and minute as they come (a batch is small whatever the rate); gauges coalesce by
 * name and subject (the latest wins). Metrics are best-effort: samples still held when the
 * object is evicted are lost, and a failing sink keeps at most `MAX_HELD` roll-ups.
 */
export class MetricBuffer implements MetricPort {
  private rollups = new Map<string, Rollup>()
  private gauges = new Map<string, GaugeReading>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private lastSent = 0

  private readonly sink: () => MetricSink | undefined
  private readonly opts: { intervalMs: number; log: Logger }

  constructor(sink: () => MetricSink | undefined, opts: { intervalMs: number; log: Logger }) {
    this.sink = sink
    this.opts = opts
  }

  observe(name: string, value: number, at = Date.now()): void {
    fold(this.rollups, { name, value, at })
    this.schedule()
  }

  gauge(name: string, subject: string, value: number, at = Date.now()): void {
    if (!Number.isFinite(value)) return
    this.gauges.set(`${name}\u0000${subject}`, { name, subject, value, at })
    this.schedule()
  }

  private schedule(): void {
    if (this.timer !== undefined) return
    // Clamped both ways: a clock that moved back must not hold samples for longer than one interval.
    const { intervalMs } = this.opts
    const wait = Math.min(intervalMs, Math.max(0, this.lastSent + intervalMs - Date.now()))
    this.timer = setTimeout(() => void this.flush(), wait)
  }

  /** Sends what is held now (also called by the timer). */
  async flush(): Promise<void> {
    this.timer = undefined
    const batch: MetricBatch = {
      rollups: [...this.rollups.values()],
      gauges: [...this.gauges.values()],
    }
    if (batch.rollups.length === 0 && batch.gauges.length === 0) return
    this.rollups = new Map()
    this.gauges = new Map()
    this.lastSent = Date.now()
    const sink = this.sink()
    if (!sink) return
    try {
      await sink.record(batch)
    } catch (err) {
      this.opts.log.warn('metrics batch not recorded; kept for the next one', errorFields(err))
      this.keep(batch)
      this.schedule()
    }
  }

  /** Puts a batch that was not recorded back in front of what came since. */
  private keep(batch: MetricBatch): void {
    for (const r of batch.rollups.slice(-MAX_HELD)) {
      const key = `${r.name}\u0000${r.minute}`
      const since = this.rollups.get(key)
      this.rollups.set(key, since ? combine(r, since) : r)
    }
    for (const g of batch.gauges) {
      const key = `${g.name}\u0000${g.subject}`
      if (!this.gauges.has(key)) this.gauges.set(key, g)
    }
  }
}
