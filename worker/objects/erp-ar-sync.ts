import { AR_SYNC_MIGRATIONS, ArSync, type ArSyncStatus } from '../reconcile/erp-ar-sync.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

/** The NetSuite AR delta (`reconcile/erp-ar-sync.ts`): one instance, kicked by the cron. */
export class ErpArSync extends SqlObject {
  private readonly sync: ArSync

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, AR_SYNC_MIGRATIONS, wiring)
    this.sync = new ArSync(this.storage, {
      config: this.config,
      reader: () => this.wiring.netsuiteReader(env, this.config),
      ledger: (accountId) => env.ACCOUNT_LEDGER.getByName(accountId),
    })
  }

  /** Starts a run in the alarm (never inside the caller's request). */
  kick(): Promise<void> {
    return this.sync.kick()
  }

  override alarm(): Promise<void> {
    return this.sync.alarm()
  }

  status(): ArSyncStatus {
    return this.sync.status()
  }
}
