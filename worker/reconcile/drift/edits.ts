import { fieldDiffs } from './compare.ts'
import { integrationUser } from './accounts.ts'
import { raise, stripeLeft, type RunContext } from './run.ts'
import type { MirrorRow } from './types.ts'

/** Checks one hand-edited row against billing; repairs it through its account's ledger. */
async function checkRow(ctx: RunContext, row: MirrorRow): Promise<void> {
  const accountId = row.accountId ?? undefined
  const sub = row.externalId ? await ctx.sources.stripe.subscription(row.externalId) : undefined
  if (!accountId || !row.externalId || !sub) {
    // Nothing in billing to rewrite it from: an operator decides.
    const f = {
      accountId,
      object: 'subscription' as const,
      id: row.externalId ?? row.id,
      cause: 'orphan_mirror' as const,
      action: 'exception' as const,
      detail: `Billing_Subscription__c ${row.id} was edited by hand and names no billing subscription Concord can read.`,
    }
    ctx.findings.push(f)
    await raise(ctx, f)
    return
  }
  const fields = fieldDiffs(sub, row, ctx.catalog)
  if (fields.length === 0) return
  ctx.findings.push({
    accountId,
    object: 'subscription',
    id: sub.id,
    cause: 'hand_edit',
    action: ctx.repair ? 'repair_requested' : 'reported',
    fields,
  })
  // Forced even when a lost event of this run re-reads it too: that read writes only if billing
  // changed, and the person's edit must go either way (the two coalesce when the pump is idle).
  if (!ctx.repair) return
  await ctx.targets.ledger(accountId).repairSubscription(accountId, sub.id)
  ctx.refreshing.add(sub.id)
  ctx.ledgerCalls++
}

/**
 * The hand-edit sweep: one query for the mirror rows a person (anyone but the integration
 * user) changed since the last sweep's newest stamp, each compared with billing. Concord's own
 * rewrite is by the integration user, so a repaired row is not found again. False when a budget
 * cut it short (the invoice and payment queries then wait for the next sweep).
 */
export async function sweepHandEdits(ctx: RunContext): Promise<boolean> {
  if (!(await ctx.sources.salesforce.withinBudget())) {
    ctx.deferred.push('hand edits: Concord is past half its Salesforce API share; next sweep')
    return false
  }
  const userId = await integrationUser(ctx)
  const since = ctx.store.cursor(Date.now() - ctx.settings.withinMs).edits_since
  let newest = since
  let next: string | undefined
  do {
    const page = await ctx.sources.salesforce.editedSince(since, userId, next)
    for (const row of page.rows) {
      if (!stripeLeft(ctx)) {
        ctx.deferred.push('hand edits: Stripe budget of this sweep reached; next sweep')
        ctx.store.saveCursor({ edits_since: newest })
        return false
      }
      ctx.checked.editedRows++
      await checkRow(ctx, row)
      newest = Math.max(newest, Date.parse(row.systemModstamp) || newest)
    }
    next = page.next
  } while (next)
  ctx.store.saveCursor({ edits_since: newest })
  return true
}
