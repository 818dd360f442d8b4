import type { ActionDiff } from '../ledger/dry-run.ts'
import type { MoneyDiff } from '../ledger/money-plan.ts'
import { ActionDesk } from '../ops/action-desk.ts'
import {
  ACTION_MIGRATIONS,
  type ActionAuditLine,
  type ActionRequest,
  type ClaimResult,
  type NewRequest,
  type RequestState,
} from '../ops/action-requests.ts'
import { SqlObject } from './sql-object.ts'
import type { Wiring } from './wiring.ts'

/**
 * Governed actions under two-person approval (`ops/action-desk.ts`): one instance, named
 * `global`. Every method is synchronous SQL inside the object, so each decision is taken once.
 */
export class ApprovalDesk extends SqlObject {
  private readonly desk: ActionDesk

  constructor(ctx: DurableObjectState, env: Env, wiring?: Wiring) {
    super(ctx, env, ACTION_MIGRATIONS, wiring)
    this.desk = new ActionDesk(this.storage.sql)
  }

  request(input: NewRequest): { created: boolean; request: ActionRequest } {
    return this.desk.request(input, Date.now())
  }

  recordDirect(input: NewRequest, outcome: string): ActionRequest {
    return this.desk.recordDirect(input, outcome, Date.now())
  }

  get(id: string): ActionRequest | undefined {
    return this.desk.get(id, Date.now())
  }

  list(opts: { state?: RequestState; limit: number }): ActionRequest[] {
    return this.desk.list(opts, Date.now())
  }

  auditLines(opts: { requestId?: string; limit: number }): ActionAuditLine[] {
    return this.desk.auditLines(opts)
  }

  claim(id: string, actor: string): ClaimResult {
    return this.desk.claim(id, actor, Date.now())
  }

  reask(
    id: string,
    next: { diff: ActionDiff | MoneyDiff; fingerprint: string; ttlMs: number },
  ): ActionRequest {
    return this.desk.reask(id, next, Date.now())
  }

  release(id: string, why: string): void {
    this.desk.release(id, why, Date.now())
  }

  finish(id: string, state: 'executed' | 'superseded', outcome: string): ActionRequest | undefined {
    return this.desk.finish(id, state, outcome, Date.now())
  }

  reject(id: string, actor: string, reason: string): ClaimResult {
    return this.desk.reject(id, actor, reason, Date.now())
  }
}
