import {
  Subscriber,
  type AcknowledgeResult,
  type KickResult,
  type SubscriberStatus,
} from '../subscriber/event-subscriber.ts'
import { SUBSCRIBER_MIGRATIONS } from '../subscriber/migrations.ts'
import { METRICS } from '../lib/metric-catalog.ts'
import type { MetricBuffer } from '../lib/metrics.ts'
import { gapItem } from '../ops/work-items.ts'
import { metricBuffer } from './metric-port.ts'
import { workReporter } from './work-report.ts'
import { SqlObject } from './sql-object.ts'
import { intakePorts, type Wiring } from './wiring.ts'

/** The CometD catch-up (`subscriber/event-subscriber.ts`): one instance per org, named `org`. */
export class EventSubscriber extends SqlObject {
  private readonly subscriber: Subscriber
  private readonly metrics: MetricBuffer
  private readonly report: ReturnType<typeof workReporter>

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, SUBSCRIBER_MIGRATIONS, wiring)
    this.subscriber = new Subscriber(this.storage, {
      config: this.config,
      tokens: () => this.wiring.salesforceTokens(env, this.config),
      intake: intakePorts(env),
    })
    this.metrics = metricBuffer(env, this.config, 'EventSubscriber')
    this.report = workReporter(env, this.config, 'subscriber_gap')
  }

  /** The gaps nobody acknowledged yet, for the exception work queue. */
  private reportGaps(): Promise<void> {
    return this.report(async () =>
      (await this.subscriber.status()).gaps.filter((g) => !g.acknowledgedAt).map(gapItem),
    )
  }

  /** Asks for a run as soon as possible (a run in progress already covers the request). */
  kick(trigger: string): Promise<KickResult> {
    return this.subscriber.kick(trigger)
  }

  /** Operator: moves the cursor back to `fromReplayId` and asks for a run from there. */
  replayFrom(fromReplayId: number, trigger: string): Promise<KickResult> {
    return this.subscriber.replayFrom(fromReplayId, trigger)
  }

  override async alarm(): Promise<void> {
    await this.subscriber.alarm()
    await this.reportCursor()
    await this.reportGaps()
  }

  /**
   * The cursor's age for the KPIs: measured from the end of the last run that finished without
   * error (the cursor was at the channel's head then). Salesforce keeps events 72 h.
   */
  private async reportCursor(): Promise<void> {
    const status = await this.subscriber.status()
    const good = status.recentRuns.find((r) => r.finishedAt && !r.error)
    const at = good?.finishedAt ? Date.parse(good.finishedAt) : undefined
    if (at !== undefined) this.metrics.gauge(METRICS.cursor.name, status.channel, at)
  }

  /** Operator: marks a reported gap as handled (reconciled, or accepted as lost). */
  async acknowledgeGap(id: number, actor: string): Promise<AcknowledgeResult> {
    const result = this.subscriber.acknowledgeGap(id, actor)
    await this.reportGaps()
    return result
  }

  status(): Promise<SubscriberStatus> {
    return this.subscriber.status()
  }
}
