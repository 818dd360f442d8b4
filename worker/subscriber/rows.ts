/** The subscriber's stored rows and their views, shared by the store and the status read. */
export type RunOutcome = 'drained' | 'budget' | 'failed' | 'interrupted'
export type IntakeCounts = {
  received: number
  queued: number
  duplicate: number
  rejected: number
  failed: number
}

/** What operators see of the subscriber's runs and gaps, mapped from its rows. */

export interface RunView {
  id: number
  trigger: string
  startedAt: string
  finishedAt?: string
  outcome?: RunOutcome
  fromReplayId?: number
  toReplayId?: number
  counts: IntakeCounts
  handshakes: number
  error?: { code: string; message: string }
}

export interface GapView {
  id: number
  channel: string
  detectedAt: string
  afterReplayId: number
  afterEventAt?: string
  resumedReplayId?: number
  resumedEventAt?: string
  serverError: string
  acknowledgedAt?: string
  acknowledgedBy?: string
}

export type RunRow = {
  id: number
  trigger: string
  started_at: string
  finished_at: string | null
  outcome: RunOutcome | null
  from_replay_id: number | null
  to_replay_id: number | null
  received: number
  queued: number
  duplicate: number
  rejected: number
  failed: number
  handshakes: number
  error_code: string | null
  error_message: string | null
}

export type GapRow = {
  id: number
  channel: string
  detected_at: string
  after_replay_id: number
  after_event_at: string | null
  resumed_replay_id: number | null
  resumed_event_at: string | null
  server_error: string
  acknowledged_at: string | null
  acknowledged_by: string | null
}

export const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v)

export function toRun(r: RunRow): RunView {
  return {
    id: r.id,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: opt(r.finished_at),
    outcome: opt(r.outcome),
    fromReplayId: opt(r.from_replay_id),
    toReplayId: opt(r.to_replay_id),
    counts: {
      received: r.received,
      queued: r.queued,
      duplicate: r.duplicate,
      rejected: r.rejected,
      failed: r.failed,
    },
    handshakes: r.handshakes,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : undefined,
  }
}

export function toGap(r: GapRow): GapView {
  return {
    id: r.id,
    channel: r.channel,
    detectedAt: r.detected_at,
    afterReplayId: r.after_replay_id,
    afterEventAt: opt(r.after_event_at),
    resumedReplayId: opt(r.resumed_replay_id),
    resumedEventAt: opt(r.resumed_event_at),
    serverError: r.server_error,
    acknowledgedAt: opt(r.acknowledged_at),
    acknowledgedBy: opt(r.acknowledged_by),
  }
}
