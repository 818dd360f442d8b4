import { errorFields, type Logger } from './log.ts'

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

/** One batch for the metrics object. */
export interface MetricBatch {
  observations: Observation[]
  gauges: GaugeReading[]
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

/** Observations held at most while the sink is failing; older ones are dropped first. */
const MAX_HELD = 5_000

/**
 * Accumulates samples in memory and sends them as one batch at most once per `intervalMs`, so a
 * producer's hot path never waits on another object: the first sample after a quiet spell goes
 * out on the next tick, later ones ride along with the next batch. Gauges coalesce by name and
 * subject (the latest wins). Metrics are best-effort: samples still held when the object is
 * evicted are lost, and a failing sink keeps at most `MAX_HELD` observations for the next try.
 */
export class MetricBuffer implements MetricPort {
  private observations: Observation[] = []
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
    if (!Number.isFinite(value)) return
    this.observations.push({ name, value, at })
    if (this.observations.length > MAX_HELD) this.observations.shift()
    this.schedule()
  }

  gauge(name: string, subject: string, value: number, at = Date.now()): void {
    if (!Number.isFinite(value)) return
    this.gauges.set(`${name}\u0000${subject}`, { name, subject, value, at })
    this.schedule()
  }

  private schedule(): void {
    if (this.timer !== undefined) return
    const wait = Math.max(0, this.lastSent + this.opts.intervalMs - Date.now())
    this.timer = setTimeout(() => void this.flush(), wait)
  }

  /** Sends what is held now (also called by the timer). */
  async flush(): Promise<void> {
    this.timer = undefined
    const batch: MetricBatch = {
      observations: this.observations,
      gauges: [...this.gauges.values()],
    }
    if (batch.observations.length === 0 && batch.gauges.length === 0) return
    this.observations = []
    this.gauges = new Map()
    this.lastSent = Date.now()
    const sink = this.sink()
    if (!sink) return
    try {
      await sink.record(batch)
    } catch (err) {
      this.opts.log.warn('metrics batch not recorded; kept for the next one', errorFields(err))
      this.observations = [...batch.observations, ...this.observations].slice(-MAX_HELD)
      for (const g of batch.gauges) {
        const key = `${g.name}\u0000${g.subject}`
        if (!this.gauges.has(key)) this.gauges.set(key, g)
      }
      this.schedule()
    }
  }
}
