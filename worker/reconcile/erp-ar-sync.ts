import type { Config } from '../config/types.ts'
import type { ErpCustomerAr } from '../connectors/netsuite/ar.ts'
import type { NetsuiteReader } from '../connectors/netsuite/index.ts'
import type { ErpFacts } from '../finance/standing.ts'
import { errorFields } from '../lib/log.ts'
import { StoredModule, type ObjectStorage } from '../lib/storage.ts'

export const AR_SYNC_MIGRATIONS: readonly string[] = [
  /* 1 */ `CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE run (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, finished_at TEXT, customers INTEGER NOT NULL DEFAULT 0, outcome TEXT, error TEXT);`,
]

/** Billing invoice ids look like Stripe's; an ERP invoice carrying one as its external id is that document. */
const BILLING_INVOICE_ID = /^in_[A-Za-z0-9]+$/

/**
 * ERP facts for one customer: what the ERP says is still owed on each billing invoice it holds,
 * ERP-only open documents, and the credit hold. The ERP is the source of truth for these.
 */
export function erpFactsOf(ar: ErpCustomerAr): ErpFacts {
  const facts: ErpFacts = { creditHold: ar.creditHold, openDocuments: [], remainingByInvoice: {} }
  for (const inv of ar.openInvoices) {
    if (inv.externalId && BILLING_INVOICE_ID.test(inv.externalId))
      facts.remainingByInvoice[inv.externalId] = inv.amountUnpaid
    else
      facts.openDocuments.push({
        id: `ns-${inv.id}`,
        currency: inv.currency,
        amountRemaining: inv.amountUnpaid,
        dueDate: inv.dueDate,
      })
  }
  return facts
}

/** What the AR sync needs: NetSuite's AR reads and each account's ledger. */
export interface ArSyncDeps {
  config: Config
  /** Undefined when NetSuite is not configured: the run then does nothing. */
  reader(): NetsuiteReader | undefined
  ledger(accountId: string): {
    applyErpFacts(accountId: string, facts: ErpFacts, asOf: string): Promise<void>
  }
}

export interface ArSyncStatus {
  watermark?: string
  lastRun?: {
    startedAt: string
    finishedAt?: string
    customers: number
    outcome?: string
    error?: string
  }
}

/**
 * Pulls NetSuite AR by SuiteQL from a stored watermark (a cron kicks it every minute) and hands
 * each changed customer's facts to its account's ledger, which recomputes the standing. The
 * watermark moves only after every ledger took its customers, so a failed run is read again.
 */
export class ArSync extends StoredModule {
  private running = false

  private readonly deps: ArSyncDeps

  constructor(storage: ObjectStorage, deps: ArSyncDeps) {
    super(storage, { component: 'ErpArSync', logLevel: deps.config.logLevel })
    this.deps = deps
  }

  /** Starts a run in the alarm (never inside the caller's request). */
  async kick(): Promise<void> {
    await this.clock.set(Date.now())
  }

  async alarm(): Promise<void> {
    if (this.running) return
    this.running = true
    const reader = this.deps.reader()
    if (!reader) {
      this.running = false
      return
    }
    const started = new Date().toISOString()
    this.sql.exec('INSERT INTO run (started_at) VALUES (?)', started)
    const runId = this.sql.exec<{ id: number }>('SELECT last_insert_rowid() AS id').one().id
    let customers = 0
    try {
      for (let page = 0; page < 20; page++) {
        const watermark = this.sql
          .exec<{ value: string }>("SELECT value FROM state WHERE key = 'watermark'")
          .toArray()[0]?.value
        const delta = await reader.readArSince(watermark, {
          lagSeconds: this.deps.config.erpArLagSeconds,
        })
        const asOf = new Date().toISOString()
        await Promise.all(
          delta.customers.map((c) =>
            this.deps.ledger(c.accountId).applyErpFacts(c.accountId, erpFactsOf(c), asOf),
          ),
        )
        customers += delta.customers.length
        this.sql.exec(
          "INSERT OR REPLACE INTO state (key, value) VALUES ('watermark', ?)",
          delta.watermark,
        )
        if (!delta.hasMore) break
      }
      this.sql.exec(
        "UPDATE run SET finished_at = ?, customers = ?, outcome = 'ok' WHERE id = ?",
        new Date().toISOString(),
        customers,
        runId,
      )
    } catch (err) {
      this.log.warn(
        'AR sync failed; the watermark stays, the next run reads again',
        errorFields(err),
      )
      this.sql.exec(
        "UPDATE run SET finished_at = ?, customers = ?, outcome = 'failed', error = ? WHERE id = ? ",
        new Date().toISOString(),
        customers,
        err instanceof Error ? err.message.slice(0, 500) : 'unknown error',
        runId,
      )
    } finally {
      this.sql.exec('DELETE FROM run WHERE id < ?', runId - 100)
      this.running = false
    }
  }

  status(): ArSyncStatus {
    const watermark = this.sql
      .exec<{ value: string }>("SELECT value FROM state WHERE key = 'watermark'")
      .toArray()[0]?.value
    const run = this.sql
      .exec<{
        started_at: string
        finished_at: string | null
        customers: number
        outcome: string | null
        error: string | null
      }>('SELECT * FROM run ORDER BY id DESC LIMIT 1')
      .toArray()[0]
    return {
      watermark,
      lastRun: run
        ? {
            startedAt: run.started_at,
            finishedAt: run.finished_at ?? undefined,
            customers: run.customers,
            outcome: run.outcome ?? undefined,
            error: run.error ?? undefined,
          }
        : undefined,
    }
  }
}
