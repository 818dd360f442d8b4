import {
  Subscriber,
  type AcknowledgeResult,
  type KickResult,
  type SubscriberStatus,
} from '../subscriber/event-subscriber.ts'
import { SUBSCRIBER_MIGRATIONS } from '../subscriber/migrations.ts'
import { SqlObject } from './sql-object.ts'
import { intakePorts, type Wiring } from './wiring.ts'

/** The CometD catch-up (`subscriber/event-subscriber.ts`): one instance per org, named `org`. */
export class EventSubscriber extends SqlObject {
  private readonly subscriber: Subscriber

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, SUBSCRIBER_MIGRATIONS, wiring)
    this.subscriber = new Subscriber(this.storage, {
      config: this.config,
      tokens: () => this.wiring.salesforceTokens(env, this.config),
      intake: intakePorts(env),
    })
  }

  /** Asks for a run as soon as possible (a run in progress already covers the request). */
  kick(trigger: string): Promise<KickResult> {
    return this.subscriber.kick(trigger)
  }

  /** Operator: moves the cursor back to `fromReplayId` and asks for a run from there. */
  replayFrom(fromReplayId: number, trigger: string): Promise<KickResult> {
    return this.subscriber.replayFrom(fromReplayId, trigger)
  }

  override alarm(): Promise<void> {
    return this.subscriber.alarm()
  }

  /** Operator: marks a reported gap as handled (reconciled, or accepted as lost). */
  acknowledgeGap(id: number, actor: string): AcknowledgeResult {
    return this.subscriber.acknowledgeGap(id, actor)
  }

  status(): Promise<SubscriberStatus> {
    return this.subscriber.status()
  }
}
