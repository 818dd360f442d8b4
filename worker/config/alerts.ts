import * as z from 'zod/mini'
import { ConfigError } from '../errors.ts'
import type { AlertSettings, AlertWebhook, Section } from './types.ts'

const int = (fallback: number, min: number, max: number) =>
  z._default(
    z.pipe(
      z.string(),
      z.transform((v, ctx) => {
        const n = Number(v)
        if (!Number.isInteger(n) || n < min || n > max) {
          ctx.issues.push({
            code: 'custom',
            input: v,
            message: `must be a whole number from ${min} to ${max}`,
          })
          return z.NEVER
        }
        return n
      }),
    ),
    fallback,
  )

/**
 * SLA alert rules and their webhook (README, "SLA alerts"). Thresholds have defaults; the
 * webhook is its own section, so a half-set webhook is reported (banner, logs) while the rules
 * still run and still show in the console.
 */
export const AlertVars = z.object({
  ALERT_AMENDMENT_MINUTES: int(30, 1, 10_080),
  ALERT_BACKLOG_MAX: int(100, 1, 10_000_000),
  ALERT_PARKED_HOURS: int(24, 1, 8_760),
  ALERT_CURSOR_HOURS: int(48, 1, 72),
  ALERT_API_SHARE_PERCENT: int(80, 1, 100),
  METRICS_FLUSH_MS: int(5_000, 10, 60_000),
})

export const AlertWebhookVars = z.object({
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }),
  ALERT_WEBHOOK_SECRET: z.string().check(z.minLength(32, 'must be at least 32 characters')),
})

type Vars = Record<string, unknown>

const problemsOf = (error: z.core.$ZodError) =>
  error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)

function webhookSection(env: Vars): Section<AlertWebhook> {
  const set = ['ALERT_WEBHOOK_URL', 'ALERT_WEBHOOK_SECRET'].filter(
    (k) => typeof env[k] === 'string' && env[k].trim() !== '',
  )
  if (set.length === 0) return { status: 'absent' }
  const parsed = z.safeParse(AlertWebhookVars, env)
  if (!parsed.success) return { status: 'invalid', problems: problemsOf(parsed.error) }
  return {
    status: 'ok',
    settings: { url: parsed.data.ALERT_WEBHOOK_URL, secret: parsed.data.ALERT_WEBHOOK_SECRET },
  }
}

/**
 * The alert thresholds and webhook, and the metrics batching interval.
 * @throws ConfigError naming every bad threshold (never a secret's value).
 */
export function alertSettings(env: Vars): { alerts: AlertSettings; metricsFlushMs: number } {
  const parsed = z.safeParse(AlertVars, env)
  if (!parsed.success)
    throw new ConfigError(`invalid alert configuration: ${problemsOf(parsed.error).join('; ')}`)
  const v = parsed.data
  return {
    metricsFlushMs: v.METRICS_FLUSH_MS,
    alerts: {
      amendmentMinutes: v.ALERT_AMENDMENT_MINUTES,
      backlogMax: v.ALERT_BACKLOG_MAX,
      parkedHours: v.ALERT_PARKED_HOURS,
      cursorHours: v.ALERT_CURSOR_HOURS,
      apiSharePercent: v.ALERT_API_SHARE_PERCENT,
      webhook: webhookSection(env),
    },
  }
}
