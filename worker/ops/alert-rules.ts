import type { AlertSettings } from '../config/types.ts'
import {
  BACKLOG_STATES,
  BACKLOG_SYSTEMS,
  backlogMetric,
  METRIC_DEFS,
  METRICS,
} from '../lib/metric-catalog.ts'
import type { MetricDef } from '../lib/metric-catalog.ts'
import type { MetricStore } from './metrics.ts'

/** A rule's condition holding for one subject now. */
export interface Firing {
  rule: string
  subject: string
  value: number
  message: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

const hours = (ms: number) => `${(ms / HOUR).toFixed(1)} h`
const minutes = (ms: number) => `${Math.round(ms / MINUTE)} min`

const def = (name: string) => METRIC_DEFS.get(name) as MetricDef

const BACKLOG_GAUGES = [
  ...BACKLOG_STATES.flatMap((s) => BACKLOG_SYSTEMS.map((sys) => backlogMetric(s, sys))),
  METRICS.outbox.name,
  METRICS.writerPending.name,
]

/**
 * The SLA rules, each read from the roll-ups the metrics object already keeps (never a scan of
 * the ledgers). Thresholds come from config (`ALERT_*`, README "SLA alerts"). A rule answers
 * one firing per subject: an account, a backlog, the org.
 */
export function evaluateRules(store: MetricStore, s: AlertSettings, now: number): Firing[] {
  const firings: Firing[] = []
  for (const p of store.gaugeParts(METRICS.oldestOpen, now))
    if (p.value > s.amendmentMinutes * MINUTE)
      firings.push({
        rule: 'amendment_not_applied',
        subject: p.subject,
        value: p.value,
        message: `Account ${p.subject} has an amendment not applied after ${minutes(p.value)} (limit ${s.amendmentMinutes} min).`,
      })
  for (const name of BACKLOG_GAUGES) {
    const v = store.gaugeNow(def(name), now)
    if (v > s.backlogMax)
      firings.push({
        rule: 'backlog_high',
        subject: name,
        value: v,
        message: `Backlog ${def(name).label}: ${v} (limit ${s.backlogMax}).`,
      })
  }
  for (const p of store.gaugeParts(METRICS.oldestParked, now))
    if (p.value > s.parkedHours * HOUR)
      firings.push({
        rule: 'parked_too_long',
        subject: p.subject,
        value: p.value,
        message: `Account ${p.subject} has a finance exception parked for ${hours(p.value)} (limit ${s.parkedHours} h).`,
      })
  const cursorAge = store.gaugeNow(METRICS.cursor, now)
  if (cursorAge > s.cursorHours * HOUR)
    firings.push({
      rule: 'cursor_old',
      subject: 'org',
      value: cursorAge,
      message: `The CometD cursor is ${hours(cursorAge)} old (limit ${s.cursorHours} h; Salesforce keeps events 72 h).`,
    })
  const share = store.gaugeNow(METRICS.apiShare, now)
  if (share > s.apiSharePercent)
    firings.push({
      rule: 'api_share_high',
      subject: 'org',
      value: share,
      message: `Concord has used ${share.toFixed(1)}% of the org's daily API requests (limit ${s.apiSharePercent}%).`,
    })
  return firings
}
