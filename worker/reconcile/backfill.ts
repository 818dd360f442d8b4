import type { Invoice, Payment } from '../../shared/index.ts'
import type { LogLevel } from '../lib/log.ts'
import { decide, toFailure } from '../failure/policy.ts'
import { errorFields } from '../lib/log.ts'
import { StoredModule, type ObjectStorage } from '../lib/storage.ts'
import type { BillingReader } from '../connectors/types.ts'

export const BACKFILL_MIGRATIONS: readonly string[] = [
  /* 1 */ `
  CREATE TABLE job (id INTEGER PRIMARY KEY CHECK (id = 1), scope TEXT NOT NULL, state TEXT NOT NULL, customers_cursor TEXT, customers_done INTEGER NOT NULL DEFAULT 0,
    started_at TEXT NOT NULL, finished_at TEXT, error TEXT, actor TEXT NOT NULL);
  CREATE TABLE item (account_id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, phase TEXT NOT NULL DEFAULT 'invoices', cursor TEXT,
    invoices INTEGER NOT NULL DEFAULT 0, payments INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, error TEXT);
  `,
]

/** What a backfill needs: billing's reads and each account's ledger. */
export interface BackfillDeps {
  logLevel: LogLevel
  reader(): BillingReader
  ledger(accountId: string): {
    /** `readAt`: when the page was read (ms), so a later webhook re-read is never undone by it. */
    loadDocuments(
      accountId: string,
      docs: { invoices: Invoice[]; payments: Payment[]; readAt?: number },
    ): Promise<number>
  }
}

/**
 * An account's page is tried five times, a run's pause (`RESUME_MS`) apart; a refusal gives it
 * up at once.
 */
const RESUME_MS = 5_000
const ITEM_RETRY = {
  maxAttempts: 5,
  baseMs: RESUME_MS,
  capMs: RESUME_MS,
  floorMs: RESUME_MS,
  refused: 'dead_letter',
} as const

export interface BackfillStatus {
  state: 'idle' | 'running' | 'done' | 'failed'
  scope?: string
  done: number
  total: number
  /** True while the list of mapped customers is still being read (the total can still grow). */
  counting: boolean
  invoices: number
  payments: number
  startedAt?: string
  finishedAt?: string
  failed: Array<{ accountId: string; error: string }>
}

type Item = {
  account_id: string
  customer_id: string
  phase: 'invoices' | 'payments' | 'done' | 'failed'
  cursor: string | null
  attempts: number
}

/**
 * Loads existing invoices and payments from billing into Salesforce for one account or every
 * mapped account, a page at a time. Each page is checkpointed (cursor per account), so a run cut
 * off anywhere resumes where it stopped; documents go through the ledgers (order-proof merge)
 * and reach Salesforce through the OrgWriter's batched writes.
 */
export class BackfillJob extends StoredModule {
  private running = false

  private readonly deps: BackfillDeps

  constructor(storage: ObjectStorage, deps: BackfillDeps) {
    super(storage, { component: 'Backfill', logLevel: deps.logLevel })
    this.deps = deps
  }

  /** Starts (or restarts) a backfill; `accountId` + `customerId` for one account, neither for all. */
  async start(input: {
    actor: string
    accountId?: string
    customerId?: string
  }): Promise<{ status: 'started' } | { status: 'busy' }> {
    const job = this.sql.exec<{ state: string }>('SELECT state FROM job WHERE id = 1').toArray()[0]
    if (job?.state === 'running') return { status: 'busy' }
    this.sql.exec('DELETE FROM item')
    this.sql.exec('DELETE FROM job')
    const scope = input.accountId ?? 'all'
    this.sql.exec(
      "INSERT INTO job (id, scope, state, started_at, actor, customers_done) VALUES (1, ?, 'running', ?, ?, ?)",
      scope,
      new Date().toISOString(),
      input.actor,
      input.accountId ? 1 : 0,
    )
    if (input.accountId && input.customerId)
      this.sql.exec(
        'INSERT INTO item (account_id, customer_id) VALUES (?, ?)',
        input.accountId,
        input.customerId,
      )
    await this.clock.set(Date.now())
    return { status: 'started' }
  }

  async alarm(): Promise<void> {
    if (this.running) return
    const job = this.sql
      .exec<{
        scope: string
        state: string
        customers_cursor: string | null
        customers_done: number
      }>('SELECT * FROM job WHERE id = 1')
      .toArray()[0]
    if (!job || job.state !== 'running') return
    this.running = true
    const deadline = Date.now() + 20_000
    try {
      const reader = this.deps.reader()
      while (Date.now() < deadline) {
        if (!job.customers_done) {
          // Every mapped account: read one page of customers, then work through them.
          const page = await reader.listMappedCustomers(job.customers_cursor ?? undefined)
          for (const c of page.customers)
            this.sql.exec(
              'INSERT OR IGNORE INTO item (account_id, customer_id) VALUES (?, ?)',
              c.accountId,
              c.customerId,
            )
          job.customers_cursor = page.nextCursor ?? null
          job.customers_done = page.hasMore ? 0 : 1
          this.sql.exec(
            'UPDATE job SET customers_cursor = ?, customers_done = ? WHERE id = 1',
            job.customers_cursor,
            job.customers_done,
          )
          continue
        }
        const item = this.sql
          .exec<Item>("SELECT * FROM item WHERE phase IN ('invoices', 'payments') LIMIT 1")
          .toArray()[0]
        if (!item) {
          this.sql.exec(
            "UPDATE job SET state = 'done', finished_at = ? WHERE id = 1",
            new Date().toISOString(),
          )
          return
        }
        const retryAt = await this.step(item, reader)
        if (retryAt !== undefined) return await this.clock.set(retryAt)
      }
      await this.clock.set(Date.now())
    } catch (err) {
      this.noteFailure(err)
      await this.clock.set(Date.now() + RESUME_MS)
    } finally {
      this.running = false
    }
  }

  private noteFailure(err: unknown): void {
    this.log.error('backfill run failed; it resumes from its checkpoint', errorFields(err))
    this.sql.exec(
      'UPDATE job SET error = ? WHERE id = 1',
      err instanceof Error ? err.message.slice(0, 300) : 'unknown error',
    )
  }

  /** One page of one account, then its checkpoint; when it failed, when the run should resume. */
  private async step(item: Item, reader: BillingReader): Promise<number | undefined> {
    const ledger = this.deps.ledger(item.account_id)
    try {
      const readAt = Date.now()
      if (item.phase === 'invoices') {
        const page = await reader.listInvoices(
          item.customer_id,
          item.account_id,
          item.cursor ?? undefined,
        )
        await ledger.loadDocuments(item.account_id, { invoices: page.items, payments: [], readAt })
        this.sql.exec(
          'UPDATE item SET invoices = invoices + ?, cursor = ?, phase = ?, attempts = 0, error = NULL WHERE account_id = ?',
          page.items.length,
          page.next ?? null,
          page.next ? 'invoices' : 'payments',
          item.account_id,
        )
      } else {
        const page = await reader.listPayments(
          item.customer_id,
          item.account_id,
          item.cursor ?? undefined,
        )
        await ledger.loadDocuments(item.account_id, { invoices: [], payments: page.items, readAt })
        this.sql.exec(
          'UPDATE item SET payments = payments + ?, cursor = ?, phase = ?, attempts = 0, error = NULL WHERE account_id = ?',
          page.items.length,
          page.next ?? null,
          page.next ? 'payments' : 'done',
          item.account_id,
        )
      }
    } catch (err) {
      const message = err instanceof Error ? err.message.slice(0, 300) : 'unknown error'
      const attempts = item.attempts + 1
      const decision = decide(toFailure(err), { attempt: attempts, ...ITEM_RETRY })
      // Refused or out of attempts, the account is given up and the run goes on with the next.
      this.sql.exec(
        'UPDATE item SET attempts = ?, error = ?, phase = ? WHERE account_id = ?',
        attempts,
        message,
        decision.action === 'retry' ? item.phase : 'failed',
        item.account_id,
      )
      if (decision.action !== 'retry') return undefined
      // The whole run stops and resumes from its checkpoint, no sooner than `Retry-After`.
      this.noteFailure(err)
      return decision.at
    }
    return undefined
  }

  status(): BackfillStatus {
    const job = this.sql
      .exec<{
        scope: string
        state: 'running' | 'done' | 'failed'
        customers_done: number
        started_at: string
        finished_at: string | null
      }>('SELECT * FROM job WHERE id = 1')
      .toArray()[0]
    const counts = this.sql
      .exec<{ total: number; done: number; invoices: number | null; payments: number | null }>(
        "SELECT COUNT(*) AS total, SUM(CASE WHEN phase IN ('done', 'failed') THEN 1 ELSE 0 END) AS done, SUM(invoices) AS invoices, SUM(payments) AS payments FROM item",
      )
      .one()
    const failed = this.sql
      .exec<{ account_id: string; error: string }>(
        "SELECT account_id, error FROM item WHERE phase = 'failed'",
      )
      .toArray()
      .map((f) => ({ accountId: f.account_id, error: f.error }))
    return {
      state: job?.state ?? 'idle',
      scope: job?.scope,
      done: counts.done ?? 0,
      total: counts.total,
      counting: job ? !job.customers_done : false,
      invoices: counts.invoices ?? 0,
      payments: counts.payments ?? 0,
      startedAt: job?.started_at,
      finishedAt: job?.finished_at ?? undefined,
      failed,
    }
  }
}
