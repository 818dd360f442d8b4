import { ConnectorError } from '../failure/errors.ts'
import type { SalesforceSession, SalesforceTokenSource } from '../connectors/types.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { BayeuxTransport, classify, metaReply, type BayeuxMessage, type Failure } from './bayeux.ts'
import { handshake, type BayeuxClient } from './client.ts'
import { CookieJar } from './cookies.ts'

/** A delivered event as the intake takes it (Apex's flat shape), with its replay position. */
export interface ReceivedEvent {
  raw: Record<string, unknown>
  replayId?: number
  eventAt?: string
}

export interface CatchUpOptions {
  channel: string
  apiVersion: string
  tokens: SalesforceTokenSource
  /** How long a connect may wait with nothing arriving before the backlog counts as drained. */
  connectTimeoutMs: number
  /** Epoch ms after which the run stops (between calls) and leaves the rest to the next one. */
  deadline: number
  /** Events after which the run stops and leaves the rest to the next one. */
  maxEvents: number
  log: Logger
  /** The stored replay id, or the configured start (-2 all retained, -1 new only). */
  replayFrom(): number
  /** Durably records that `replayId` is gone and resets the stored one to -2. */
  onGap(replayId: number, serverError: string): void
  onHandshake(): void
  /** Hands events to the intake; false when some were not durably accepted. */
  onEvents(events: ReceivedEvent[]): Promise<boolean>
}

export type CatchUpResult =
  { outcome: 'drained' | 'budget' } | { outcome: 'failed'; code: string; message: string }

type Step =
  | { kind: 'done'; result: CatchUpResult }
  | { kind: 'reauth'; message: string }
  | { kind: 'handshake'; message: string; intervalMs: number }

/** Salesforce asking for more handshakes than this in one run is a loop, not a hiccup. */
const MAX_HANDSHAKES = 5
const MAX_CONNECT_RETRIES = 3

const done = (result: CatchUpResult): Step => ({ kind: 'done', result })
const failed = (code: string, message: string): Step => done({ outcome: 'failed', code, message })

/**
 * One catch-up run: handshake (replay extension on), subscribe from the stored replay id,
 * long-poll `/meta/connect` until a connect brings nothing (or the budget or event cap is
 * reached), then disconnect. Follows `advice`; handshakes again when the server forgets the
 * client; mints a new token once on `401::Authentication invalid`; an expired replay id is
 * reported through `onGap` and the subscription restarts from -2, so nothing still retained is
 * lost.
 */
export function catchUp(opts: CatchUpOptions): Promise<CatchUpResult> {
  return new CatchUpRun(opts).run()
}

class CatchUpRun {
  private readonly opts: CatchUpOptions
  private readonly cookies = new CookieJar()
  private received = 0

  constructor(opts: CatchUpOptions) {
    this.opts = opts
  }

  async run(): Promise<CatchUpResult> {
    try {
      let session = await this.opts.tokens.session()
      let reminted = false
      let lastReason = ''
      for (let handshakes = 0; handshakes < MAX_HANDSHAKES; handshakes++) {
        if (Date.now() >= this.opts.deadline) return { outcome: 'budget' }
        const step = await this.session(session)
        if (step.kind === 'done') return step.result
        lastReason = step.message
        if (step.kind === 'reauth') {
          if (reminted)
            return {
              outcome: 'failed',
              code: 'auth_failed',
              message: `Salesforce refused a newly minted token too (${step.message}).`,
            }
          // Once per run: a second refusal means the credentials, not the token, are wrong.
          this.opts.tokens.invalidate(session)
          session = await this.opts.tokens.session()
          reminted = true
          this.cookies.clear()
          this.opts.log.info('cometd token re-minted', { reason: step.message })
          continue
        }
        this.opts.log.info('cometd handshake again', { reason: step.message })
        await this.pause(step.intervalMs)
      }
      return {
        outcome: 'failed',
        code: 'handshake_loop',
        message: `Salesforce asked for ${MAX_HANDSHAKES} handshakes in one run; last: ${lastReason}`,
      }
    } catch (err) {
      if (err instanceof ConnectorError)
        return { outcome: 'failed', code: err.code, message: err.message }
      this.opts.log.error('cometd run failed', errorFields(err))
      return {
        outcome: 'failed',
        code: 'internal_error',
        message: 'The catch-up run failed unexpectedly; see the logs.',
      }
    }
  }

  /** One client's life: handshake, subscribe, connect until drained, disconnect. */
  private async session(session: SalesforceSession): Promise<Step> {
    const endpoint = `${session.instanceUrl.replace(/\/+$/, '')}/cometd/${this.opts.apiVersion}`
    const transport = new BayeuxTransport(endpoint, session.accessToken, this.cookies)
    this.opts.onHandshake()
    const shaken = await handshake(transport)
    if ('refused' in shaken) return this.onFailure(classify(shaken.refused.status, shaken.reply))
    // Without the replay extension a subscription starts at "now": catching up is impossible.
    if (!shaken.replay) {
      return failed(
        'replay_unsupported',
        'The Streaming API endpoint did not enable the replay extension.',
      )
    }
    const client = shaken.client
    const refused = await this.subscribe(client)
    if (refused) return refused
    return this.poll(client)
  }

  private async subscribe(client: BayeuxClient): Promise<Step | undefined> {
    const from = this.opts.replayFrom()
    let reply = await client.subscribe(this.opts.channel, from)
    let answer = metaReply(reply, '/meta/subscribe')
    if (answer?.successful) return undefined
    const failure = classify(reply.status, answer)
    if (failure.action !== 'invalid_replay' || from < 0) return this.onFailure(failure)
    // Beyond retention: what we missed is gone. Record it durably first, then take everything
    // still retained (-2) rather than only new events (-1).
    this.opts.onGap(from, failure.message)
    this.opts.log.warn('cometd replay id expired; gap reported, resubscribing from -2', {
      replayId: from,
      error: failure.message,
    })
    reply = await client.subscribe(this.opts.channel, -2)
    answer = metaReply(reply, '/meta/subscribe')
    return answer?.successful ? undefined : this.onFailure(classify(reply.status, answer))
  }

  private async poll(client: BayeuxClient): Promise<Step> {
    let first = true
    let retries = 0
    let serverTimeoutMs: number | undefined
    let intervalMs = 0
    for (;;) {
      const remaining = this.opts.deadline - Date.now()
      if (remaining <= 0 || this.received >= this.opts.maxEvents) {
        await client.disconnect()
        return done({ outcome: 'budget' })
      }
      const waitMs = Math.max(
        0,
        Math.min(this.opts.connectTimeoutMs, serverTimeoutMs || Infinity, remaining),
      )
      const polled = await client.connect(waitMs)
      const events = polled.messages.filter(
        (m) => m.channel === this.opts.channel && m.data !== undefined,
      )
      if (events.length > 0) {
        this.received += events.length
        if (!(await this.opts.onEvents(events.map(toReceived)))) {
          if (!polled.released) await client.disconnect()
          return failed(
            'intake_failed',
            'Some events could not be stored; the next run replays them from the last stored replay id.',
          )
        }
      }
      // We gave up waiting and disconnected: nothing else arrived within the connect timeout.
      if (polled.released) return done({ outcome: 'drained' })
      const reply = metaReply(polled, '/meta/connect')
      if (!reply?.successful) {
        const failure = classify(polled.status, reply)
        if (failure.action === 'retry' && retries < MAX_CONNECT_RETRIES) {
          retries += 1
          await this.pause(failure.intervalMs)
          continue
        }
        return this.onFailure(failure)
      }
      retries = 0
      if (reply.advice?.timeout !== undefined) serverTimeoutMs = reply.advice.timeout
      if (reply.advice?.interval !== undefined) intervalMs = Math.max(0, reply.advice.interval)
      if (reply.advice?.reconnect === 'handshake')
        return { kind: 'handshake', message: 'server advised a new handshake', intervalMs }
      if (reply.advice?.reconnect === 'none')
        return failed('reconnect_none', 'Salesforce advised not to reconnect.')
      // The first connect after a handshake is answered at once, events or not (CometD), so
      // only a later empty one means the backlog is drained.
      if (events.length === 0 && !first) {
        await client.disconnect()
        return done({ outcome: 'drained' })
      }
      first = false
      await this.pause(intervalMs)
    }
  }

  private onFailure(failure: Failure): Step {
    if (failure.action === 'reauth') return { kind: 'reauth', message: failure.message }
    if (failure.action === 'handshake' || failure.action === 'retry')
      return { kind: 'handshake', message: failure.message, intervalMs: failure.intervalMs }
    return failed(failure.code, failure.message)
  }

  private async pause(ms: number): Promise<void> {
    const wait = Math.min(ms, this.opts.deadline - Date.now())
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

/**
 * CometD delivers `{data: {payload, event: {replayId, EventUuid}}}`; the intake takes Apex's
 * flat JSON of the event, so the standard fields are put beside the custom ones.
 */
function toReceived(message: BayeuxMessage): ReceivedEvent {
  const data = (message.data ?? {}) as {
    payload?: Record<string, unknown>
    event?: { replayId?: unknown; EventUuid?: unknown }
  }
  const payload = data.payload ?? {}
  const replay = Number(data.event?.replayId)
  const replayId = Number.isSafeInteger(replay) ? replay : undefined
  return {
    raw: {
      ...payload,
      EventUuid: data.event?.EventUuid ?? payload.EventUuid,
      ReplayId: replayId ?? null,
    },
    replayId,
    eventAt: typeof payload.CreatedDate === 'string' ? payload.CreatedDate : undefined,
  }
}
