import type { SubscriberStore } from './store.ts'
import { type GapView, type RunView } from './rows.ts'
export interface SubscriberStatus {
  channel: string
  /** `failing`: the last run failed (see `lastError`); `gap`: events were lost, see `gaps`. */
  health: 'ok' | 'failing' | 'gap' | 'never_run'
  running: boolean
  nextRunAt?: string
  /** The replay id the next run subscribes after (-2: everything retained). */
  replayId?: number
  /** CreatedDate of the last event stored. */
  lastEventAt?: string
  consecutiveFailures: number
  lastRun?: RunView
  lastError?: { at: string; code: string; message: string }
  recentRuns: RunView[]
  openGaps: number
  gaps: GapView[]
  totals: Record<string, number>
}

/** The operator's view: health first, then where the cursor is, recent runs, gaps and totals. */
export function readStatus(
  store: SubscriberStore,
  opts: { channel: string; running: boolean; alarmAt: number | null },
): SubscriberStatus {
  const cursor = store.cursor(opts.channel)
  const recentRuns = store.runs(10)
  const finished = recentRuns.filter((r) => r.finishedAt)
  const failed = finished.find((r) => r.error)
  const failures = store.failures()
  const openGaps = store.openGaps()
  return {
    channel: opts.channel,
    health:
      failures > 0 ? 'failing' : openGaps > 0 ? 'gap' : finished.length > 0 ? 'ok' : 'never_run',
    running: opts.running,
    nextRunAt: opts.alarmAt === null ? undefined : new Date(opts.alarmAt).toISOString(),
    replayId: cursor?.replayId,
    lastEventAt: cursor?.eventAt,
    consecutiveFailures: failures,
    lastRun: finished[0],
    lastError: failed?.error
      ? { at: failed.finishedAt ?? failed.startedAt, ...failed.error }
      : undefined,
    recentRuns,
    openGaps,
    gaps: store.gaps(20),
    totals: store.totals(),
  }
}
