import {
  DRIFT_MIGRATIONS,
  DriftReconciler,
  type RunRequest,
  type RunResult,
} from '../reconcile/drift/reconciler.ts'
import type { DriftReport } from '../reconcile/drift/types.ts'
import { driftSources } from './drift-sources.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

/** The drift reconciler (`reconcile/drift/`): one instance, `global`, kicked by the cron. */
export class Reconciler extends SqlObject {
  private readonly job: DriftReconciler

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, DRIFT_MIGRATIONS, wiring)
    const writer = env.ORG_WRITER.getByName('org')
    const registry = env.OPS_REGISTRY.getByName('global')
    this.job = new DriftReconciler(this.storage, {
      logLevel: this.config.logLevel,
      settings: this.config.reconcile,
      catalog: this.config.catalog,
      sources: () =>
        driftSources(
          this.config,
          () => writer.status(),
          (name) => env.NETSUITE_GATE.getByName(name),
        ),
      targets: {
        ledger: (accountId) => env.ACCOUNT_LEDGER.getByName(accountId),
        registry: {
          lookupCustomer: (id) => registry.lookupCustomer(id),
          customerOf: (id) => registry.customerOf(id),
          upsertExceptions: (entries) => registry.upsertExceptions(entries),
        },
      },
    })
  }

  /** The cron: arms the alarm for the next sweep when one is due. */
  kick(): Promise<void> {
    return this.job.kick()
  }

  override alarm(): Promise<void> {
    return this.job.alarm()
  }

  /** Runs now (an operator, or a test) and answers the report. */
  run(req: RunRequest): Promise<RunResult> {
    return this.job.run(req)
  }

  lastReports(limit = 10): DriftReport[] {
    return this.job.lastReports(limit)
  }
}
