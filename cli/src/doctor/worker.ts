import { messageOf } from '../lib/failure.ts'
import type { WorkerApi, WorkerAnswer } from '../lib/worker-api.ts'
import type {
  ExceptionEntry,
  QuarantinePage,
  SubscriberStatus,
  WriterStatus,
} from '../lib/worker-types.ts'
import { fail, pass, warn, type CheckResult, type ClockSample } from './check.ts'

/** Salesforce keeps platform events 72 hours; a cursor older than that may have lost some. */
export const RETENTION_HOURS = 72
const HOUR = 3_600_000

const hours = (ms: number) => `${(ms / HOUR).toFixed(1)} h`

async function health(api: WorkerApi, clock: ClockSample[]): Promise<CheckResult> {
  const sentAt = Date.now()
  let answer: WorkerAnswer
  try {
    answer = await api.send('GET', '/healthz', 'Checking the worker’s health')
  } catch (err) {
    return fail(
      'worker',
      'health',
      messageOf(err),
      'Check --worker-url, and that `npx wrangler deploy` succeeded.',
    )
  }
  clock.push({ source: 'worker', date: answer.date, sentAt, receivedAt: Date.now() })
  const body = (answer.body ?? {}) as { ok?: boolean; version?: string }
  if (answer.status !== 200 || body.ok !== true)
    return fail(
      'worker',
      'health',
      `GET /healthz answered ${answer.status}`,
      'Look at the worker logs: npx wrangler tail.',
    )
  return pass(
    'worker',
    'health',
    body.version ? `ok, version ${body.version}` : 'ok (the worker reports no version)',
  )
}

function subscriberCheck(s: SubscriberStatus, now: number): CheckResult {
  const check = 'CometD catch-up cursor'
  if (s.health === 'gap')
    return fail(
      'worker',
      check,
      `${s.openGaps} open gap(s): events were lost past Salesforce’s retention`,
      'Reconcile the gap (amendments published in it never reached the worker), then acknowledge it: POST /v1/subscriber/gaps/<id>/acknowledge.',
    )
  const lastGood = s.recentRuns.find((r) => r.finishedAt && !r.error && r.outcome !== 'failed')
  if (!lastGood?.finishedAt)
    return warn(
      'worker',
      check,
      s.health === 'never_run'
        ? 'the catch-up has never run'
        : `no successful run (last error: ${s.lastError?.code ?? '?'}: ${s.lastError?.message ?? ''})`,
      'Start one: sf concord replay, and check the worker’s Salesforce login (SALESFORCE_* settings).',
    )
  const age = now - Date.parse(lastGood.finishedAt)
  const detail = `caught up ${hours(age)} ago at replay id ${s.replayId ?? '-'}${s.consecutiveFailures ? `, ${s.consecutiveFailures} failed run(s) since` : ''}`
  if (age > RETENTION_HOURS * HOUR)
    return fail(
      'worker',
      check,
      `${detail}: past the ${RETENTION_HOURS} h retention, events may be lost`,
      'Run it now (sf concord replay) and reconcile amendments published since then.',
    )
  if (age > (RETENTION_HOURS / 2) * HOUR || s.health === 'failing')
    return warn(
      'worker',
      check,
      detail,
      `Fix what fails (${s.lastError?.code ?? 'see GET /v1/subscriber'}) before the ${RETENTION_HOURS} h retention runs out, then sf concord replay.`,
    )
  return pass('worker', check, detail)
}

/**
 * The worker: its health, whether the token is accepted, and its own view of the installation
 * (writer calls and parked records, the CometD cursor against the retention, quarantine, parked
 * amendments). Stops after a refused token.
 */
export async function checkWorker(
  api: WorkerApi,
  clock: ClockSample[],
  now = Date.now(),
): Promise<CheckResult[]> {
  const results = [await health(api, clock)]
  if (results[0]?.status === 'fail') return results
  let writer: WorkerAnswer
  try {
    writer = await api.send('GET', '/v1/writer', 'Reading the writer status')
  } catch (err) {
    // It answered /healthz a moment ago: a restart or a deploy in progress, or a dropped connection.
    results.push(
      fail(
        'worker',
        'operator API',
        messageOf(err),
        'Run doctor again; if it persists, see the worker logs: npx wrangler tail.',
      ),
    )
    return results
  }
  if (writer.status === 401 || writer.status === 403) {
    results.push(
      fail(
        'worker',
        'operator token',
        messageOf(api.refusal(writer, 'Reading the writer status')),
        'Pass a valid operator token with --token or CONCORD_TOKEN (its SHA-256 must be in the worker’s OPERATOR_TOKENS).',
      ),
    )
    return results
  }
  results.push(pass('worker', 'operator token', 'accepted'))
  try {
    if (writer.status >= 300) throw api.refusal(writer, 'Reading the writer status')
    const w = writer.body as WriterStatus
    const usage = w.usage ? `, org API ${w.usage.used}/${w.usage.max}` : ''
    const detail = `${w.calls24h} Salesforce calls in 24 h, ${w.pending} pending${usage}`
    results.push(
      w.parked.length
        ? warn(
            'worker',
            'Salesforce writer',
            `${detail}, ${w.parked.length} record(s) parked (first: ${w.parked[0]?.object} ${w.parked[0]?.code})`,
            'Salesforce refused these records: read GET /v1/writer, fix the data or the field access in Salesforce.',
          )
        : pass('worker', 'Salesforce writer', detail),
    )
    const s = await api.call<SubscriberStatus>(
      'GET',
      '/v1/subscriber',
      'Reading the subscriber status',
    )
    results.push(subscriberCheck(s, now))
    const q = await api.call<QuarantinePage>(
      'GET',
      '/v1/quarantine?limit=500',
      'Reading the quarantine',
    )
    results.push(
      q.items.length
        ? warn(
            'worker',
            'quarantine',
            `${q.items.length}${q.next ? '+' : ''} refused event(s) kept`,
            'These events were invalid and were not applied: read GET /v1/quarantine, fix the publisher, republish.',
          )
        : pass('worker', 'quarantine', 'empty'),
    )
    const e = await api.call<{ items: ExceptionEntry[] }>(
      'GET',
      '/v1/exceptions?state=parked&limit=500',
      'Reading parked amendments',
    )
    results.push(
      e.items.length
        ? warn(
            'worker',
            'parked amendments',
            `${e.items.length} parked (latest: ${e.items[0]?.code ?? '?'})`,
            'sf concord exceptions list, then retry or skip each.',
          )
        : pass('worker', 'parked amendments', 'none'),
    )
  } catch (err) {
    results.push(
      fail('worker', 'operator API', messageOf(err), 'See the worker logs: npx wrangler tail.'),
    )
  }
  return results
}
