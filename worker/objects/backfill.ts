import { BACKFILL_MIGRATIONS, BackfillJob, type BackfillStatus } from '../reconcile/backfill.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

/** The billing backfill (`reconcile/backfill.ts`): one instance, started by an operator. */
export class Backfill extends SqlObject {
  private readonly job: BackfillJob

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, BACKFILL_MIGRATIONS, wiring)
    this.job = new BackfillJob(this.storage, {
      logLevel: this.config.logLevel,
      reader: () => this.wiring.connectors(env, this.config).billingReader,
      ledger: (accountId) => env.ACCOUNT_LEDGER.getByName(accountId),
    })
  }

  /** Starts (or restarts) a backfill; `accountId` + `customerId` for one account, neither for all. */
  start(input: Parameters<BackfillJob['start']>[0]): ReturnType<BackfillJob['start']> {
    return this.job.start(input)
  }

  override alarm(): Promise<void> {
    return this.job.alarm()
  }

  status(): BackfillStatus {
    return this.job.status()
  }
}
