import { compareAccount } from './compare.ts'
import type { DocumentRow } from '../../connectors/salesforce/document-rows.ts'
import { compareDocuments, documentRowsOf } from './documents.ts'
import { compareErpInvoices } from './erp-invoices.ts'
import { compareErpOrders } from './erp-orders.ts'
import { raise, resolveGone, stripeLeft, type RunContext } from './run.ts'
import type { DriftFinding, MirrorRow } from './types.ts'

/** Every mirror row of these accounts, a page (one API call) at a time. */
async function rowsOf(ctx: RunContext, accountIds: string[]): Promise<MirrorRow[]> {
  const rows: MirrorRow[] = []
  for (let i = 0; i < accountIds.length; i += 200) {
    let next: string | undefined
    do {
      const page = await ctx.sources.salesforce.ofAccounts(accountIds.slice(i, i + 200), next)
      rows.push(...page.rows)
      next = page.next
    } while (next)
  }
  return rows
}

/**
 * Acts on one account's findings: repairs subscriptions through its ledger (documents and ERP
 * orders were handed over by their compare), raises exceptions, and, after a complete compare,
 * resolves the account's exceptions no longer found.
 */
async function act(
  ctx: RunContext,
  accountId: string,
  found: DriftFinding[],
  complete: boolean,
): Promise<void> {
  const seen = new Set<string>()
  for (const f of found) {
    ctx.findings.push(f)
    if (f.action === 'exception') {
      seen.add(`drift:${f.cause}:${f.id}`)
      await raise(ctx, f)
    } else if (f.object !== 'subscription') {
      continue
    } else if (f.action === 'repair_requested' && ctx.refreshing.has(f.id)) {
      // A lost event of this run already has the ledger re-read it: a second, forced rewrite
      // could race that read and write the mirror twice.
      f.detail = 'repaired by the re-read of the lost event found in this run'
    } else if (f.action === 'repair_requested') {
      await ctx.targets.ledger(accountId).repairSubscription(accountId, f.id)
      ctx.refreshing.add(f.id)
      ctx.ledgerCalls++
    }
  }
  if (complete) await resolveGone(ctx, accountId, seen)
}

/** The account's invoices, payments and ERP orders compared; false parts were cut by a budget. */
async function compareMore(
  ctx: RunContext,
  a: { accountId: string; customerId: string },
  seen: { userId: string; rows: DocumentRow[] },
): Promise<{ found: DriftFinding[]; complete: boolean }> {
  const docs = await compareDocuments(ctx, a, {
    userId: seen.userId,
    rows: seen.rows.filter((r) => r.accountId === a.accountId),
  })
  const erp = await compareErpOrders(ctx, a.accountId)
  const erpInvoices =
    docs && erp
      ? await compareErpInvoices(ctx, a.accountId, erp.erpCustomerId, docs.invoices)
      : false
  if (docs === false)
    ctx.deferred.push(`${a.accountId}: invoices and payments: Stripe budget reached`)
  if (erp === false || erpInvoices === false)
    ctx.deferred.push(`${a.accountId}: NetSuite orders and invoices: NetSuite budget reached`)
  return {
    found: [...(docs ? docs.found : []), ...(erp ? erp.found : []), ...(erpInvoices || [])],
    complete: docs !== false && erp !== false && erpInvoices !== false,
  }
}

/**
 * Compares accounts in full: each customer's billing subscriptions (ended ones included)
 * against the accounts' `Billing_Subscription__c` rows, read in one query per 200 accounts.
 * Returns the accounts it had no Stripe budget left for.
 */
export async function compareAccounts(
  ctx: RunContext,
  accounts: Array<{ accountId: string; customerId: string }>,
): Promise<Array<{ accountId: string; customerId: string }>> {
  if (accounts.length === 0) return []
  const userId = await integrationUser(ctx)
  const ids = accounts.map((a) => a.accountId)
  const rows = await rowsOf(ctx, ids)
  const documents = await documentRowsOf(ctx, ids)
  for (const [i, { accountId, customerId }] of accounts.entries()) {
    if (!stripeLeft(ctx)) return accounts.slice(i)
    const subscriptions = await ctx.sources.stripe.subscriptionsOf(customerId)
    ctx.checked.accounts++
    ctx.checked.subscriptions += subscriptions.length
    const drift = compareAccount({
      subscriptions,
      rows: rows.filter((r) => r.accountId === accountId),
      catalog: ctx.catalog,
      integrationUserId: userId,
    })
    const found: DriftFinding[] = drift.map((d) => {
      const repairable = d.cause !== 'unowned_subscription' && d.cause !== 'orphan_mirror'
      return {
        accountId,
        object: 'subscription',
        id: d.subscriptionId ?? d.rowId ?? '',
        cause: d.cause,
        action: !repairable ? 'exception' : ctx.repair ? 'repair_requested' : 'reported',
        fields: d.fields,
      }
    })
    const more = await compareMore(ctx, { accountId, customerId }, { userId, rows: documents })
    await act(ctx, accountId, [...found, ...more.found], more.complete)
  }
  return []
}

/** The integration user's id, asked once and kept (it only changes with the credentials). */
export async function integrationUser(ctx: RunContext): Promise<string> {
  const kept = ctx.store.cursor(Date.now()).user_id
  if (kept) return kept
  const id = await ctx.sources.salesforce.integrationUserId()
  ctx.store.saveCursor({ user_id: id })
  return id
}
