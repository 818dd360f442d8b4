import type { Catalog } from '../../../shared/index.ts'
import type { ReconcileSettings } from '../../config/types.ts'
import type { ExceptionEntry } from '../../ledger/journal.ts'
import type { DriftStore } from './store.ts'
import type { DriftFinding, DriftReport, DriftSources, DriftTargets } from './types.ts'

/** What one run works with, and what it has found so far. */
export interface RunContext {
  runId: string
  repair: boolean
  settings: ReconcileSettings
  catalog: Catalog
  sources: DriftSources
  targets: DriftTargets
  store: DriftStore
  findings: DriftFinding[]
  deferred: string[]
  checked: DriftReport['checked']
  ledgerCalls: number
  /** Customer → account, as routed in this run. */
  known: Map<string, string | undefined>
  /** Objects a lost event handed to a ledger in this run will be re-read for anyway. */
  refreshing: Set<string>
}

/** True while the run may still call Stripe (its per-sweep budget). */
export const stripeLeft = (ctx: RunContext) =>
  ctx.sources.calls().stripe < ctx.settings.stripeCallsPerSweep

const EXCEPTION_MESSAGES: Partial<Record<DriftFinding['cause'], string>> = {
  unowned_subscription:
    'A billing subscription has no Salesforce counterpart (made outside Salesforce): link it to a Salesforce subscription or end it in billing.',
  orphan_mirror:
    'A Billing_Subscription__c mirror names a billing subscription its customer does not have: check the customer link, or delete the mirror.',
}

/** The message an exception carries: the finding's own detail first, where it names the record. */
const messageOf = (f: DriftFinding) =>
  f.cause === 'erp_edit' || f.cause === 'lost_erp_step' || f.cause === 'erp_mismatch'
    ? (f.detail ?? f.cause)
    : (EXCEPTION_MESSAGES[f.cause] ?? f.detail ?? f.cause)

/** True while the run may still call NetSuite (its per-sweep budget). */
export const netsuiteLeft = (ctx: RunContext) =>
  ctx.sources.calls().netsuite < ctx.settings.netsuiteCallsPerSweep

/**
 * Raises a finding Concord cannot repair in the exception queue, once while it stays open (a
 * later sweep that finds it again changes nothing). Its id starts `drift:` so it never reads as
 * an amendment.
 */
export async function raise(ctx: RunContext, f: DriftFinding): Promise<void> {
  const key = `drift:${f.cause}:${f.id}`
  const entry: ExceptionEntry = {
    amendmentId: key,
    accountId: f.accountId ?? '',
    subscriptionKey: f.id,
    sequence: 0,
    action: 'reconcile',
    state: 'parked',
    code: `drift_${f.cause}`,
    message: messageOf(f),
    correlationId: ctx.runId,
    updatedAt: new Date().toISOString(),
  }
  if (ctx.store.openFinding(key, f.accountId, entry))
    await ctx.targets.registry.upsertExceptions([entry])
}

/** Marks the account's exceptions this compare no longer finds as resolved, in the queue too. */
export async function resolveGone(
  ctx: RunContext,
  accountId: string,
  seen: ReadonlySet<string>,
): Promise<void> {
  const gone = ctx.store.resolveUnseen(accountId, seen)
  if (gone.length === 0) return
  const now = new Date().toISOString()
  await ctx.targets.registry.upsertExceptions(
    gone.map((key) => ({
      amendmentId: key,
      accountId,
      subscriptionKey: key.split(':').at(-1) ?? key,
      sequence: 0,
      action: 'reconcile',
      state: 'applied',
      code: 'drift_resolved',
      message: 'No longer found by the drift reconciler.',
      correlationId: ctx.runId,
      updatedAt: now,
    })),
  )
}
