import type { MetricBatch } from '../lib/metrics.ts'
import type { Alert } from '../ops/alerts.ts'
import { KPI_MIGRATIONS, KpiBoard, type KpiReport } from '../ops/kpi-board.ts'
import type { Range } from '../ops/metrics.ts'
import { alertDeliveryItem } from '../ops/work-items.ts'
import { SqlObject } from './sql-object.ts'
import { workReporter } from './work-report.ts'
import type { Wiring } from './wiring.ts'

/** The KPI roll-ups and SLA alerts (`ops/kpi-board.ts`): one instance, named `global`. */
export class Metrics extends SqlObject {
  private readonly board: KpiBoard
  private readonly reportDeliveries: ReturnType<typeof workReporter>

  constructor(
    ctx: DurableObjectState,
    env: Env,
    wiring?: Wiring,
    alertFetch: typeof fetch = fetch,
  ) {
    super(ctx, env, KPI_MIGRATIONS, wiring)
    this.board = new KpiBoard(this.storage, {
      config: this.config,
      fetch: (input, init) => alertFetch(input, init),
    })
    this.reportDeliveries = workReporter(env, this.config, 'alert_delivery')
  }

  /** A producer's batch of samples (`lib/metrics.ts`). */
  record(batch: MetricBatch): Promise<void> {
    return this.board.record(batch)
  }

  /** The cron's minute kick: arms the alarm if it is not set. */
  kick(): Promise<void> {
    return this.board.ensureAlarm()
  }

  override async alarm(): Promise<void> {
    await this.board.alarm()
    // Failed deliveries go to the exception work queue (at most 200: they are alike).
    await this.reportDeliveries(() => this.board.alerts.troubled(200).map(alertDeliveryItem))
  }

  report(range: Range): KpiReport {
    return this.board.report(range)
  }

  gauges(): Record<string, number> {
    return this.board.gauges()
  }

  openAlerts(): Alert[] {
    return this.board.alerts.open()
  }

  recentAlerts(limit: number): Alert[] {
    return this.board.alerts.recent(limit)
  }

  deliveries(): ReturnType<KpiBoard['alerts']['deliveries']> {
    return this.board.alerts.deliveries()
  }
}
