import type { AlertWebhook, Section } from '../config/types.ts'
import { postSignedWebhook } from '../connectors/signed-webhook.ts'
import { decide, type Failure } from '../failure/policy.ts'
import { errorFields, type Logger } from '../lib/log.ts'
import { activationEventRecord } from '../writer/records/index.ts'
import type { RecordSink } from '../writer/types.ts'
import type { ActivationRow } from './activation.ts'
import type { ExceptionEntry } from './journal.ts'

/** The headers of a signed activation (README, "Activation"). */
export const ACTIVATION_ID_HEADER = 'X-Concord-Activation-Id'
export const ACTIVATION_TIMESTAMP_HEADER = 'X-Concord-Activation-Timestamp'
export const ACTIVATION_SIGNATURE_HEADER = 'X-Concord-Activation-Signature'

/** The exception-index entries of activations are filed under this action (`ops/work-items.ts`). */
export const ACTIVATION_ACTION = 'activation'

const HANDOVER_RETRY_MS = 5_000
const MISCONFIGURED_RETRY_MS = 60_000
const PER_RUN = 20

export interface ActivationDeliveryDeps {
  sql: SqlStorage
  accountId: string
  /** The org's OrgWriter: publishes `Concord_Activation__e` in its Composite calls. */
  writer: RecordSink
  webhook: Section<AlertWebhook>
  /** Webhook attempts before a delivery is parked. */
  maxAttempts: number
  retryBaseMs: number
  retryCapMs: number
  fetch: typeof fetch
  log: Logger
}

type DueRow = ActivationRow & { attempts: number; last_error: string | null }

function due(sql: SqlStorage, channel: 'salesforce' | 'webhook', now: number): DueRow[] {
  return sql
    .exec<DueRow>(
      `SELECT a.*, o.attempts, o.last_error FROM activation_outbox o JOIN activation a USING (subscription_key)
       WHERE o.channel = ? AND o.state = 'pending' AND o.not_before <= ? ORDER BY o.updated_at LIMIT ?`,
      channel,
      now,
      PER_RUN,
    )
    .toArray()
}

/** The webhook's body: what activated, when, why, and the id a receiver dedupes on. */
export function activationBody(a: ActivationRow, accountId: string, billingId?: string): string {
  return JSON.stringify({
    id: a.activation_id,
    type: 'subscription.activated',
    data: {
      subscriptionKey: a.subscription_key,
      accountId,
      billingSubscriptionId: billingId,
      rule: a.rule,
      activatedAt: new Date(a.activated_at ?? 0).toISOString(),
      correlationId: a.correlation_id,
    },
  })
}

/**
 * Sends what activations are owed: the platform event to the OrgWriter (durable once handed
 * over; the writer retries or parks it) and the signed webhook, retried by the one failure
 * policy and parked after its budget (the exception work queue lists it). Returns when the
 * outbox next needs attention.
 */
export async function deliverActivations(d: ActivationDeliveryDeps): Promise<number | undefined> {
  const now = Date.now()
  await handToWriter(d, now)
  await postWebhooks(d, now)
  return (
    d.sql
      .exec<{ t: number | null }>(
        "SELECT MIN(not_before) AS t FROM activation_outbox WHERE state = 'pending'",
      )
      .one().t ?? undefined
  )
}

async function handToWriter(d: ActivationDeliveryDeps, now: number): Promise<void> {
  const rows = due(d.sql, 'salesforce', now)
  if (rows.length === 0) return
  const records = rows.map((a) =>
    activationEventRecord({
      subscriptionKey: a.subscription_key,
      accountId: d.accountId,
      rule: a.rule,
      activatedAt: a.activated_at ?? now,
      correlationId: a.correlation_id,
    }),
  )
  let state = "state = 'sent', last_error = NULL"
  try {
    await d.writer.enqueue(records)
  } catch (err) {
    d.log.warn('handing activations to the OrgWriter failed; will retry', errorFields(err))
    state = `attempts = attempts + 1, not_before = ${now + HANDOVER_RETRY_MS}`
  }
  for (const a of rows)
    d.sql.exec(
      `UPDATE activation_outbox SET ${state}, updated_at = ? WHERE subscription_key = ? AND channel = 'salesforce'`,
      Date.now(),
      a.subscription_key,
    )
}

async function postWebhooks(d: ActivationDeliveryDeps, now: number): Promise<void> {
  const rows = due(d.sql, 'webhook', now)
  if (rows.length === 0) return
  const hook = d.webhook
  if (hook.status !== 'ok') {
    // Set when the activation was decided, since changed: fixing the config resumes delivery.
    d.log.warn('provisioning webhook is not configured correctly; activations wait', {
      problems: hook.status === 'invalid' ? hook.problems : ['absent'],
    })
    for (const a of rows) reschedule(d.sql, a.subscription_key, now + MISCONFIGURED_RETRY_MS)
    return
  }
  for (const a of rows) {
    const billingId = d.sql
      .exec<{ id: string | null }>(
        'SELECT billing_subscription_id AS id FROM subscription WHERE key = ?',
        a.subscription_key,
      )
      .toArray()[0]?.id
    const body = activationBody(a, d.accountId, billingId ?? undefined)
    const failure = await postSignedWebhook({
      system: 'provisioning_webhook',
      url: hook.settings.url,
      secret: hook.settings.secret,
      timestampHeader: ACTIVATION_TIMESTAMP_HEADER,
      signatureHeader: ACTIVATION_SIGNATURE_HEADER,
      headers: { [ACTIVATION_ID_HEADER]: a.activation_id ?? '' },
      body,
      fetch: d.fetch,
    })
    if (!failure) {
      d.sql.exec(
        `UPDATE activation_outbox SET state = 'sent', attempts = attempts + 1, last_error = NULL, updated_at = ?
         WHERE subscription_key = ? AND channel = 'webhook'`,
        Date.now(),
        a.subscription_key,
      )
      if (a.last_error !== null) queueIndex(d, a, 'applied', null, null)
      continue
    }
    settleFailure(d, a, failure)
  }
}

function reschedule(sql: SqlStorage, key: string, at: number): void {
  sql.exec(
    "UPDATE activation_outbox SET not_before = ? WHERE subscription_key = ? AND channel = 'webhook'",
    at,
    key,
  )
}

function settleFailure(d: ActivationDeliveryDeps, a: DueRow, failure: Failure): void {
  const attempt = a.attempts + 1
  const decision = decide(failure, {
    attempt,
    maxAttempts: d.maxAttempts,
    baseMs: d.retryBaseMs,
    capMs: d.retryCapMs,
    refused: 'park',
  })
  const error = `${failure.code}: ${failure.message}`
  if (decision.action === 'retry') {
    d.sql.exec(
      `UPDATE activation_outbox SET attempts = ?, not_before = ?, last_error = ?, updated_at = ?
       WHERE subscription_key = ? AND channel = 'webhook'`,
      attempt,
      decision.at,
      error,
      Date.now(),
      a.subscription_key,
    )
    return
  }
  d.log.warn('activation webhook parked', {
    subscriptionKey: a.subscription_key,
    code: decision.code,
  })
  d.sql.exec(
    `UPDATE activation_outbox SET state = 'parked', attempts = ?, last_error = ?, updated_at = ?
     WHERE subscription_key = ? AND channel = 'webhook'`,
    attempt,
    `${decision.code}: ${decision.message}`,
    Date.now(),
    a.subscription_key,
  )
  queueIndex(d, a, 'parked', decision.code, decision.message)
}

/** The activation's entry in the exception index: parked, or resolved (`applied`). */
function queueIndex(
  d: ActivationDeliveryDeps,
  a: ActivationRow,
  state: 'parked' | 'applied',
  code: string | null,
  message: string | null,
): void {
  const entry: ExceptionEntry = {
    amendmentId: `${ACTIVATION_ACTION}:${a.subscription_key}`,
    accountId: d.accountId,
    subscriptionKey: a.subscription_key,
    sequence: 1,
    action: ACTIVATION_ACTION,
    state,
    code,
    message: message === null ? null : `provisioning webhook: ${message}`,
    correlationId: a.correlation_id,
    updatedAt: new Date().toISOString(),
  }
  d.sql.exec(
    'INSERT OR REPLACE INTO index_outbox (amendment_id, entry) VALUES (?, ?)',
    entry.amendmentId,
    JSON.stringify(entry),
  )
}
