import {
  BACKLOG_STATES,
  BACKLOG_SYSTEMS,
  backlogMetric,
  METRICS,
  type MetricUnit,
} from '../../lib/metric-catalog.ts'
import type { KpiReport } from '../../ops/kpi-board.ts'
import { RANGES, type Point, type Series } from '../../ops/metrics.ts'
import type { ChartPoint } from './sparkline.tsx'

/** One KPI as the overview shows it: a headline, a note, and its chart's slots. */
export interface KpiCard {
  id: string
  title: string
  headline: string
  note: string
  unit: MetricUnit
  points: ChartPoint[]
}

const RETENTION_MS = 72 * 3_600_000

/** "340 ms", "4.2 s", "3.1 min", "2.5 h"; "12.5%"; "7". */
export function formatValue(v: number | undefined, unit: MetricUnit): string {
  if (v === undefined || !Number.isFinite(v)) return '—'
  if (unit === 'percent') return `${v.toFixed(1)}%`
  if (unit === 'count') return Number.isInteger(v) ? String(v) : v.toFixed(1)
  if (v < 1000) return `${Math.round(v)} ms`
  if (v < 90_000) return `${(v / 1000).toFixed(1)} s`
  if (v < 90 * 60_000) return `${(v / 60_000).toFixed(1)} min`
  return `${(v / 3_600_000).toFixed(1)} h`
}

/** Every slot of the range, oldest first, with `value` of the slot or null. */
function slots(report: KpiReport, value: (at: number) => number | null): ChartPoint[] {
  const { spanMs, stepMs } = RANGES[report.range]
  const last = Math.floor(report.asOf / stepMs) * stepMs
  const out: ChartPoint[] = []
  for (let at = last - spanMs + stepMs; at <= last; at += stepMs) out.push({ at, value: value(at) })
  return out
}

const byAt = (s: Series | undefined) => new Map((s?.points ?? []).map((p) => [p.at, p]))
const mean = (p: Point | undefined) => (p && p.count > 0 ? p.sum / p.count : null)

function distribution(report: KpiReport, id: string, name: string, title: string): KpiCard {
  const s = report.series[name]
  const points = byAt(s)
  const sum = s?.summary
  return {
    id,
    title,
    unit: 'ms',
    headline: `p50 ${formatValue(sum?.p50, 'ms')} · p95 ${formatValue(sum?.p95, 'ms')}`,
    note: `${sum?.count ?? 0} measured; chart: mean per slot`,
    points: slots(report, (at) => mean(points.get(at))),
  }
}

function gauge(
  report: KpiReport,
  id: string,
  name: string,
  title: string,
  unit: MetricUnit,
  note = '',
): KpiCard {
  const points = byAt(report.series[name])
  return {
    id,
    title,
    unit,
    headline: formatValue(report.now[name], unit),
    note: note || `now; chart: mean per slot`,
    points: slots(report, (at) => mean(points.get(at))),
  }
}

function successRate(report: KpiReport): KpiCard {
  const applied = report.series[METRICS.applied.name]
  const parked = report.series[METRICS.parked.name]
  const a = applied?.summary.count ?? 0
  const p = parked?.summary.count ?? 0
  const ap = byAt(applied)
  const pp = byAt(parked)
  return {
    id: 'success',
    title: 'Amendment success rate',
    unit: 'percent',
    headline: a + p > 0 ? formatValue((100 * a) / (a + p), 'percent') : '—',
    note: `${a} applied, ${p} parked`,
    points: slots(report, (at) => {
      const x = ap.get(at)?.count ?? 0
      const y = pp.get(at)?.count ?? 0
      return x + y > 0 ? (100 * x) / (x + y) : null
    }),
  }
}

const BACKLOG_NAMES = [
  ...BACKLOG_STATES.flatMap((s) => BACKLOG_SYSTEMS.map((sys) => backlogMetric(s, sys))),
  METRICS.outbox.name,
  METRICS.writerPending.name,
]

function backlogTotal(report: KpiReport): KpiCard {
  const maps = BACKLOG_NAMES.map((n) => byAt(report.series[n]))
  const total = BACKLOG_NAMES.reduce((n, name) => n + (report.now[name] ?? 0), 0)
  return {
    id: 'backlog-total',
    title: 'Backlog, all systems',
    unit: 'count',
    headline: formatValue(total, 'count'),
    note: 'now; by system in the table below',
    points: slots(report, (at) => {
      const ms = maps.map((m) => mean(m.get(at)))
      return ms.every((v) => v === null) ? null : ms.reduce<number>((n, v) => n + (v ?? 0), 0)
    }),
  }
}

/** The overview's KPI cards, in the order. */
export function kpiCards(report: KpiReport): KpiCard[] {
  const cursorAge = report.now[METRICS.cursor.name] ?? 0
  return [
    distribution(report, 'activation', METRICS.activation.name, 'Order activation time'),
    successRate(report),
    distribution(report, 'status-back', METRICS.statusBack.name, 'Status-back latency'),
    distribution(report, 'invoice-lag', METRICS.invoiceLag.name, 'Invoice generation lag'),
    backlogTotal(report),
    gauge(report, 'api-share', METRICS.apiShare.name, 'Salesforce API share used', 'percent'),
    gauge(report, 'permits', METRICS.permits.name, 'NetSuite concurrency in use', 'count'),
    gauge(
      report,
      'cursor',
      METRICS.cursor.name,
      'CometD cursor age',
      'ms',
      cursorAge > 0
        ? `${((100 * cursorAge) / RETENTION_MS).toFixed(0)}% of the 72 h retention`
        : 'no completed run yet',
    ),
    gauge(report, 'quarantine', METRICS.quarantine.name, 'Quarantine count', 'count'),
  ]
}

/** The backlog now, by system (rows) and state (columns). */
export function backlogTable(report: KpiReport): Array<{ system: string; values: number[] }> {
  return BACKLOG_SYSTEMS.map((system) => ({
    system,
    values: BACKLOG_STATES.map((state) => report.now[backlogMetric(state, system)] ?? 0),
  }))
}
