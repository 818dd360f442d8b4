import type { Config } from '../config/types.ts'
import { errorFields } from '../lib/log.ts'
import { METRICS } from '../lib/metric-catalog.ts'
import { NO_METRICS, type MetricPort } from '../lib/metrics.ts'
import { StoredModule, type ObjectStorage } from '../lib/storage.ts'
import { ConnectorError } from '../failure/errors.ts'
import { decide, toFailure, type Failure } from '../failure/policy.ts'
import { flushIntervalMs } from './budget.ts'
import { eventsThatFit, isEventObject, splitEvents, toEventRecord } from './events.ts'
import { pack, type PendingRow } from './pack.ts'
import { refreshEvent } from './records/index.ts'
import type { RecordOutcome, WriteRecord, WriterClient } from './types.ts'

const DAY_MS = 86_400_000
/** Accounts per `Concord_Refresh__e` (they become at most 256 buckets, see shared/refresh-bucket.ts). */
const HINT_IDS_PER_EVENT = 5_000
/** A stored record naming an object or key field the Salesforce schema does not declare. */
const INVALID_RECORD: RecordOutcome = {
  ok: false,
  kind: 'business',
  code: 'INVALID_RECORD',
  message: 'the object or its key field is not in the Salesforce schema',
}

/**
 * A pending row exactly as a flush read it. An update that replaced it meanwhile is another row
 * even at the same source time (two statuses of one amendment made in the same millisecond: the
 * runtime's clock only moves on I/O), so settling the one sent never deletes or delays the newer.
 */
const AS_SENT = 'object = ? AND external_id = ? AND source_updated_at = ? AND fields = ?'
const asSent = (row: PendingRow) =>
  [row.object, row.external_id, row.source_updated_at, row.fields] as const

/** A record the writer could not write: parked, or `nextAttemptAt` when it will retry. */
export interface TroubledRecord {
  object: string
  externalId: string
  accountId?: string
  code: string
  message: string
  since: string
  nextAttemptAt?: string
}

export interface WriterStatus {
  pending: number
  parked: Array<{
    object: string
    externalId: string
    code: string
    message: string
    parkedAt: string
  }>
  calls24h: number
  usage?: { used: number; max: number }
  intervalMs: number
  hints: number
}

/**
 * Writes to Salesforce for one org, economically: updates coalesce by external id (newest source
 * time wins, older ones are ignored), flush by size (1,000 records = one Composite call of five
 * 200-record collection upserts) or time, and carry one refresh hint per changed account per
 * flush. Failed records retry alone if transient and are parked with the reason if not. It lives
 * in the `OrgWriter` Durable Object, one per org.
 */
export class WriterQueue extends StoredModule {
  private flushing = false

  private readonly deps: {
    config: Config
    /** Undefined when Salesforce is not configured: updates then wait, durable. */
    client(): WriterClient | undefined
    metrics?: MetricPort
  }

  constructor(
    storage: ObjectStorage,
    deps: {
      config: Config
      /** Undefined when Salesforce is not configured: updates then wait, durable. */
      client(): WriterClient | undefined
      metrics?: MetricPort
    },
  ) {
    super(storage, { component: 'OrgWriter', logLevel: deps.config.logLevel })
    this.deps = deps
  }

  /** Takes updates; durable once this returns. Older-than-written updates are ignored. */
  async enqueue(records: WriteRecord[]): Promise<{ accepted: number; stale: number }> {
    const now = Date.now()
    let stale = 0
    for (const r of records) {
      const written = this.sql
        .exec<{ t: number }>(
          'SELECT source_updated_at AS t FROM written WHERE object = ? AND external_id = ?',
          r.object,
          r.externalId,
        )
        .toArray()[0]
      // A platform event is published once per key, whatever comes again (`events.ts`).
      if (written && (written.t > r.sourceUpdatedAt || isEventObject(r.object))) {
        stale++
        continue
      }
      this.sql.exec(
        `INSERT INTO pending (object, external_id_field, external_id, fields, source_updated_at, account_id, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (object, external_id) DO UPDATE SET fields = excluded.fields, source_updated_at = excluded.source_updated_at,
           account_id = excluded.account_id, external_id_field = excluded.external_id_field, attempts = 0, not_before = 0, last_error = NULL
         WHERE excluded.source_updated_at >= pending.source_updated_at`,
        r.object,
        r.externalIdField,
        r.externalId,
        JSON.stringify(r.fields),
        r.sourceUpdatedAt,
        r.accountId ?? null,
        now,
      )
      this.sql.exec(
        'DELETE FROM parked WHERE object = ? AND external_id = ? AND source_updated_at <= ?',
        r.object,
        r.externalId,
        r.sourceUpdatedAt,
      )
    }
    await this.arm()
    return { accepted: records.length - stale, stale }
  }

  async alarm(): Promise<void> {
    if (this.flushing) return
    this.flushing = true
    try {
      const client = this.deps.client()
      const started = Date.now()
      while (client && this.shouldFlush(Date.now()) && Date.now() - started < 20_000)
        await this.flush(client)
    } catch (err) {
      this.log.error('flush failed', errorFields(err))
    } finally {
      this.flushing = false
      this.reportGauges()
      await this.arm()
    }
  }

  private get metrics(): MetricPort {
    return this.deps.metrics ?? NO_METRICS
  }

  /** The queue and the API share as gauges (subject `org`), after each flush run. */
  private reportGauges(): void {
    const count = (table: string) =>
      this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n
    this.metrics.gauge(METRICS.writerPending.name, 'org', count('pending'))
    this.metrics.gauge(METRICS.writerParked.name, 'org', count('parked'))
    const usage = this.usage()
    if (usage && usage.max > 0)
      this.metrics.gauge(METRICS.apiShare.name, 'org', (100 * usage.used) / usage.max)
  }

  private config() {
    const c = this.deps.config
    return {
      baseMs: c.writerFlushMs,
      batch: c.writerBatchSize,
      share: c.salesforceApiShare,
      retryBaseMs: c.retryBaseMs,
      retryCapMs: c.retryCapMs,
      maxAttempts: c.maxTransientAttempts,
    }
  }

  private meta(key: string): string | undefined {
    return this.sql
      .exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key)
      .toArray()[0]?.value
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)', key, value)
  }

  private calls24h(now: number): number {
    this.sql.exec('DELETE FROM api_call WHERE at < ?', now - DAY_MS)
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM api_call').one().n
  }

  private usage(): { used: number; max: number } | undefined {
    const raw = this.meta('usage')
    return raw ? (JSON.parse(raw) as { used: number; max: number }) : undefined
  }

  /** The gap budget pacing asks for between flushes (0 while well inside the share). */
  private minGapMs(now: number): number {
    const { baseMs, share } = this.config()
    const interval = flushIntervalMs({
      ownCalls24h: this.calls24h(now),
      usage: this.usage(),
      share,
      baseIntervalMs: baseMs,
    })
    return interval > baseMs ? interval : 0
  }

  /** When the next flush is due, or undefined when there is nothing to send. */
  private nextFlushAt(now: number): number | undefined {
    const { baseMs, batch } = this.config()
    const due = this.sql
      .exec<{ n: number; oldest: number | null }>(
        'SELECT COUNT(*) AS n, MIN(enqueued_at) AS oldest FROM pending WHERE not_before <= ?',
        now,
      )
      .one()
    const later = this.sql
      .exec<{ t: number | null }>(
        'SELECT MIN(not_before) AS t FROM pending WHERE not_before > ?',
        now,
      )
      .one().t
    const hints = this.sql
      .exec<{ since: number | null }>('SELECT MIN(since) AS since FROM hint')
      .one().since
    const lastFlush = Number(this.meta('last_flush') ?? 0)
    const gate = lastFlush + this.minGapMs(now)
    let at: number | undefined
    if (due.n >= batch) at = now
    else if (due.oldest !== null) at = due.oldest + baseMs
    if (hints !== null) at = Math.min(at ?? Number.POSITIVE_INFINITY, hints + baseMs)
    if (later !== null) at = Math.min(at ?? Number.POSITIVE_INFINITY, later)
    return at === undefined ? undefined : Math.max(at, gate)
  }

  private shouldFlush(now: number): boolean {
    const at = this.nextFlushAt(now)
    return at !== undefined && at <= now
  }

  private async arm(): Promise<void> {
    const at = this.nextFlushAt(Date.now())
    if (at !== undefined) await this.clock.set(Math.max(at, Date.now()))
  }

  private async flush(client: WriterClient): Promise<void> {
    const now = Date.now()
    const { batch } = this.config()
    const due = this.sql
      .exec<PendingRow>(
        'SELECT object, external_id_field, external_id, fields, source_updated_at, account_id, attempts, enqueued_at FROM pending WHERE not_before <= ? ORDER BY enqueued_at LIMIT ?',
        now,
        batch * 5,
      )
      .toArray()
    const split = splitEvents(due)
    const packed = pack(split.records, now - 5 * this.config().baseMs)
    for (const row of packed.invalid) this.settle(row, INVALID_RECORD)
    const { carried, touched, publish } = this.hintFor(packed)
    const events = eventsThatFit(split.events, packed.groups.length, publish ? 1 : 0)
    if (packed.groups.length === 0 && !publish && events.length === 0) return
    this.setMeta('last_flush', String(now))
    this.sql.exec('INSERT INTO api_call (at) VALUES (?)', now)
    let answer: Awaited<ReturnType<WriterClient['writeBatch']>>
    try {
      answer = await client.writeBatch({
        groups: packed.groups,
        publish,
        events: events.length > 0 ? events.map(toEventRecord) : undefined,
      })
    } catch (err) {
      this.settleCall([...packed.rows.flat(), ...events], err)
      return
    }
    if (answer.usage) this.setMeta('usage', JSON.stringify(answer.usage))
    // Events settle like one more group: published once, retried or parked like any record.
    this.settleRecords([...packed.rows, events], [...answer.groups, answer.events ?? []])
    if (publish && answer.published?.every((o) => o.ok)) {
      for (const id of carried) this.sql.exec('DELETE FROM hint WHERE account_id = ?', id)
    } else {
      for (const id of touched)
        this.sql.exec(
          'INSERT OR IGNORE INTO hint (account_id, since) VALUES (?, ?)',
          id,
          Date.now(),
        )
    }
  }

  /**
   * One hint per changed account per flush, carried in the same call after the upserts when
   * there is room; otherwise it waits for the next call with room (or a hint-only call).
   */
  private hintFor(packed: ReturnType<typeof pack>) {
    const carried = this.sql
      .exec<{ account_id: string }>(
        'SELECT account_id FROM hint ORDER BY since LIMIT ?',
        HINT_IDS_PER_EVENT,
      )
      .toArray()
      .map((h) => h.account_id)
    const touched = [
      ...new Set(
        packed.rows
          .flat()
          .map((r) => r.account_id)
          .filter((id): id is string => !!id),
      ),
    ]
    const hintIds = [...new Set([...carried, ...touched])].slice(0, HINT_IDS_PER_EVENT)
    const publish =
      hintIds.length > 0 && packed.groups.length < 5
        ? {
            event: 'Concord_Refresh__e' as const,
            records: [refreshEvent(hintIds, 'financial_update')],
          }
        : undefined
    return { carried, touched, publish }
  }

  /** A call that failed as a whole: every record in it shares the failure and the retry time. */
  private settleCall(rows: PendingRow[], err: unknown): void {
    if (!(err instanceof ConnectorError)) this.log.error('writeBatch threw', errorFields(err))
    const failure = toFailure(err)
    const at = this.retryAt(rows, failure)
    rows.forEach((row) => this.settle(row, { ok: false, ...failure }, at))
  }

  /** Per-record outcomes of a call; the records to retry share one retry time. */
  private settleRecords(rows: PendingRow[][], answered: RecordOutcome[][]): void {
    const outcomes = rows.map((group, g) =>
      group.map(
        (_, i): RecordOutcome =>
          answered[g]?.[i] ?? {
            ok: false,
            kind: 'transient',
            code: 'no_result',
            message: 'no result for this record',
          },
      ),
    )
    const retrying = rows.flatMap((group, g) =>
      group.filter((_, i) => {
        const o = outcomes[g]?.[i]
        return !!o && !o.ok && o.kind === 'transient'
      }),
    )
    const firstFailure = outcomes.flat().find((o) => !o.ok && o.kind === 'transient')
    const at =
      retrying.length > 0 && firstFailure && !firstFailure.ok
        ? this.retryAt(retrying, firstFailure)
        : undefined
    rows.forEach((group, g) =>
      group.forEach((row, i) => this.settle(row, outcomes[g]?.[i] as RecordOutcome, at)),
    )
  }

  /**
   * Applies one record's outcome; compares the version so a newer pending update survives. A
   * failure goes by the policy: retried at `retryAt` (the flush's shared time) or its own, or
   * parked with the reason (refused, or out of attempts).
   */
  private settle(row: PendingRow, outcome: RecordOutcome, retryAt?: number): void {
    if (outcome.ok) {
      this.sql.exec(`DELETE FROM pending WHERE ${AS_SENT}`, ...asSent(row))
      this.sql.exec(
        `INSERT INTO written (object, external_id, source_updated_at) VALUES (?, ?, ?)
         ON CONFLICT (object, external_id) DO UPDATE SET source_updated_at = MAX(written.source_updated_at, excluded.source_updated_at)`,
        row.object,
        row.external_id,
        row.source_updated_at,
      )
      this.observeWritten(row)
      return
    }
    const decision = decide(outcome, {
      ...this.retryTiming(),
      attempt: row.attempts + 1,
      maxAttempts: this.config().maxAttempts,
    })
    if (decision.action === 'retry') {
      this.sql.exec(
        `UPDATE pending SET attempts = attempts + 1, not_before = ?, last_error = ? WHERE ${AS_SENT}`,
        retryAt ?? decision.at,
        `${outcome.code}: ${outcome.message}`,
        ...asSent(row),
      )
      return
    }
    this.park(row, decision.code, decision.message)
  }

  private park(row: PendingRow, code: string, message: string): void {
    this.log.warn('record refused by Salesforce; parked', {
      object: row.object,
      externalId: row.external_id,
      code,
    })
    this.sql.exec(
      `INSERT OR REPLACE INTO parked (object, external_id_field, external_id, fields, source_updated_at, account_id, code, message, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.object,
      row.external_id_field,
      row.external_id,
      row.fields,
      row.source_updated_at,
      row.account_id,
      code,
      message,
      Date.now(),
    )
    this.sql.exec(`DELETE FROM pending WHERE ${AS_SENT}`, ...asSent(row))
  }

  /**
   * Backoff for this org's records. Never shorter than the flush interval: full jitter can draw
   * 0, and a retry in the same instant as the failure would spend a call on a Salesforce that
   * has just said no.
   */
  private retryTiming() {
    const { retryBaseMs, retryCapMs, baseMs } = this.config()
    return { baseMs: retryBaseMs, capMs: retryCapMs, floorMs: baseMs }
  }

  /**
   * One retry time for every record of a flush that failed transiently, so they come back
   * together as one call rather than scattered by their own jitter into a call each.
   */
  private retryAt(rows: PendingRow[], failure: Failure): number | undefined {
    const attempt = Math.max(0, ...rows.map((r) => r.attempts)) + 1
    const decision = decide(failure, { ...this.retryTiming(), attempt })
    return decision.action === 'retry' ? decision.at : undefined
  }

  /** Puts a parked record back in line (an operator fixed the cause in Salesforce). */
  async retryParked(object: string, externalId: string): Promise<boolean> {
    const row = this.sql
      .exec<{
        fields: string
        external_id_field: string
        source_updated_at: number
        account_id: string | null
      }>('SELECT * FROM parked WHERE object = ? AND external_id = ?', object, externalId)
      .toArray()[0]
    if (!row) return false
    this.sql.exec('DELETE FROM parked WHERE object = ? AND external_id = ?', object, externalId)
    await this.enqueue([
      {
        object,
        externalIdField: row.external_id_field,
        externalId,
        fields: JSON.parse(row.fields) as WriteRecord['fields'],
        sourceUpdatedAt: row.source_updated_at,
        accountId: row.account_id ?? undefined,
      },
    ])
    return true
  }

  /**
   * Records Salesforce refused (parked) or that wait on a retry after a failure, oldest first:
   * what the exception work queue lists for the writer.
   */
  troubled(limit: number): TroubledRecord[] {
    type Row = {
      object: string
      external_id: string
      account_id: string | null
      code: string | null
      message: string | null
      at: number
      not_before: number | null
    }
    const parked = this.sql
      .exec<Row>(
        `SELECT object, external_id, account_id, code, message, parked_at AS at, NULL AS not_before
         FROM parked ORDER BY parked_at LIMIT ?`,
        limit,
      )
      .toArray()
    const retrying = this.sql
      .exec<Row>(
        `SELECT object, external_id, account_id, last_error AS code, NULL AS message, enqueued_at AS at, not_before
         FROM pending WHERE attempts > 0 AND last_error IS NOT NULL ORDER BY enqueued_at LIMIT ?`,
        limit,
      )
      .toArray()
    const item = (r: Row, code: string, message: string): TroubledRecord => ({
      object: r.object,
      externalId: r.external_id,
      accountId: r.account_id ?? undefined,
      code,
      message,
      since: new Date(r.at).toISOString(),
      nextAttemptAt: r.not_before === null ? undefined : new Date(r.not_before).toISOString(),
    })
    return parked
      .map((r) => item(r, r.code ?? 'unknown', r.message ?? ''))
      .concat(
        retrying.map((r) => {
          // `last_error` reads `<code>: <message>`.
          const [code = 'unknown', ...rest] = (r.code ?? '').split(': ')
          return item(r, code, rest.join(': '))
        }),
      )
  }

  /** Status-back latency: from the source's change to its write in Salesforce. */
  private observeWritten(row: PendingRow): void {
    const now = Date.now()
    const lag = Math.max(0, now - row.source_updated_at)
    this.metrics.observe(METRICS.statusBack.name, lag, now)
    if (row.object === 'Billing_Invoice__c') this.metrics.observe(METRICS.invoiceLag.name, lag, now)
  }

  status(): WriterStatus {
    const now = Date.now()
    const { baseMs, share } = this.config()
    return {
      pending: this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM pending').one().n,
      parked: this.sql
        .exec<{
          object: string
          external_id: string
          code: string
          message: string
          parked_at: number
        }>(
          'SELECT object, external_id, code, message, parked_at FROM parked ORDER BY parked_at DESC LIMIT 200',
        )
        .toArray()
        .map((p) => ({
          object: p.object,
          externalId: p.external_id,
          code: p.code,
          message: p.message,
          parkedAt: new Date(p.parked_at).toISOString(),
        })),
      calls24h: this.calls24h(now),
      usage: this.usage(),
      intervalMs: flushIntervalMs({
        ownCalls24h: this.calls24h(now),
        usage: this.usage(),
        share,
        baseIntervalMs: baseMs,
      }),
      hints: this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hint').one().n,
    }
  }

  /** Whether a flush is running or due now; for tests and operators. */
  async flushState(): Promise<{ flushing: boolean; dueNow: boolean; alarmAt: number | null }> {
    return {
      flushing: this.flushing,
      dueNow: this.shouldFlush(Date.now()),
      alarmAt: await this.clock.get(),
    }
  }
}
