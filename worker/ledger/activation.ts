import type { ActivationRule, Amendment } from '../../shared/index.ts'
import type { Logger } from '../lib/log.ts'
import { METRICS } from '../lib/metric-catalog.ts'
import type { MetricPort } from '../lib/metrics.ts'

/*
 * Activation (README, "Activation"): each subscription's rule, the moment it holds, and the one
 * activation it then gets. The decision and the outbox rows are written together, with no await
 * between them, so a retry, a restart or a duplicate webhook finds the subscription activated and
 * adds nothing: `activated_at IS NULL` is the guard, the outbox is keyed by subscription.
 */

/** Ledger migration 9 (appended to `LEDGER_MIGRATIONS`). */
export const ACTIVATION_MIGRATION = `
  CREATE TABLE activation (
    subscription_key TEXT PRIMARY KEY,
    rule TEXT NOT NULL CHECK (rule IN ('on_create', 'on_first_invoice_paid', 'manual')),
    correlation_id TEXT NOT NULL,
    committed_at INTEGER,
    requested_by TEXT,
    requested_at INTEGER,
    activated_at INTEGER,
    activation_id TEXT
  );
  CREATE TABLE activation_outbox (
    subscription_key TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('salesforce', 'webhook')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'parked', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (subscription_key, channel)
  );
  CREATE INDEX activation_outbox_due ON activation_outbox (state, not_before);
`

export type ActivationRow = {
  subscription_key: string
  rule: ActivationRule
  correlation_id: string
  committed_at: number | null
  requested_by: string | null
  requested_at: number | null
  activated_at: number | null
  activation_id: string | null
}

/** One subscription's activation as operators and the API see it. */
export interface ActivationView {
  subscriptionKey: string
  rule: ActivationRule
  correlationId: string
  billingSubscriptionId?: string
  requestedBy?: string
  requestedAt?: string
  activatedAt?: string
  activationId?: string
  /** Each delivery channel's state (absent before activation). */
  deliveries: Array<{
    channel: 'salesforce' | 'webhook'
    state: 'pending' | 'parked' | 'sent'
    attempts: number
    lastError?: string
  }>
}

export type ActivationRequestResult =
  | {
      status: 'requested' | 'already_requested' | 'already_activated' | 'redelivering'
      activation: ActivationView
    }
  | { status: 'not_found' | 'refused'; code: string; message: string }

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString())

/**
 * A create brings its subscription's rule (its own, else the configured default); the first
 * create of a key wins, so a replayed or re-sent create changes nothing.
 */
export function recordActivationRule(sql: SqlStorage, a: Amendment, defaultRule: ActivationRule) {
  if (a.action !== 'create') return
  sql.exec(
    'INSERT OR IGNORE INTO activation (subscription_key, rule, correlation_id, committed_at) VALUES (?, ?, ?, ?)',
    a.subscriptionKey,
    a.activationRule ?? defaultRule,
    a.correlationId,
    Date.parse(a.createdAt),
  )
}

function row(sql: SqlStorage, key: string): ActivationRow | undefined {
  return sql
    .exec<ActivationRow>('SELECT * FROM activation WHERE subscription_key = ?', key)
    .toArray()[0]
}

/** The billing subscription behind a key, once billing has one (a schedule is not one yet). */
function billingSubscriptionOf(sql: SqlStorage, key: string): string | undefined {
  const id = sql
    .exec<{ id: string | null }>(
      'SELECT billing_subscription_id AS id FROM subscription WHERE key = ?',
      key,
    )
    .toArray()[0]?.id
  return id && !id.startsWith('sub_sched_') ? id : undefined
}

/** Whether billing's first invoice of the subscription (the one its creation made) is paid. */
function firstInvoicePaid(sql: SqlStorage, billingSubscriptionId: string): boolean {
  return (
    sql
      .exec(
        `SELECT 1 FROM fin_doc WHERE kind = 'invoice' AND status = 'paid'
           AND json_extract(doc, '$.subscriptionId') = ?
           AND json_extract(doc, '$.billingReason') = 'subscription_create' LIMIT 1`,
        billingSubscriptionId,
      )
      .toArray().length > 0
  )
}

/** Whether the subscription's rule holds now. Never before billing has the subscription. */
function holds(sql: SqlStorage, a: ActivationRow): boolean {
  const billingId = billingSubscriptionOf(sql, a.subscription_key)
  if (!billingId) return false
  if (a.rule === 'on_create') {
    const applied = sql
      .exec<{ n: number }>(
        'SELECT applied_sequence AS n FROM subscription WHERE key = ?',
        a.subscription_key,
      )
      .one().n
    return applied >= 1
  }
  if (a.rule === 'on_first_invoice_paid') return firstInvoicePaid(sql, billingId)
  return a.requested_at !== null
}

/**
 * Activates, once each, every subscription whose rule holds now: records the time and an id the
 * receivers dedupe on, queues the platform event and the webhook (one outbox row per channel),
 * and measures the order activation time from the create's Salesforce commit. Returns the keys
 * activated now (their mirrors show the time).
 */
export function activateDue(
  sql: SqlStorage,
  deps: { metrics: MetricPort; log: Logger; webhook: boolean },
  now = Date.now(),
): string[] {
  const waiting = sql
    .exec<ActivationRow>('SELECT * FROM activation WHERE activated_at IS NULL')
    .toArray()
  const activated: string[] = []
  for (const a of waiting) {
    if (!holds(sql, a)) continue
    const won =
      sql.exec(
        'UPDATE activation SET activated_at = ?, activation_id = ? WHERE subscription_key = ? AND activated_at IS NULL',
        now,
        crypto.randomUUID(),
        a.subscription_key,
      ).rowsWritten === 1
    if (!won) continue
    const channels = deps.webhook ? ['salesforce', 'webhook'] : ['salesforce']
    for (const channel of channels)
      sql.exec(
        `INSERT OR IGNORE INTO activation_outbox (subscription_key, channel, state, updated_at) VALUES (?, ?, 'pending', ?)`,
        a.subscription_key,
        channel,
        now,
      )
    audit(sql, a, 'activated', 'concord', { rule: a.rule })
    if (a.committed_at !== null && Number.isFinite(a.committed_at))
      deps.metrics.observe(METRICS.activation.name, Math.max(0, now - a.committed_at), now)
    deps.log.info('subscription activated', {
      subscriptionKey: a.subscription_key,
      rule: a.rule,
      correlationId: a.correlation_id,
    })
    activated.push(a.subscription_key)
  }
  return activated
}

function audit(
  sql: SqlStorage,
  a: ActivationRow,
  action: string,
  actor: string,
  detail: Record<string, string>,
): void {
  // On the create's audit trail, so its amendment page and trace show the activation.
  const create = sql
    .exec<{ id: string }>(
      "SELECT id FROM amendment WHERE subscription_key = ? AND action = 'create' LIMIT 1",
      a.subscription_key,
    )
    .toArray()[0]?.id
  sql.exec(
    'INSERT INTO audit (at, actor, action, amendment_id, correlation_id, detail) VALUES (?, ?, ?, ?, ?, ?)',
    new Date().toISOString(),
    actor,
    action,
    create ?? null,
    a.correlation_id,
    JSON.stringify({ subscriptionKey: a.subscription_key, ...detail }),
  )
}

/**
 * A person asks to activate a subscription (rule `manual`): refused unless billing has the
 * subscription and its rule is manual. Asked again after activation, a parked webhook delivery
 * is put back in line (same activation id: the receiver dedupes), never a second activation.
 */
export function requestActivation(
  sql: SqlStorage,
  key: string,
  actor: string,
  now = Date.now(),
): ActivationRequestResult {
  const a = row(sql, key)
  if (!a)
    return {
      status: 'not_found',
      code: 'unknown_subscription',
      message: `No create of subscription ${key} has reached this account's ledger.`,
    }
  if (a.activated_at !== null) {
    const redelivered = sql.exec(
      `UPDATE activation_outbox SET state = 'pending', attempts = 0, not_before = 0, updated_at = ?
       WHERE subscription_key = ? AND state = 'parked'`,
      now,
      key,
    ).rowsWritten
    if (redelivered > 0) audit(sql, a, 'activation_redelivery', actor, {})
    const status = redelivered > 0 ? 'redelivering' : 'already_activated'
    return { status, activation: activationView(sql, key) as ActivationView }
  }
  if (a.rule !== 'manual')
    return {
      status: 'refused',
      code: 'not_manual',
      message: `Subscription ${key} activates ${a.rule}, not on request.`,
    }
  if (!billingSubscriptionOf(sql, key))
    return {
      status: 'refused',
      code: 'not_in_billing',
      message: `Subscription ${key} does not exist in billing yet; it can be activated once its create is billed.`,
    }
  if (a.requested_at !== null)
    return { status: 'already_requested', activation: activationView(sql, key) as ActivationView }
  sql.exec(
    'UPDATE activation SET requested_by = ?, requested_at = ? WHERE subscription_key = ?',
    actor,
    now,
    key,
  )
  audit(sql, a, 'activation_requested', actor, {})
  return { status: 'requested', activation: activationView(sql, key) as ActivationView }
}

/** One subscription's activation and its deliveries; undefined when no create recorded a rule. */
export function activationView(sql: SqlStorage, key: string): ActivationView | undefined {
  const a = row(sql, key)
  if (!a) return undefined
  const deliveries = sql
    .exec<{
      channel: 'salesforce' | 'webhook'
      state: 'pending' | 'parked' | 'sent'
      attempts: number
      last_error: string | null
    }>(
      'SELECT channel, state, attempts, last_error FROM activation_outbox WHERE subscription_key = ? ORDER BY channel',
      key,
    )
    .toArray()
    .map((d) => ({
      channel: d.channel,
      state: d.state,
      attempts: d.attempts,
      lastError: d.last_error ?? undefined,
    }))
  return {
    subscriptionKey: a.subscription_key,
    rule: a.rule,
    correlationId: a.correlation_id,
    billingSubscriptionId: billingSubscriptionOf(sql, key),
    requestedBy: a.requested_by ?? undefined,
    requestedAt: iso(a.requested_at),
    activatedAt: iso(a.activated_at),
    activationId: a.activation_id ?? undefined,
    deliveries,
  }
}

/** The activation time and rule a subscription's mirror shows. */
export function mirrorActivation(
  sql: SqlStorage,
  key: string,
): { rule: ActivationRule; activatedAt?: string } | undefined {
  const a = row(sql, key)
  return a ? { rule: a.rule, activatedAt: iso(a.activated_at) } : undefined
}
