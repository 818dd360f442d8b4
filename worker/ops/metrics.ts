import { METRIC_DEFS, type MetricDef } from '../lib/metric-catalog.ts'
import type { GaugeReading, MetricBatch, Rollup } from '../lib/metrics.ts'
import { merge, quantile, type Histogram } from '../lib/histogram.ts'

const MINUTE_MS = 60_000
/** Minute rows are kept this long (README, "KPIs"): a week's chart plus a day of margin. */
export const MINUTE_RETENTION_MS = 8 * 24 * 60 * MINUTE_MS

export type Range = 'hour' | 'day' | 'week'
export const RANGES: Record<Range, { spanMs: number; stepMs: number }> = {
  hour: { spanMs: 60 * MINUTE_MS, stepMs: MINUTE_MS },
  day: { spanMs: 24 * 60 * MINUTE_MS, stepMs: 15 * MINUTE_MS },
  week: { spanMs: 7 * 24 * 60 * MINUTE_MS, stepMs: 60 * MINUTE_MS },
}

/** One slot of a series: what its minutes add up to. */
export interface Point {
  /** Start of the slot (ms). */
  at: number
  count: number
  sum: number
  min: number
  max: number
}

export interface Summary {
  count: number
  sum: number
  min?: number
  max?: number
  mean?: number
  p50?: number
  p95?: number
}

export interface Series {
  name: string
  range: Range
  points: Point[]
  summary: Summary
}

export const METRICS_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE metric_minute (
    name TEXT NOT NULL,
    minute INTEGER NOT NULL,
    count INTEGER NOT NULL,
    sum REAL NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    hist TEXT,
    PRIMARY KEY (name, minute)
  ) WITHOUT ROWID;
  CREATE INDEX metric_minute_by_minute ON metric_minute (minute);
  CREATE TABLE gauge_part (
    name TEXT NOT NULL,
    subject TEXT NOT NULL,
    value REAL NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (name, subject)
  ) WITHOUT ROWID;
  `,
]

type MinuteRow = { count: number; sum: number; min: number; max: number; hist: string | null }

/**
 * Per-minute roll-ups in the metrics object's SQLite: `record` folds a batch into minute rows
 * (count, sum, min, max, log histogram) and gauge readings into the latest value per subject;
 * `sampleGauges` writes each gauge's aggregate as that minute's row; `series` reads a range back
 * as slots and a summary with p50/p95 from the merged histograms; `prune` keeps the retention.
 */
export class MetricStore {
  private readonly sql: SqlStorage

  constructor(sql: SqlStorage) {
    this.sql = sql
  }

  record(batch: MetricBatch): void {
    for (const r of batch.rollups) this.addRollup(r)
    for (const g of batch.gauges) this.setGauge(g)
  }

  /** Folds a producer's minute into the stored one (one read and one write per metric-minute). */
  private addRollup(r: Rollup): void {
    const def = METRIC_DEFS.get(r.name)
    if (!def || def.kind === 'gauge' || r.count <= 0) return
    const minute = Math.floor(r.minute / MINUTE_MS)
    const row = this.sql
      .exec<MinuteRow>(
        'SELECT count, sum, min, max, hist FROM metric_minute WHERE name = ? AND minute = ?',
        r.name,
        minute,
      )
      .toArray()[0]
    const hist =
      def.kind === 'distribution'
        ? JSON.stringify(merge(row?.hist ? (JSON.parse(row.hist) as Histogram) : {}, r.hist ?? {}))
        : null
    this.sql.exec(
      'INSERT OR REPLACE INTO metric_minute (name, minute, count, sum, min, max, hist) VALUES (?, ?, ?, ?, ?, ?, ?)',
      r.name,
      minute,
      (row?.count ?? 0) + r.count,
      (row?.sum ?? 0) + r.sum,
      Math.min(row?.min ?? r.min, r.min),
      Math.max(row?.max ?? r.max, r.max),
      hist,
    )
  }

  private setGauge(g: GaugeReading): void {
    const def = METRIC_DEFS.get(g.name)
    if (!def || def.kind !== 'gauge') return
    const prior = this.sql
      .exec<{ at: number }>(
        'SELECT at FROM gauge_part WHERE name = ? AND subject = ?',
        g.name,
        g.subject,
      )
      .toArray()[0]
    if (prior && prior.at > g.at) return
    if (g.value === 0)
      this.sql.exec('DELETE FROM gauge_part WHERE name = ? AND subject = ?', g.name, g.subject)
    else
      this.sql.exec(
        'INSERT OR REPLACE INTO gauge_part (name, subject, value, at) VALUES (?, ?, ?, ?)',
        g.name,
        g.subject,
        g.value,
        g.at,
      )
  }

  /** A gauge's value now: the sum or max over subjects, or the age (ms) of the oldest. */
  gaugeNow(def: MetricDef, now: number): number {
    const agg = def.aggregate ?? 'sum'
    const fn = agg === 'sum' ? 'SUM' : agg === 'max' ? 'MAX' : 'MIN'
    const v = this.sql
      .exec<{ v: number | null }>(
        `SELECT ${fn}(value) AS v FROM gauge_part WHERE name = ?`,
        def.name,
      )
      .one().v
    if (agg === 'oldest') return v === null ? 0 : Math.max(0, now - v)
    return v ?? 0
  }

  /** Each subject's own value of a gauge (as an age for `oldest`), highest first. */
  gaugeParts(def: MetricDef, now: number): Array<{ subject: string; value: number }> {
    return this.sql
      .exec<{ subject: string; value: number }>(
        'SELECT subject, value FROM gauge_part WHERE name = ?',
        def.name,
      )
      .toArray()
      .map((p) => ({
        subject: p.subject,
        value: def.aggregate === 'oldest' ? Math.max(0, now - p.value) : p.value,
      }))
      .sort((a, b) => b.value - a.value)
  }

  /** Writes every gauge's aggregate as the row of `now`'s minute (safe to run twice). */
  sampleGauges(now: number): void {
    const minute = Math.floor(now / MINUTE_MS)
    for (const def of METRIC_DEFS.values()) {
      if (def.kind !== 'gauge') continue
      const v = this.gaugeNow(def, now)
      this.sql.exec(
        'INSERT OR REPLACE INTO metric_minute (name, minute, count, sum, min, max, hist) VALUES (?, ?, 1, ?, ?, ?, NULL)',
        def.name,
        minute,
        v,
        v,
        v,
      )
    }
  }

  /** Drops minute rows older than the retention. */
  prune(now: number): number {
    const cutoff = Math.floor((now - MINUTE_RETENTION_MS) / MINUTE_MS)
    return this.sql.exec('DELETE FROM metric_minute WHERE minute < ?', cutoff).rowsWritten
  }

  series(name: string, range: Range, now: number): Series {
    const { spanMs, stepMs } = RANGES[range]
    const stepMinutes = stepMs / MINUTE_MS
    const lastSlot = Math.floor(now / stepMs)
    const firstSlot = lastSlot - spanMs / stepMs + 1
    const rows = this.sql
      .exec<MinuteRow & { minute: number }>(
        'SELECT minute, count, sum, min, max, hist FROM metric_minute WHERE name = ? AND minute >= ? ORDER BY minute',
        name,
        firstSlot * stepMinutes,
      )
      .toArray()
    const slots = new Map<number, Point>()
    const hist: Histogram = {}
    for (const r of rows) {
      const slot = Math.floor(r.minute / stepMinutes)
      const p = slots.get(slot)
      slots.set(slot, {
        at: slot * stepMs,
        count: (p?.count ?? 0) + r.count,
        sum: (p?.sum ?? 0) + r.sum,
        min: Math.min(p?.min ?? r.min, r.min),
        max: Math.max(p?.max ?? r.max, r.max),
      })
      if (r.hist) merge(hist, JSON.parse(r.hist) as Histogram)
    }
    const points = [...slots.values()]
    return { name, range, points, summary: summarise(points, hist) }
  }
}

function summarise(points: Point[], hist: Histogram): Summary {
  const count = points.reduce((s, p) => s + p.count, 0)
  const sum = points.reduce((s, p) => s + p.sum, 0)
  if (count === 0) return { count, sum }
  const min = Math.min(...points.map((p) => p.min))
  const max = Math.max(...points.map((p) => p.max))
  return {
    count,
    sum,
    min,
    max,
    mean: sum / count,
    p50: quantile(hist, 0.5, { min, max }),
    p95: quantile(hist, 0.95, { min, max }),
  }
}
