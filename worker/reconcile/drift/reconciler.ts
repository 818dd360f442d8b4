import type { Catalog } from '../../../shared/index.ts'
import type { ReconcileSettings } from '../../config/types.ts'
import { errorFields, type LogLevel } from '../../lib/log.ts'
import { StoredModule, type ObjectStorage } from '../../lib/storage.ts'
import { compareAccounts } from './accounts.ts'
import { sweepDocumentEdits } from './document-edits.ts'
import { sweepHandEdits } from './edits.ts'
import { catchUpEvents } from './events.ts'
import type { RunContext } from './run.ts'
import { DriftStore } from './store.ts'
import type { DriftReport, DriftSources, DriftTargets } from './types.ts'

export { DRIFT_MIGRATIONS } from './store.ts'

export interface ReconcilerDeps {
  logLevel: LogLevel
  settings: ReconcileSettings
  catalog: Catalog
  /** Fresh sources per run, so each run counts its own calls. */
  sources(): DriftSources
  targets: DriftTargets
}

/** What a run covers: every account (a sweep) or one, and whether it repairs. */
export interface RunRequest {
  trigger: DriftReport['trigger']
  accountId?: string
  repair: boolean
  /** A sweep's parts; all three when absent. */
  parts?: Array<'events' | 'edits' | 'pass'>
}

export type RunResult =
  { status: 'done'; report: DriftReport } | { status: 'busy' } | { status: 'no_customer' }

/**
 * The drift reconciler: compares Salesforce's mirrors with Stripe and repairs what Concord owns
 * through the account ledgers. A sweep (cron, every third of the repair window) catches up on
 * Stripe's events since its cursor, queries the rows people edited since the last sweep, and
 * compares one page of accounts in full; an operator run does one account now.
 */
export class DriftReconciler extends StoredModule {
  private readonly deps: ReconcilerDeps
  private readonly store: DriftStore
  private running = false

  constructor(storage: ObjectStorage, deps: ReconcilerDeps) {
    super(storage, { component: 'Reconciler', logLevel: deps.logLevel })
    this.deps = deps
    this.store = new DriftStore(this.sql)
  }

  /** The cron's kick: arms the alarm when a sweep is due (a sweep runs in the alarm). */
  async kick(): Promise<void> {
    const c = this.store.cursor(Date.now() - this.deps.settings.withinMs)
    const due = c.last_sweep_at + this.deps.settings.sweepEveryMs
    const armed = await this.clock.get()
    if (armed === null || armed > due) await this.clock.set(Math.max(due, Date.now()))
  }

  async alarm(): Promise<void> {
    if (this.running) return
    const report = await this.runNow({ trigger: 'schedule', repair: true })
    this.log.info('drift sweep done', {
      findings: report.findings.length,
      stripeCalls: report.calls.stripe,
      salesforceCalls: report.calls.salesforce,
      netsuiteCalls: report.calls.netsuite,
    })
  }

  /**
   * Runs now and answers the report (also kept for `lastReports`); `busy` while another run is
   * under way, `no_customer` for an account with no billing customer linked.
   */
  async run(req: RunRequest): Promise<RunResult> {
    if (this.running) return { status: 'busy' }
    const customerId = req.accountId
      ? await this.deps.targets.registry.customerOf(req.accountId)
      : undefined
    if (req.accountId && !customerId) return { status: 'no_customer' }
    return { status: 'done', report: await this.runNow(req, customerId) }
  }

  private async runNow(req: RunRequest, customerId?: string): Promise<DriftReport> {
    const sources = this.deps.sources()
    const ctx: RunContext = {
      runId: crypto.randomUUID(),
      repair: req.repair,
      settings: this.deps.settings,
      catalog: this.deps.catalog,
      sources,
      targets: this.deps.targets,
      store: this.store,
      findings: [],
      deferred: [],
      checked: {
        events: 0,
        editedRows: 0,
        accounts: 0,
        subscriptions: 0,
        invoices: 0,
        payments: 0,
        erpOrders: 0,
        erpInvoices: 0,
      },
      ledgerCalls: 0,
      known: new Map(),
      refreshing: new Set(),
    }
    const startedAt = new Date().toISOString()
    this.running = true
    try {
      if (req.accountId && customerId) await this.oneAccount(ctx, req.accountId, customerId)
      else await this.sweep(ctx, req.parts ?? ['events', 'edits', 'pass'])
    } catch (err) {
      this.log.warn('drift run stopped early; the next sweep resumes', errorFields(err))
      ctx.deferred.push('stopped by a vendor failure; the next sweep resumes from the cursor')
    } finally {
      this.running = false
    }
    return this.finish(ctx, req, startedAt)
  }

  private finish(ctx: RunContext, req: RunRequest, startedAt: string): DriftReport {
    const calls = ctx.sources.calls()
    const report: DriftReport = {
      runId: ctx.runId,
      trigger: req.trigger,
      scope: req.accountId ?? 'all',
      repair: req.repair,
      startedAt,
      finishedAt: new Date().toISOString(),
      calls: { ...calls, ledger: ctx.ledgerCalls },
      checked: ctx.checked,
      findings: ctx.findings,
      deferred: ctx.deferred,
    }
    this.store.saveRun(report)
    return report
  }

  private async sweep(ctx: RunContext, parts: NonNullable<RunRequest['parts']>): Promise<void> {
    this.store.cursor(Date.now() - this.deps.settings.withinMs)
    this.store.saveCursor({ last_sweep_at: Date.now() })
    if (parts.includes('events')) await this.sweepEvents(ctx)
    if (parts.includes('edits') && (await sweepHandEdits(ctx))) await sweepDocumentEdits(ctx)
    if (parts.includes('pass')) await this.passPage(ctx)
  }

  /**
   * Stripe's events from the cursor to `now - lag` (younger ones are left to their webhook),
   * newest first, a page at a time; a window cut by the budget resumes where it stopped.
   */
  private async sweepEvents(ctx: RunContext): Promise<void> {
    const c = this.store.cursor(Date.now() - this.deps.settings.withinMs)
    const lte = c.events_window_to ?? Math.floor(Date.now() / 1000) - ctx.settings.eventLagSeconds
    if (lte <= c.events_done_to) return
    let after = c.events_after ?? undefined
    this.store.saveCursor({ events_window_to: lte })
    do {
      if (ctx.sources.calls().stripe >= ctx.settings.stripeCallsPerSweep) {
        this.store.saveCursor({ events_after: after ?? null })
        ctx.deferred.push('events: Stripe budget of this sweep reached; next sweep resumes')
        return
      }
      const page = await ctx.sources.stripe.events({ gte: c.events_done_to + 1, lte, after })
      await this.takeEvents(ctx, page)
      after = page.next
    } while (after)
    this.store.saveCursor({ events_done_to: lte, events_window_to: null, events_after: null })
  }

  private async takeEvents(
    ctx: RunContext,
    page: Awaited<ReturnType<DriftSources['stripe']['events']>>,
    only?: { accountId: string; customerId: string },
  ): Promise<void> {
    const result = await catchUpEvents(page, { ...ctx, only })
    ctx.findings.push(...result.findings)
    ctx.checked.events += result.checked
    ctx.ledgerCalls += result.ledgerCalls
  }

  /** One page of the slow full pass over every mapped account; it starts over once a period. */
  private async passPage(ctx: RunContext): Promise<void> {
    const c = this.store.cursor(Date.now())
    if (!c.pass_running && Date.now() - c.pass_done_at < ctx.settings.fullPassEveryMs) return
    if (!(await ctx.sources.salesforce.withinBudget())) {
      ctx.deferred.push('full pass: Concord is past half its Salesforce API share; next sweep')
      return
    }
    const page = await ctx.sources.stripe.mappedCustomers(
      ctx.settings.accountsPerSweep,
      c.pass_after ?? undefined,
    )
    const left = await compareAccounts(ctx, page.customers)
    // Accounts the budget did not reach are taken again from the same page next sweep.
    if (left.length > 0) {
      ctx.deferred.push(`full pass: ${left.length} accounts of this page left for the next sweep`)
      this.store.saveCursor({ pass_running: 1 })
      return
    }
    if (page.next) this.store.saveCursor({ pass_running: 1, pass_after: page.next })
    else this.store.saveCursor({ pass_running: 0, pass_after: null, pass_done_at: Date.now() })
  }

  /** An operator's run for one account: its events of the last window, then a full compare. */
  private async oneAccount(ctx: RunContext, accountId: string, customerId: string): Promise<void> {
    ctx.known.set(customerId, accountId)
    const lte = Math.floor(Date.now() / 1000)
    const gte = lte - Math.floor(ctx.settings.withinMs / 1000)
    let after: string | undefined
    do {
      if (ctx.sources.calls().stripe >= ctx.settings.stripeCallsPerSweep) {
        ctx.deferred.push('events: Stripe budget of this run reached before the window ended')
        break
      }
      const page = await ctx.sources.stripe.events({ gte, lte, after })
      await this.takeEvents(ctx, page, { accountId, customerId })
      after = page.next
    } while (after)
    await compareAccounts(ctx, [{ accountId, customerId }])
  }

  lastReports(limit: number): DriftReport[] {
    return this.store.lastRuns(limit)
  }
}
