import * as z from 'zod/mini'
import { parseOrThrow, webhookSection, wholeNumber, type Vars } from './parse.ts'
import type { AlertSettings } from './types.ts'

/**
 * SLA alert rules and their webhook (README, "SLA alerts"). Thresholds have defaults; the
 * webhook is its own section, so a half-set webhook is reported (banner, logs) while the rules
 * still run and still show in the console.
 */
export const AlertVars = z.object({
  ALERT_AMENDMENT_MINUTES: wholeNumber(30, 1, 10_080),
  ALERT_BACKLOG_MAX: wholeNumber(100, 1, 10_000_000),
  ALERT_PARKED_HOURS: wholeNumber(24, 1, 8_760),
  ALERT_CURSOR_HOURS: wholeNumber(48, 1, 72),
  ALERT_API_SHARE_PERCENT: wholeNumber(80, 1, 100),
  METRICS_FLUSH_MS: wholeNumber(5_000, 10, 60_000),
})

/**
 * The alert thresholds and webhook, and the metrics batching interval.
 * @throws ConfigError naming every bad threshold (never a secret's value).
 */
export function alertSettings(env: Vars): { alerts: AlertSettings; metricsFlushMs: number } {
  const v = parseOrThrow(AlertVars, env, 'alert configuration')
  return {
    metricsFlushMs: v.METRICS_FLUSH_MS,
    alerts: {
      amendmentMinutes: v.ALERT_AMENDMENT_MINUTES,
      backlogMax: v.ALERT_BACKLOG_MAX,
      parkedHours: v.ALERT_PARKED_HOURS,
      cursorHours: v.ALERT_CURSOR_HOURS,
      apiSharePercent: v.ALERT_API_SHARE_PERCENT,
      webhook: webhookSection(env, 'ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SECRET'),
    },
  }
}
