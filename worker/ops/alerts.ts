import type { AlertSettings, AlertWebhook } from '../config/types.ts'
import { postSignedWebhook } from '../connectors/signed-webhook.ts'
import { decide, type Failure } from '../failure/policy.ts'
import type { Logger } from '../lib/log.ts'
import { evaluateRules, type Firing } from './alert-rules.ts'
import type { MetricStore } from './metrics.ts'

/** An alert as the console shows it. */
export interface Alert {
  id: number
  rule: string
  subject: string
  state: 'open' | 'resolved'
  message: string
  value: number
  openedAt: string
  resolvedAt?: string
}

export const ALERT_MIGRATIONS = `
  CREATE TABLE alert (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    message TEXT NOT NULL,
    value REAL NOT NULL,
    opened_at INTEGER NOT NULL,
    resolved_at INTEGER
  );
  CREATE UNIQUE INDEX alert_open ON alert (rule, subject) WHERE state = 'open';
  CREATE TABLE alert_delivery (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id INTEGER NOT NULL,
    event TEXT NOT NULL CHECK (event IN ('opened', 'resolved')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
    last_error TEXT,
    done_at INTEGER
  );
  CREATE INDEX alert_delivery_due ON alert_delivery (state, not_before);
`

/** Resolved alerts and finished deliveries are kept this long. */
export const ALERT_RETENTION_MS = 30 * 86_400_000
/** Deliveries retried this many times (full-jitter backoff) before they are dead-lettered. */
export const DELIVERY_MAX_ATTEMPTS = 12
const DELIVERY_BASE_MS = 5_000
const DELIVERY_CAP_MS = 15 * 60_000

/** The headers of a signed alert (README, "SLA alerts"). */
export const SIGNATURE_HEADER = 'X-Concord-Alert-Signature'
export const TIMESTAMP_HEADER = 'X-Concord-Alert-Timestamp'

type AlertRow = {
  id: number
  rule: string
  subject: string
  state: 'open' | 'resolved'
  message: string
  value: number
  opened_at: number
  resolved_at: number | null
}

const toAlert = (r: AlertRow): Alert => ({
  id: r.id,
  rule: r.rule,
  subject: r.subject,
  state: r.state,
  message: r.message,
  value: r.value,
  openedAt: new Date(r.opened_at).toISOString(),
  resolvedAt: r.resolved_at === null ? undefined : new Date(r.resolved_at).toISOString(),
})

/** A failed alert delivery, for the exception work queue. */
export interface TroubledDelivery {
  id: number
  rule: string
  subject: string
  state: 'pending' | 'dead'
  attempts: number
  nextAttemptAt?: string
  /** `<code>: <message>` of the last failure. */
  lastError: string
  /** When the alert opened. */
  since: string
}

/** The Slack-compatible body (`text` for notifications, `blocks` for the message). */
export function slackBody(alert: Alert, event: 'opened' | 'resolved'): string {
  const head = event === 'opened' ? 'Concord alert' : 'Concord alert resolved'
  const when = event === 'opened' ? `since ${alert.openedAt}` : `resolved ${alert.resolvedAt}`
  return JSON.stringify({
    text: `${head}: ${alert.message}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${head}*\n${alert.message}` } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `rule \`${alert.rule}\` · subject \`${alert.subject}\` · ${when}`,
          },
        ],
      },
    ],
  })
}

/**
 * SLA alerts: rules evaluated on the metrics object's alarm, one open alert per rule and
 * subject (opened once, updated while it holds, resolved when it clears), each change queued as
 * a delivery and posted, signed, to the webhook with the one failure policy's retries.
 */
export class AlertDesk {
  private readonly sql: SqlStorage
  private readonly deps: { fetch: typeof fetch; log: Logger }

  constructor(sql: SqlStorage, deps: { fetch: typeof fetch; log: Logger }) {
    this.sql = sql
    this.deps = deps
  }

  /** Opens, updates and resolves alerts from the rules; returns what changed. */
  evaluate(
    store: MetricStore,
    settings: AlertSettings,
    now: number,
  ): { opened: number; resolved: number } {
    const firing = new Map<string, Firing>()
    for (const f of evaluateRules(store, settings, now))
      firing.set(`${f.rule}\u0000${f.subject}`, f)
    let resolved = 0
    for (const a of this.open()) {
      const key = `${a.rule}\u0000${a.subject}`
      const f = firing.get(key)
      if (f) {
        this.sql.exec(
          'UPDATE alert SET message = ?, value = ? WHERE id = ?',
          f.message,
          f.value,
          a.id,
        )
        firing.delete(key)
        continue
      }
      this.sql.exec("UPDATE alert SET state = 'resolved', resolved_at = ? WHERE id = ?", now, a.id)
      this.queue(a.id, 'resolved', now, settings)
      resolved++
    }
    for (const f of firing.values()) {
      const id = this.sql
        .exec<{ id: number }>(
          "INSERT INTO alert (rule, subject, state, message, value, opened_at) VALUES (?, ?, 'open', ?, ?, ?) RETURNING id",
          f.rule,
          f.subject,
          f.message,
          f.value,
          now,
        )
        .one().id
      this.queue(id, 'opened', now, settings)
    }
    return { opened: firing.size, resolved }
  }

  private queue(
    alertId: number,
    event: 'opened' | 'resolved',
    now: number,
    s: AlertSettings,
  ): void {
    if (s.webhook.status !== 'ok') return
    this.sql.exec(
      "INSERT INTO alert_delivery (alert_id, event, not_before, state) VALUES (?, ?, ?, 'pending')",
      alertId,
      event,
      now,
    )
  }

  open(): Alert[] {
    return this.sql
      .exec<AlertRow>("SELECT * FROM alert WHERE state = 'open' ORDER BY opened_at, id")
      .toArray()
      .map(toAlert)
  }

  recent(limit: number): Alert[] {
    return this.sql
      .exec<AlertRow>('SELECT * FROM alert ORDER BY id DESC LIMIT ?', limit)
      .toArray()
      .map(toAlert)
  }

  /** When the next pending delivery is due, if any. */
  nextDeliveryAt(): number | undefined {
    return (
      this.sql
        .exec<{ t: number | null }>(
          "SELECT MIN(not_before) AS t FROM alert_delivery WHERE state = 'pending'",
        )
        .one().t ?? undefined
    )
  }

  /** Posts the due deliveries, oldest first; a failure is rescheduled or dead-lettered. */
  async deliver(webhook: AlertWebhook, now: number): Promise<void> {
    const due = this.sql
      .exec<{ id: number; alert_id: number; event: 'opened' | 'resolved'; attempts: number }>(
        "SELECT id, alert_id, event, attempts FROM alert_delivery WHERE state = 'pending' AND not_before <= ? ORDER BY id LIMIT 20",
        now,
      )
      .toArray()
    for (const d of due) {
      const row = this.sql.exec<AlertRow>('SELECT * FROM alert WHERE id = ?', d.alert_id).one()
      const failure = await postSignedWebhook({
        system: 'alert_webhook',
        url: webhook.url,
        secret: webhook.secret,
        timestampHeader: TIMESTAMP_HEADER,
        signatureHeader: SIGNATURE_HEADER,
        body: slackBody(toAlert(row), d.event),
        fetch: this.deps.fetch,
      })
      if (!failure) {
        this.sql.exec(
          "UPDATE alert_delivery SET state = 'sent', attempts = attempts + 1, done_at = ?, last_error = NULL WHERE id = ?",
          Date.now(),
          d.id,
        )
        continue
      }
      this.settleFailure(d.id, d.attempts + 1, failure)
    }
  }

  private settleFailure(id: number, attempt: number, failure: Failure): void {
    const decision = decide(failure, {
      attempt,
      maxAttempts: DELIVERY_MAX_ATTEMPTS,
      baseMs: DELIVERY_BASE_MS,
      capMs: DELIVERY_CAP_MS,
      refused: 'dead_letter',
    })
    const error = `${failure.code}: ${failure.message}`
    if (decision.action === 'retry') {
      this.sql.exec(
        'UPDATE alert_delivery SET attempts = ?, not_before = ?, last_error = ? WHERE id = ?',
        attempt,
        decision.at,
        error,
        id,
      )
      return
    }
    this.deps.log.warn('alert delivery given up', { deliveryId: id, code: decision.code })
    this.sql.exec(
      "UPDATE alert_delivery SET state = 'dead', attempts = ?, last_error = ?, done_at = ? WHERE id = ?",
      attempt,
      `${decision.code}: ${decision.message}`,
      Date.now(),
      id,
    )
  }

  /** Deliveries by state, for the console and tests. */
  deliveries(): Array<{
    id: number
    alertId: number
    event: string
    state: string
    attempts: number
    lastError?: string
  }> {
    return this.sql
      .exec<{
        id: number
        alert_id: number
        event: string
        state: string
        attempts: number
        last_error: string | null
      }>('SELECT id, alert_id, event, state, attempts, last_error FROM alert_delivery ORDER BY id')
      .toArray()
      .map((d) => ({
        id: d.id,
        alertId: d.alert_id,
        event: d.event,
        state: d.state,
        attempts: d.attempts,
        lastError: d.last_error ?? undefined,
      }))
  }

  /**
   * Deliveries that failed: given up (`dead`, kept for the retention) or waiting on a retry
   * (`pending` after an attempt), oldest first; for the exception work queue.
   */
  troubled(limit: number): TroubledDelivery[] {
    return this.sql
      .exec<{
        id: number
        rule: string
        subject: string
        state: 'pending' | 'dead'
        attempts: number
        not_before: number
        last_error: string | null
        opened_at: number
      }>(
        `SELECT d.id, a.rule, a.subject, d.state, d.attempts, d.not_before, d.last_error, a.opened_at
         FROM alert_delivery d JOIN alert a ON a.id = d.alert_id
         WHERE d.state = 'dead' OR (d.state = 'pending' AND d.attempts > 0) ORDER BY d.id LIMIT ?`,
        limit,
      )
      .toArray()
      .map((d) => ({
        id: d.id,
        rule: d.rule,
        subject: d.subject,
        state: d.state,
        attempts: d.attempts,
        nextAttemptAt: d.state === 'pending' ? new Date(d.not_before).toISOString() : undefined,
        lastError: d.last_error ?? 'unknown: no error kept',
        since: new Date(d.opened_at).toISOString(),
      }))
  }

  prune(now: number): void {
    const cutoff = now - ALERT_RETENTION_MS
    this.sql.exec("DELETE FROM alert_delivery WHERE state != 'pending' AND done_at < ?", cutoff)
    this.sql.exec(
      "DELETE FROM alert WHERE state = 'resolved' AND resolved_at < ? AND id NOT IN (SELECT alert_id FROM alert_delivery)",
      cutoff,
    )
  }
}
