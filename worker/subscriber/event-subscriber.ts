import type { EventResult } from '../../shared/index.ts'
import type { Config, SubscriberSettings } from '../config/types.ts'
import type { SalesforceTokenSource } from '../connectors/types.ts'
import { ingestEvents, type IntakePorts } from '../intake/ingest.ts'
import { decide } from '../failure/policy.ts'
import { createLogger, errorFields, type Logger } from '../lib/log.ts'
import type { ObjectStorage } from '../lib/storage.ts'
import { catchUp, type CatchUpResult, type ReceivedEvent } from './catch-up.ts'
import type { GapView, IntakeCounts } from './rows.ts'
import { SubscriberStore } from './store.ts'
import { requireTokens } from './tokens.ts'
import { readStatus, type SubscriberStatus } from './views.ts'

/** One subscriber per org; this is its Durable Object name. */
export const SUBSCRIBER_NAME = 'org'
export const AMENDMENT_CHANNEL = '/event/Subscription_Amendment__e'

/** What the subscriber needs: its config, the org's tokens and the intake's ports. */
export interface SubscriberDeps {
  config: Config
  tokens(): SalesforceTokenSource | undefined
  intake: IntakePorts
}

export type KickResult =
  | { status: 'scheduled'; runAt: string; fromReplayId?: number }
  | { status: 'running' }
  | { status: 'refused'; message: string }

/** Replays everything Salesforce still retains (72 h of events). */
const ALL_RETAINED = -2
export type { SubscriberStatus }
export type AcknowledgeResult = { status: 'ok'; gap: GapView } | { status: 'not_found' }

/**
 * CometD catch-up for `Subscription_Amendment__e`: the backstop behind the Apex trigger's push.
 * A cron tick (or an operator) calls `kick`, which only arms the alarm; the run happens in
 * `alarm()`: handshake, subscribe from the stored replay id, long-poll until a connect brings
 * nothing, hand every event to the same intake as `POST /v1/salesforce/events` (dedupe by
 * EventUuid makes double delivery harmless), disconnect. The stored replay id moves only past
 * events the intake durably took, so a failed batch is replayed by the next run. A run that
 * stops on its budget re-arms at once; a failed one retries with backoff.
 *
 * Why poll on a schedule instead of holding a subscription open: a Durable Object with a
 * long-poll in flight is never idle, so it cannot hibernate and is billed duration around the
 * clock (every 110 s idle connect is another subrequest, too). Salesforce keeps events 72 h, so
 * nothing is lost by catching up every few minutes instead: each run is a handful of requests
 * and about one connect timeout of wall time, then the object goes idle. On a 5-minute cron
 * with the 10 s default that is roughly 4% of an always-connected subscriber's duration. What
 * polling does not save is Salesforce's delivery allocation: every event on the channel is
 * delivered to this client once either way (twice if a batch is replayed), and CometD
 * deliveries count against the org's daily event-delivery limit, unlike the Apex trigger.
 * It lives in the `EventSubscriber` Durable Object, one per org.
 */
export class Subscriber {
  private readonly store: SubscriberStore
  private readonly log: Logger
  private running = false

  private readonly storage: ObjectStorage
  private readonly deps: SubscriberDeps

  constructor(storage: ObjectStorage, deps: SubscriberDeps) {
    this.storage = storage
    this.deps = deps
    this.store = new SubscriberStore(storage.sql)
    this.log = createLogger({ component: 'EventSubscriber' }, deps.config.logLevel)
  }

  /**
   * Asks for a run as soon as possible. A run in progress already covers the request: it only
   * stops after a connect that waited the full timeout with nothing arriving.
   */
  async kick(trigger: string): Promise<KickResult> {
    if (this.running) return { status: 'running' }
    this.store.setPendingTrigger(trigger)
    const runAt = await this.armAt(Date.now())
    return { status: 'scheduled', runAt: new Date(runAt).toISOString() }
  }

  /**
   * Moves the cursor back to `fromReplayId` and asks for a run: the next run subscribes after
   * it, so events already taken come again (harmless: the intake dedupes by EventUuid). Only
   * backwards: a replay id past the stored one would skip events the intake never took, and
   * while a run is going its progress would overwrite the move.
   */
  async replayFrom(fromReplayId: number, trigger: string): Promise<KickResult> {
    if (this.running) return { status: 'running' }
    const stored = this.store.cursor(AMENDMENT_CHANNEL)?.replayId
    const refusal = rewindRefusal(fromReplayId, stored)
    if (refusal) return { status: 'refused', message: refusal }
    this.store.rewind(AMENDMENT_CHANNEL, fromReplayId)
    const kicked = await this.kick(`${trigger} from ${fromReplayId}`)
    return kicked.status === 'scheduled' ? { ...kicked, fromReplayId } : kicked
  }

  async alarm(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      await this.run()
    } finally {
      this.running = false
    }
  }

  private async run(): Promise<void> {
    const trigger = this.store.takePendingTrigger() ?? 'alarm'
    const runId = this.store.startRun(trigger, this.store.cursor(AMENDMENT_CHANNEL)?.replayId)
    const log = this.log.with({ runId, trigger })
    const result = await this.catchUp(runId, log)
    const failure =
      result.outcome === 'failed' ? { code: result.code, message: result.message } : undefined
    const failures = this.store.finishRun(runId, result.outcome, failure)
    const run = this.store.runs(1)[0]
    log[failure ? 'warn' : 'info']('catch-up run finished', {
      outcome: result.outcome,
      ...failure,
      counts: run?.counts,
      replayId: run?.toReplayId,
    })
    if (result.outcome === 'budget') {
      this.store.setPendingTrigger('continue')
      await this.armAt(Date.now())
    } else if (result.outcome === 'failed') {
      const { retryBaseMs, retryCapMs } = this.settingsOrDefault()
      // Every failed run is retried (the next run replays from the stored replay id), from one
      // base interval up, however the run failed: nothing here can be parked.
      const retry = decide(
        { kind: 'transient', code: result.code, message: result.message },
        { attempt: failures - 1, baseMs: retryBaseMs, capMs: retryCapMs, floorMs: retryBaseMs },
      )
      this.store.setPendingTrigger('retry')
      if (retry.action === 'retry') await this.armAt(retry.at)
    }
  }

  private async catchUp(runId: number, log: Logger): Promise<CatchUpResult> {
    let settings: SubscriberSettings
    let config: Config
    let tokens: SalesforceTokenSource
    try {
      config = this.deps.config
      settings = config.subscriber
      tokens = requireTokens(this.deps.tokens())
    } catch (err) {
      log.error('subscriber not configured', errorFields(err))
      return {
        outcome: 'failed',
        code: 'misconfigured',
        message: 'Salesforce or the subscriber is not configured; see the logs.',
      }
    }
    return catchUp({
      channel: AMENDMENT_CHANNEL,
      apiVersion: settings.apiVersion,
      tokens,
      connectTimeoutMs: settings.connectTimeoutMs,
      deadline: Date.now() + settings.runBudgetMs,
      maxEvents: settings.maxEventsPerRun,
      log,
      replayFrom: () => this.store.cursor(AMENDMENT_CHANNEL)?.replayId ?? settings.initialReplayId,
      onGap: (replayId, serverError) => {
        const cursor = this.store.cursor(AMENDMENT_CHANNEL)
        const lost = {
          replayId,
          eventAt: cursor?.replayId === replayId ? cursor.eventAt : undefined,
        }
        this.store.recordGap(AMENDMENT_CHANNEL, runId, lost, serverError)
      },
      onHandshake: () => this.store.countHandshake(runId),
      onEvents: (events) =>
        this.deliver(runId, events, { config, batchSize: settings.batchSize, log }),
    })
  }

  /**
   * Batches events into the intake. After each batch, in one synchronous write (so they commit
   * together), the counts go up and the cursor moves to the last event before the first one
   * the intake could not store; from there the next run replays.
   */
  private async deliver(
    runId: number,
    events: ReceivedEvent[],
    opts: { config: Config; batchSize: number; log: Logger },
  ): Promise<boolean> {
    for (let start = 0; start < events.length; start += opts.batchSize) {
      const batch = events.slice(start, start + opts.batchSize)
      const results = await this.ingest(batch, opts.config, opts.log)
      const firstFailed = results.findIndex((r) => r.status === 'failed')
      const accepted = firstFailed < 0 ? batch : batch.slice(0, firstFailed)
      this.store.countBatch(runId, tally(results))
      this.store.advance(
        AMENDMENT_CHANNEL,
        runId,
        accepted.flatMap((e) =>
          e.replayId === undefined ? [] : [{ replayId: e.replayId, eventAt: e.eventAt }],
        ),
      )
      if (firstFailed >= 0) return false
    }
    return true
  }

  private async ingest(
    batch: ReceivedEvent[],
    config: Config,
    log: Logger,
  ): Promise<EventResult[]> {
    const requestId = crypto.randomUUID()
    try {
      return await ingestEvents({
        ports: this.deps.intake,
        config,
        events: batch.map((e) => e.raw),
        requestId,
        source: 'salesforce.cometd',
        log: log.with({ requestId }),
      })
    } catch (err) {
      log.error('intake batch failed', errorFields(err))
      return batch.map((e, index) => ({
        index,
        eventUuid: typeof e.raw.EventUuid === 'string' ? e.raw.EventUuid : '',
        status: 'failed',
        retryable: true,
      }))
    }
  }

  private settingsOrDefault(): Pick<SubscriberSettings, 'retryBaseMs' | 'retryCapMs'> {
    return this.deps.config.subscriber
  }

  /** Sets the alarm to `when` unless one is due sooner; returns when the next run is due. */
  private async armAt(when: number): Promise<number> {
    const current = await this.storage.alarm.get()
    if (current !== null && current <= when) return current
    await this.storage.alarm.set(when)
    return when
  }

  /** Operator: marks a reported gap as handled (reconciled, or accepted as lost). */
  acknowledgeGap(id: number, actor: string): AcknowledgeResult {
    const gap = this.store.acknowledgeGap(id, actor)
    return gap ? { status: 'ok', gap } : { status: 'not_found' }
  }

  async status(): Promise<SubscriberStatus> {
    const alarmAt = await this.storage.alarm.get()
    return readStatus(this.store, { channel: AMENDMENT_CHANNEL, running: this.running, alarmAt })
  }
}

/** Why the cursor may not move to `from`, or undefined when it may. */
function rewindRefusal(from: number, stored: number | undefined): string | undefined {
  if (!Number.isSafeInteger(from) || (from < 0 && from !== ALL_RETAINED))
    return `Replay id ${from} is not one to replay from: use -2 (everything retained) or a replay id of an event.`
  if (from === ALL_RETAINED) return undefined
  if (stored === undefined || stored < 0)
    return `The catch-up has no stored replay id to go back from (it replays everything retained next run): ${from} would skip events it never took.`
  if (from > stored)
    return `Replay id ${from} is past the stored one (${stored}): moving forward would skip events the worker never took.`
  return undefined
}

function tally(results: EventResult[]): IntakeCounts {
  const counts: IntakeCounts = {
    received: results.length,
    queued: 0,
    duplicate: 0,
    rejected: 0,
    failed: 0,
  }
  for (const r of results) counts[r.status] += 1
  return counts
}
