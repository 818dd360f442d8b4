import type { Config } from '../config/types.ts'
import { METRIC_DEFS } from '../lib/metric-catalog.ts'
import type { MetricBatch } from '../lib/metrics.ts'
import { StoredModule, type ObjectStorage } from '../lib/storage.ts'
import { ALERT_MIGRATIONS, AlertDesk, type Alert } from './alerts.ts'
import { METRICS_MIGRATIONS, MetricStore, type Range, type Series } from './metrics.ts'

export const KPI_MIGRATIONS: readonly string[] = [...METRICS_MIGRATIONS, ALERT_MIGRATIONS]

const MINUTE_MS = 60_000

/** Every KPI over one range, with each gauge's value now; what the overview renders. */
export interface KpiReport {
  range: Range
  asOf: number
  series: Record<string, Series>
  now: Record<string, number>
  alerts: Alert[]
  /** Problems with the alert webhook's configuration, for the banner. */
  webhookProblems: string[]
}

/**
 * The KPI roll-ups and SLA alerts of the `Metrics` object: producers' batches in, a minute
 * alarm that samples the gauges, evaluates the alert rules, posts due alert deliveries and
 * prunes past the retention. Every alarm step is safe to run twice.
 */
export class KpiBoard extends StoredModule {
  readonly store: MetricStore
  readonly alerts: AlertDesk

  private readonly deps: { config: Config; fetch: typeof fetch }

  constructor(storage: ObjectStorage, deps: { config: Config; fetch: typeof fetch }) {
    super(storage, { component: 'Metrics', logLevel: deps.config.logLevel })
    this.deps = deps
    this.store = new MetricStore(this.sql)
    this.alerts = new AlertDesk(this.sql, { fetch: deps.fetch, log: this.log })
  }

  async record(batch: MetricBatch): Promise<void> {
    this.store.record(batch)
    await this.ensureAlarm()
  }

  /** Makes sure the minute alarm runs (the cron calls this every minute too). */
  async ensureAlarm(): Promise<void> {
    if ((await this.clock.get()) === null) await this.clock.set(Date.now())
  }

  async alarm(): Promise<void> {
    const now = Date.now()
    const { alerts } = this.deps.config
    this.store.sampleGauges(now)
    this.alerts.evaluate(this.store, alerts, now)
    this.store.prune(now)
    this.alerts.prune(now)
    if (alerts.webhook.status === 'ok') await this.alerts.deliver(alerts.webhook.settings, now)
    else if (alerts.webhook.status === 'invalid')
      this.log.warn('alert webhook misconfigured; alerts are not posted', {
        problems: alerts.webhook.problems,
      })
    const nextMinute = (Math.floor(Date.now() / MINUTE_MS) + 1) * MINUTE_MS
    await this.clock.set(Math.min(nextMinute, this.alerts.nextDeliveryAt() ?? nextMinute))
  }

  report(range: Range): KpiReport {
    const now = Date.now()
    const series: Record<string, Series> = {}
    const current: Record<string, number> = {}
    for (const def of METRIC_DEFS.values()) {
      series[def.name] = this.store.series(def.name, range, now)
      if (def.kind === 'gauge') current[def.name] = this.store.gaugeNow(def, now)
    }
    const webhook = this.deps.config.alerts.webhook
    return {
      range,
      asOf: now,
      series,
      now: current,
      alerts: this.alerts.open(),
      webhookProblems: webhook.status === 'invalid' ? webhook.problems : [],
    }
  }

  /** Gauges only, with no series: the cheap read behind the overview's backlog tiles. */
  gauges(): Record<string, number> {
    const now = Date.now()
    const out: Record<string, number> = {}
    for (const def of METRIC_DEFS.values())
      if (def.kind === 'gauge') out[def.name] = this.store.gaugeNow(def, now)
    return out
  }
}
