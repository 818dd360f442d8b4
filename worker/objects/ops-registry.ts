import type { ExceptionEntry } from '../ledger/journal.ts'
import {
  OPS_MIGRATIONS,
  OpsStore,
  type QuarantineEntry,
  type QuarantineInput,
  type WebhookOutcome,
} from '../ops/ops-registry.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

type Store = OpsStore

/** The cross-account registry (`ops/ops-registry.ts`): one instance, named `global`. */
export class OpsRegistry extends SqlObject {
  private readonly store: OpsStore

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, OPS_MIGRATIONS, wiring)
    this.store = new OpsStore(this.storage.sql)
  }

  quarantine(entries: QuarantineInput[]): string[] {
    return this.store.quarantine(entries)
  }

  listQuarantine(opts: { limit: number; before?: string }): QuarantineEntry[] {
    return this.store.listQuarantine(opts)
  }

  upsertExceptions(entries: ExceptionEntry[]): void {
    this.store.upsertExceptions(entries)
  }

  listExceptions(
    opts: Parameters<Store['listExceptions']>[0],
  ): ReturnType<Store['listExceptions']> {
    return this.store.listExceptions(opts)
  }

  lookupCustomer(billingCustomerId: string): string | undefined {
    return this.store.lookupCustomer(billingCustomerId)
  }

  customerOf(accountId: string): string | undefined {
    return this.store.customerOf(accountId)
  }

  rememberCustomer(billingCustomerId: string, accountId: string): void {
    this.store.rememberCustomer(billingCustomerId, accountId)
  }

  noteWebhook(e: Parameters<Store['noteWebhook']>[0]): void {
    this.store.noteWebhook(e)
  }

  webhookReport(opts: {
    outcome?: WebhookOutcome
    limit: number
  }): ReturnType<Store['webhookReport']> {
    return this.store.webhookReport(opts)
  }

  locate(amendmentId: string): string | undefined {
    return this.store.locate(amendmentId)
  }
}
